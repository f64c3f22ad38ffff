// Unit tests of FileStore: file mode, atomic writes, lock queueing, stale and live lock files.

import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileStore } from './file-store.js';
import type { StoredToken } from './token-store.js';

const token = (accessToken: string): StoredToken => ({
  accessToken,
  tokenType: 'Bearer',
  expiresIn: 60,
  expiresAt: Date.now() + 60_000,
  refreshToken: 'rt',
  scope: ['a'],
});

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'latchkey-store-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('FileStore', () => {
  it('saves, reads and deletes tokens in a 0600 file in a created directory', async () => {
    const path = join(dir, 'nested', 'tokens.json');
    const store = new FileStore(path);
    expect(await store.get('k')).toBeUndefined();
    await store.set('k', token('a'));
    await store.set('j', token('b'));
    expect(await store.get('k')).toMatchObject({ accessToken: 'a' });
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect((await stat(join(dir, 'nested'))).mode & 0o777).toBe(0o700);
    await store.delete('k');
    expect(await store.get('k')).toBeUndefined();
    expect(await store.get('j')).toMatchObject({ accessToken: 'b' });
    expect(await readdir(join(dir, 'nested'))).toEqual(['tokens.json']); // no temp or lock file left
  });

  it('keeps every concurrent write (read-modify-write under the lock)', async () => {
    const store = new FileStore(join(dir, 't.json'));
    await Promise.all(Array.from({ length: 20 }, (_, i) => store.set(`k${i}`, token(`t${i}`))));
    const all = JSON.parse(await readFile(join(dir, 't.json'), 'utf8'));
    expect(Object.keys(all)).toHaveLength(20);
  });

  it('runs lock holders one at a time and allows set() inside lock()', async () => {
    const store = new FileStore(join(dir, 't.json'));
    let inside = 0;
    let maxInside = 0;
    await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        store.lock('k', async () => {
          inside += 1;
          maxInside = Math.max(maxInside, inside);
          await store.set(`k${i}`, token('x'));
          await new Promise((r) => setTimeout(r, 5));
          inside -= 1;
        }),
      ),
    );
    expect(maxInside).toBe(1);
    await expect(store.lock('k', async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await store.lock('k', async () => 'after')).toBe('after');
  });

  it('breaks a lock whose process is gone', async () => {
    const dead = spawnSync(process.execPath, ['-e', '0']).pid;
    const path = join(dir, 't.json');
    await writeFile(
      `${path}.lock`,
      JSON.stringify({ host: hostname(), pid: dead, nonce: 'x', time: Date.now() }),
    );
    const store = new FileStore(path, { lockTimeoutMs: 2000 });
    expect(await store.lock('k', async () => 'got it')).toBe('got it');
  });

  it('breaks a lock older than staleLockMs, even a half-written one', async () => {
    const path = join(dir, 't.json');
    await writeFile(`${path}.lock`, '{"pid":');
    const old = new Date(Date.now() - 10_000);
    await utimes(`${path}.lock`, old, old);
    const store = new FileStore(path, { staleLockMs: 5_000, lockTimeoutMs: 2000 });
    expect(await store.lock('k', async () => 'got it')).toBe('got it');
  });

  it('waits for a live fresh lock and gives up after lockTimeoutMs', async () => {
    const path = join(dir, 't.json');
    const live = JSON.stringify({ host: hostname(), pid: process.ppid, nonce: 'y', time: Date.now() });
    await writeFile(`${path}.lock`, live);
    const store = new FileStore(path, { lockTimeoutMs: 200 });
    await expect(store.lock('k', async () => 'never')).rejects.toThrow(/timed out/);
    expect(await readFile(`${path}.lock`, 'utf8')).toBe(live); // not broken, not removed
  });

  it('rejects a bad path', () => {
    expect(() => new FileStore('')).toThrow(TypeError);
  });
});
