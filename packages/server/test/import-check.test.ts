/** scripts/check-imports.js, which `npm test` runs: it fails on an import circle and on a wrong-way import. */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const script = join(dirname(fileURLToPath(import.meta.url)), '../../../scripts/check-imports.js');
const trees: string[] = [];

/** Writes files (path -> source) into a fresh tree and runs the check on it. */
function check(files: Record<string, string>) {
  const root = mkdtempSync(join(tmpdir(), 'latchkey-imports-'));
  trees.push(root);
  for (const [path, source] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), source);
  }
  const run = spawnSync(process.execPath, [script, root], { encoding: 'utf8' });
  return { status: run.status, stderr: run.stderr };
}

afterEach(() => {
  for (const root of trees.splice(0)) rmSync(root, { recursive: true, force: true });
});

describe('the import check', () => {
  it('passes a tree whose imports run one way', () => {
    const result = check({
      'packages/server/src/endpoints/token.ts': "import { rule } from '../grants/rule.js';\n",
      'packages/server/src/grants/rule.ts': "import type { Row } from '../storage/row.js';\n",
      'packages/server/src/storage/row.ts': 'export interface Row {}\n',
    });
    expect(result).toEqual({ status: 0, stderr: '' });
  });

  it('fails on a circle, type-only imports included', () => {
    const result = check({
      'packages/client/src/a.ts': "import type { B } from './b.js';\nexport type A = B;\n",
      'packages/client/src/b.ts': "export { a } from './c.js';\nexport type B = string;\n",
      'packages/client/src/c.ts': "import type { A } from './a.js';\nexport const a: A = '';\n",
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('import circle: packages/client/src/');
    for (const file of ['a.ts', 'b.ts', 'c.ts']) expect(result.stderr).toContain(file);
  });

  it('fails when storage imports a grant (against endpoints -> grants -> storage -> tokens/keys)', () => {
    const result = check({
      'packages/server/src/storage/codes.ts': "import { decide } from '../grants/code-binding.js';\n",
      'packages/server/src/grants/code-binding.ts': 'export const decide = () => true;\n',
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(
      'import against the layers: packages/server/src/storage/codes.ts -> packages/server/src/grants/code-binding.ts',
    );
  });

  it('fails when keys import storage', () => {
    const result = check({
      'packages/server/src/keys/key-manager.ts': "import type { Keys } from '../storage/signing-keys.js';\n",
      'packages/server/src/storage/signing-keys.ts': 'export interface Keys {}\n',
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('keys/ may not import storage/');
  });
});
