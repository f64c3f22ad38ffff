// Size of the @latchkey/client browser bundle: src/index.ts bundled and minified by esbuild, then
// gzipped at level 9. Run directly (`node packages/client/bench/bundle-size.js`) to print it.
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const ENTRY = fileURLToPath(new URL('../src/index.ts', import.meta.url));

/**
 * Builds the browser bundle in memory and measures it.
 * @returns {Promise<{ minified: number, gzipped: number }>} sizes in bytes
 */
export async function bundleSize() {
  const result = await build({
    entryPoints: [ENTRY],
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    write: false,
    logLevel: 'silent',
  });
  const code = result.outputFiles[0].contents;
  return { minified: code.byteLength, gzipped: gzipSync(code, { level: 9 }).byteLength };
}

if (process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { minified, gzipped } = await bundleSize();
  console.log(`@latchkey/client browser bundle: ${minified} bytes minified, ${gzipped} bytes gzipped`);
}
