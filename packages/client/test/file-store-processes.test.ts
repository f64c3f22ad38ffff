// Two node processes sharing one FileStore refresh an expired token once, counted at a loopback server.

import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileStore } from '../src/file-store.js';
import { type LoopbackTokenServer, startTokenServer } from './support/loopback.js';

const run = promisify(execFile);
const script = fileURLToPath(new URL('./fixtures/refresh-once.ts', import.meta.url));
const root = fileURLToPath(new URL('../../..', import.meta.url));

let server: LoopbackTokenServer;
let dir: string;
beforeAll(async () => {
  server = await startTokenServer(300);
  dir = await mkdtemp(join(tmpdir(), 'latchkey-procs-'));
});
afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

describe('FileStore across processes', () => {
  it('two processes with an expired token refresh once and both get the new token', async () => {
    const path = join(dir, 'tokens.json');
    await new FileStore(path).set('latchkey:app:user:default', {
      accessToken: 'at-1',
      tokenType: 'Bearer',
      expiresIn: 3600,
      expiresAt: Date.now() - 1000,
      refreshToken: 'rt-1',
      scope: [],
    });
    const env = {
      ...process.env,
      TOKEN_URL: server.url,
      STORE_PATH: path,
      START_AT: String(Date.now() + 1500),
    };
    const children = [1, 2].map(() =>
      run(process.execPath, ['--import', 'tsx', script], { cwd: root, env, timeout: 20_000 }),
    );
    const outputs = await Promise.all(children);
    const tokens = outputs.map(({ stdout }) => JSON.parse(stdout).accessToken);
    expect(tokens).toEqual(['at-2', 'at-2']);
    expect(server.counts.refresh).toBe(1);
    const saved = JSON.parse(await readFile(path, 'utf8'));
    expect(saved['latchkey:app:user:default']).toMatchObject({ accessToken: 'at-2', refreshToken: 'rt-2' });
    expect((await stat(path)).mode & 0o777).toBe(0o600);
  });
});
