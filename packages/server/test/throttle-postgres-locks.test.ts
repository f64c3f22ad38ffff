/**
 * The PostgreSQL throttle store takes its row locks in one order, whatever the statement: an increment,
 * the decrement of a refused attempt and the purge of ended windows on the same keys, running at once
 * on several connections, never deadlock. Found by CI: 60 wrong secrets sent at once to two processes answered 503 twice, PostgreSQL
 * having cancelled one statement of each locked pair ("deadlock detected", 40P01) because the decrement
 * updated its rows in the table's physical order while the increment inserted them in sorted order.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Db, nativeHandle, openDatabase } from '../src/storage/database.js';
import { migrate } from '../src/storage/migrations.js';
import { purgeExpired } from '../src/storage/purge.js';
import { PostgresCounterStore } from '../src/throttle/postgres.js';
import { dialects, freshDatabase } from './support/server.js';

const hasPostgres = dialects().includes('postgres');

describe.skipIf(!hasPostgres)('postgres throttle counters under concurrent calls', () => {
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-throttle-locks-'));
  let db: Db;
  let store: PostgresCounterStore;
  beforeAll(async () => {
    db = openDatabase(await freshDatabase('postgres', dir));
    await migrate(db);
    const native = nativeHandle(db);
    if (native?.dialect !== 'postgres') throw new Error('expected a PostgreSQL handle');
    store = new PostgresCounterStore(native.pool);
  });
  afterAll(async () => {
    await db?.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lock rows in key order, so a decrement never deadlocks with an increment', async () => {
    // Rows stored in the reverse of their sorted order: a sequential scan meets "z…" before "a…".
    const keys = Array.from({ length: 8 }, (_, i) => `k${String.fromCharCode(122 - i)}`);
    for (const key of keys) await store.increment([key], 60_000);
    const errors: unknown[] = [];
    const rounds = 150;
    const loop = async (step: () => Promise<unknown>) => {
      for (let i = 0; i < rounds; i++) await step().catch((error: unknown) => errors.push(error));
    };
    await Promise.all([
      loop(() => store.increment(keys, 60_000)),
      loop(() => store.decrement(keys)),
      loop(() => store.increment([...keys].reverse(), 60_000)),
      loop(() => store.decrement([...keys].reverse())),
    ]);
    expect(errors.map((e) => (e as { code?: string }).code ?? String(e))).toEqual([]);
    // One order of statements for every row: each key saw the same increments and clamped decrements.
    const counts = (await store.read(keys)).map((c) => c.count);
    expect(new Set(counts).size).toBe(1);
  }, 60_000);

  it('the purge deletes ended windows in key order too, so it never deadlocks with an increment', async () => {
    // Windows of 1 ms end at once: every purge finds rows to delete while increments start new ones.
    const keys = Array.from({ length: 8 }, (_, i) => `p${String.fromCharCode(122 - i)}`);
    for (const key of keys) await store.increment([key], 1);
    const errors: unknown[] = [];
    const loop = async (rounds: number, step: () => Promise<unknown>) => {
      for (let i = 0; i < rounds; i++) await step().catch((error: unknown) => errors.push(error));
    };
    const purge = () => purgeExpired(db, { accessTokenTtl: 3600, now: Math.ceil(Date.now() / 1000) + 5 });
    await Promise.all([
      loop(300, () => store.increment(keys, 1)),
      loop(300, () => store.increment([...keys].reverse(), 1)),
      loop(100, purge),
    ]);
    expect(errors.map((e) => (e as { code?: string }).code ?? String(e))).toEqual([]);
  }, 120_000);
});
