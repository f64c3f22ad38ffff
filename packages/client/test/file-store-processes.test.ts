// Two node processes sharing one FileStore refresh an expired token once, counted at a loopback server.

import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileStore } from '../src/file-store.js';
import { type LoopbackTokenServer, startTokenServer } from './support/loopback.js';

const script = fileURLToPath(new URL('./fixtures/refresh-once.ts', import.meta.url));
const root = fileURLToPath(new URL('../../..', import.meta.url));

/** Runs the fixture: `locked` settles once it enters the store's lock (or exits), `output` on exit 0. */
function runChild(env: NodeJS.ProcessEnv): { locked: Promise<void>; output: Promise<string> } {
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 20_000,
  });
  let stdout = '';
  let stderr = '';
  let enteredLock: () => void = () => undefined;
  const entered = new Promise<void>((resolve) => {
    enteredLock = resolve;
  });
  child.stdout.on('data', (data) => {
    stdout += data;
    if (stdout.includes('locking\n')) enteredLock();
  });
  child.stderr.on('data', (data) => {
    stderr += data;
  });
  const output = new Promise<string>((resolve, reject) => {
    child.once('exit', (code) =>
      code === 0 ? resolve(stdout) : reject(new Error(`fixture exited with ${code}: ${stderr}`)),
    );
  });
  const exitedFirst = output.then(() => Promise.reject(new Error('fixture exited before taking the lock')));
  return { locked: Promise.race([entered, exitedFirst]), output };
}

let dir: string;
let server: LoopbackTokenServer | undefined;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'latchkey-procs-'));
});
afterAll(async () => {
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('FileStore across processes', () => {
  it('two processes with an expired token refresh once and both get the new token', async () => {
    // The refresh is answered only once both processes are inside lock(): they always contend.
    let answerRefresh: () => void = () => undefined;
    server = await startTokenServer(
      new Promise<void>((resolve) => {
        answerRefresh = resolve;
      }),
    );
    const path = join(dir, 'tokens.json');
    await new FileStore(path).set('latchkey:app:user:default', {
      accessToken: 'at-1',
      tokenType: 'Bearer',
      expiresIn: 3600,
      expiresAt: Date.now() - 1000,
      refreshToken: 'rt-1',
      scope: [],
    });
    const env = { ...process.env, TOKEN_URL: server.url, STORE_PATH: path };
    const children = [runChild(env), runChild(env)];
    await Promise.all(children.map((child) => child.locked));
    answerRefresh();
    const outputs = await Promise.all(children.map((child) => child.output));
    const tokens = outputs.map((stdout) => JSON.parse(stdout.trim().split('\n').at(-1) ?? '').accessToken);
    expect(tokens).toEqual(['at-2', 'at-2']);
    expect(server.counts.refresh).toBe(1);
    const saved = JSON.parse(await readFile(path, 'utf8'));
    expect(saved['latchkey:app:user:default']).toMatchObject({ accessToken: 'at-2', refreshToken: 'rt-2' });
    expect((await stat(path)).mode & 0o777).toBe(0o600);
  });
});
