/**
 * What a start leaves on disk is this user's only: the data folder 0700; the SQLite file, its WAL and
 * shared-memory files, the key-encryption key and demo-app.json 0600. The real binary runs under umask
 * 000, so every mode is the one the code sets, not one a umask happened to leave.
 */
import { chmodSync, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { cli, startProcess } from './support/process.js';

const dirs: string[] = [];
function tempDir() {
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-modes-'));
  dirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** Runs `fn` with this process's umask (inherited by the processes it spawns) set to `mask`. */
async function underUmask<T>(mask: number, fn: () => Promise<T>): Promise<T> {
  const before = process.umask(mask);
  try {
    return await fn();
  } finally {
    process.umask(before);
  }
}

function modeOf(path: string): string {
  return (statSync(path).mode & 0o777).toString(8);
}

describe('file modes under umask 000', () => {
  it('latchkey start: a new data folder 0700; database, WAL, shared memory, KEK and demo app 0600', async () => {
    const data = join(tempDir(), 'not', 'yet');
    const db = join(data, 'latchkey.db');
    await underUmask(0, async () => {
      const server = await startProcess({ LATCHKEY_DATA_DIR: data });
      try {
        expect(modeOf(data)).toBe('700');
        // While it runs, in WAL mode: all three files exist.
        for (const file of [db, `${db}-wal`, `${db}-shm`]) {
          expect(existsSync(file), file).toBe(true);
          expect(modeOf(file), file).toBe('600');
        }
        expect(modeOf(join(data, 'key-encryption.key'))).toBe('600');
        expect(modeOf(join(data, 'demo-app.json'))).toBe('600');
      } finally {
        await server.stop();
      }
    });
  });

  it('a database a previous release left readable (0644, with its WAL after a crash) is made 0600', async () => {
    const data = tempDir();
    const file = join(data, 'latchkey.db');
    // The previous release's files: created under the usual umask 022, WAL and shared memory still there.
    const holder = await underUmask(0o022, async () => {
      const sqlite = new SQLite(file);
      sqlite.pragma('journal_mode = WAL');
      sqlite.exec('create table leftover (x)');
      return sqlite;
    });
    try {
      for (const path of [file, `${file}-wal`, `${file}-shm`]) {
        chmodSync(path, 0o644);
        expect(modeOf(path)).toBe('644');
      }
      const migrated = cli(['migrate'], { LATCHKEY_DATA_DIR: data });
      expect(migrated.stderr).toBe('');
      for (const path of [file, `${file}-wal`, `${file}-shm`]) expect(modeOf(path), path).toBe('600');
    } finally {
      holder.close();
    }
  });

  it('a CLI command that creates the database creates it private too', async () => {
    const data = join(tempDir(), 'fresh');
    const created = await underUmask(0, async () =>
      cli(['apps', 'create', '--name', 'First', '--scope', 'data:read', '--json'], {
        LATCHKEY_DATA_DIR: data,
      }),
    );
    expect(created.code).toBe(0);
    expect(modeOf(data)).toBe('700');
    expect(modeOf(join(data, 'latchkey.db'))).toBe('600');
  });
});
