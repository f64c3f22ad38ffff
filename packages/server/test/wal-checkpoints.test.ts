/**
 * A server's SQLite connection has its write-ahead log copied back into the database file by a worker
 * thread (storage/wal-checkpointer.ts), so the checkpoint a commit runs finds little left to copy; the
 * log still starts over, and the worker stops with the database.
 */
import { copyFileSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { checkpointInBackground, type Db, nativeHandle, openDatabase } from '../src/storage/database.js';
import { startTestServer } from './support/server.js';

/** Bytes of a WAL file's header and of each frame's header (sqlite.org/fileformat2.html#walformat). */
const WAL_HEADER = 32;
const FRAME_HEADER = 24;
const PAGE = 4096;

/** Frames in a log that never started over (each commit of one row here writes one page). */
const framesIn = (file: string) => (statSync(`${file}-wal`).size - WAL_HEADER) / (PAGE + FRAME_HEADER);

describe('background WAL checkpoints (SQLite)', () => {
  let dir: string;
  let file: string;
  let db: Db | undefined;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'latchkey-wal-'));
    file = join(dir, 'latchkey.db');
  });
  afterEach(async () => {
    await db?.destroy();
    db = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  /** Opens the database with background checkpoints and a table to write to. */
  const open = (options: { autocheckpoint?: number } = {}) => {
    db = openDatabase(file);
    const checkpointer = checkpointInBackground(db);
    const native = nativeHandle(db);
    if (native?.dialect !== 'sqlite' || !checkpointer) throw new Error('no background checkpointer');
    if (options.autocheckpoint !== undefined)
      native.sqlite.pragma(`wal_autocheckpoint = ${options.autocheckpoint}`);
    native.sqlite.exec('create table t (id integer primary key, v text)');
    const insert = native.sqlite.prepare('insert into t (v) values (?)');
    return { sqlite: native.sqlite, checkpointer, insert };
  };

  it('copies what commits write to the log while the connection itself never checkpoints', async () => {
    // The connection's own checkpoint is off: only the worker can copy.
    const { checkpointer, insert } = open({ autocheckpoint: 0 });
    for (let i = 0; i < 300; i++) insert.run('x'.repeat(100));
    const frames = framesIn(file);
    expect(frames).toBeGreaterThanOrEqual(300);
    await vi.waitFor(() => expect(checkpointer.stats().framesCopied).toBe(frames), {
      timeout: 10_000,
      interval: 20,
    });
    // In the database file itself: a copy of the file alone, without its log, holds every row.
    expect(checkpointer.stats()).toMatchObject({ failures: 0, running: true });
    const copy = join(dir, 'copy.db');
    copyFileSync(file, copy);
    const plain = new SQLite(copy, { readonly: true });
    expect(plain.prepare('select count(*) as n from t').get()).toEqual({ n: 300 });
    plain.close();
  });

  it('lets the log start over under steady writes, so it stays near the automatic checkpoint length', () => {
    // 20,000 commits of one page each: twice the automatic checkpoint's 10,000 pages.
    const { sqlite, checkpointer, insert } = open();
    for (let i = 0; i < 20_000; i++) insert.run('y');
    expect(checkpointer.stats().running).toBe(true);
    // A log that never started over would hold 20,000 frames (82 MB); the connection's checkpoint
    // restarts it whenever it reaches 10,000, whatever the worker copied (a little over, if a commit
    // found the worker checkpointing).
    expect(framesIn(file)).toBeLessThan(12_000);
    expect(sqlite.prepare('select count(*) as n from t').get()).toEqual({ n: 20_000 });
    expect(sqlite.pragma('integrity_check', { simple: true })).toBe('ok');
  });

  it('stops the worker when the database closes, leaving the file whole', async () => {
    const { checkpointer, insert } = open();
    for (let i = 0; i < 2000; i++) insert.run('z');
    // Kysely closes a connection it has used (a server's always is: migrations).
    await sql`select count(*) from t`.execute(db as Db);
    expect(checkpointer.stats().running).toBe(true);
    await db?.destroy();
    db = undefined;
    expect(checkpointer.stats().running).toBe(false);
    const reopened = new SQLite(file);
    expect(reopened.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(reopened.prepare('select count(*) as n from t').get()).toEqual({ n: 2000 });
    reopened.close();
  });

  it('is not started for an in-memory database, nor before it is asked for (the CLI never is)', async () => {
    const memory = openDatabase(':memory:');
    const cli = openDatabase(file);
    try {
      expect(checkpointInBackground(memory)).toBeUndefined();
      const handle = nativeHandle(cli);
      expect(handle?.dialect === 'sqlite' ? handle.checkpointer : 'not SQLite').toBeUndefined();
    } finally {
      await memory.destroy();
      await cli.destroy();
    }
  });

  it('runs in a server on SQLite and stops with it', async () => {
    const s = await startTestServer('sqlite');
    const native = nativeHandle(s.ctx.db);
    const checkpointer = native?.dialect === 'sqlite' ? native.checkpointer : undefined;
    try {
      expect(checkpointer?.stats().running).toBe(true);
    } finally {
      await s.close();
    }
    expect(checkpointer?.stats().running).toBe(false);
  });
});
