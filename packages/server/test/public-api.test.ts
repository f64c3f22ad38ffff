/** `@latchkey/server` as a user imports it: exactly the documented exports, and the README's embedding example runs. */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from './support/process.js';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** The first ```js block of the package README. */
function readmeExample(): string {
  const readme = readFileSync(join(packageDir, 'README.md'), 'utf8');
  const match = /```js\n([\s\S]*?)```/.exec(readme);
  if (!match?.[1]) throw new Error('README.md has no js example');
  return match[1];
}

describe('the public API', () => {
  it('exports createServer, loadConfig and ConfigError, nothing else', async () => {
    const api = await import('@latchkey/server');
    expect(Object.keys(api).sort()).toEqual(['ConfigError', 'createServer', 'loadConfig']);
  });

  it("the README's embedding example serves metadata and stops on SIGTERM", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'latchkey-embed-'));
    dirs.push(dataDir);
    const port = await freePort();
    // Run as a user's module would: `@latchkey/server` resolved from the package, not from src/.
    const child = spawn(process.execPath, ['--input-type=module', '-e', readmeExample()], {
      cwd: packageDir,
      env: { ...process.env, PORT: String(port), LATCHKEY_DATA_DIR: dataDir, LATCHKEY_LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    try {
      await expect
        .poll(() => output, { timeout: 20_000, interval: 50 })
        .toContain(`authorization server at http://localhost:${port}`);
      const metadata = await fetch(`http://127.0.0.1:${port}/.well-known/oauth-authorization-server`);
      expect(await metadata.json()).toMatchObject({ issuer: `http://localhost:${port}` });
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
