/**
 * Throttle counters in PostgreSQL (`throttle_counters`, migration 010), shared by every server on the
 * database. Each call is one statement: an upsert takes each key's row lock, so an increment and the
 * count it returns cannot be split by another server's increment. Windows run on the database's clock,
 * so servers whose clocks differ still agree on when a window ends.
 */
import type pg from 'pg';
import { type Counter, type CounterStore, NO_COUNT } from './store.js';

/** The database's clock in epoch milliseconds, fixed for the statement. */
const NOW_MS = '(extract(epoch from statement_timestamp()) * 1000)::bigint';

/**
 * $1 keys (distinct), $2 window (ms). Keys are inserted in sorted order, so two statements on
 * overlapping keys lock their rows in the same order and cannot deadlock. A row whose window has ended
 * starts a new one at 1 (`excluded.reset_at_ms - $2` is the statement's now).
 */
const INCREMENT_SQL = `insert into throttle_counters as t (key, count, reset_at_ms)
  select k, 1, ${NOW_MS} + $2::bigint from unnest($1::text[]) as k order by k
  on conflict (key) do update set
    count = case when t.reset_at_ms <= excluded.reset_at_ms - $2::bigint then 1 else t.count + 1 end,
    reset_at_ms = case when t.reset_at_ms <= excluded.reset_at_ms - $2::bigint
      then excluded.reset_at_ms else t.reset_at_ms end
  returning key, count, reset_at_ms - ${NOW_MS} as ttl_ms`;

/**
 * $1 keys: one back from each open window, never below 0. The rows are locked in key order first
 * (`order by … for update`), as the increment takes them: an update alone visits them in the table's
 * physical order and deadlocks with an increment of the same keys (test/throttle-postgres-locks.test.ts).
 */
const DECREMENT_SQL = `with locked as (
    select key from throttle_counters
    where key = any($1::text[]) and reset_at_ms > ${NOW_MS} order by key for update
  )
  update throttle_counters t set count = greatest(t.count - 1, 0) from locked
  where t.key = locked.key
  returning t.key, t.count, t.reset_at_ms - ${NOW_MS} as ttl_ms`;

/** $1 keys: the open windows among them. */
const READ_SQL = `select key, count, reset_at_ms - ${NOW_MS} as ttl_ms from throttle_counters
  where key = any($1::text[]) and reset_at_ms > ${NOW_MS}`;

interface CounterRow {
  key: string;
  count: number;
  ttl_ms: number | string;
}

/** Counters in the `throttle_counters` table, through the server's pool (and its deadlines). */
export class PostgresCounterStore implements CounterStore {
  readonly kind = 'postgres';

  /** @param pool the database's pool (storage/database.ts: every query has the request deadline) */
  constructor(private readonly pool: pg.Pool) {}

  increment(keys: readonly string[], windowMs: number): Promise<Counter[]> {
    return this.query('latchkey_throttle_increment', INCREMENT_SQL, keys, [Math.ceil(windowMs)]);
  }

  decrement(keys: readonly string[]): Promise<Counter[]> {
    return this.query('latchkey_throttle_decrement', DECREMENT_SQL, keys);
  }

  read(keys: readonly string[]): Promise<Counter[]> {
    return this.query('latchkey_throttle_read', READ_SQL, keys);
  }

  async close(): Promise<void> {
    // The pool is the database's: closed with it.
  }

  /** Runs a statement over the distinct keys and answers in the order of `keys`. */
  private async query(
    name: string,
    text: string,
    keys: readonly string[],
    extra: unknown[] = [],
  ): Promise<Counter[]> {
    if (keys.length === 0) return [];
    const distinct = [...new Set(keys)];
    const result = await this.pool.query<CounterRow>({ name, text, values: [distinct, ...extra] });
    const byKey = new Map<string, Counter>();
    for (const row of result.rows) {
      byKey.set(row.key, { count: Number(row.count), ttlMs: Math.max(0, Number(row.ttl_ms)) });
    }
    return keys.map((key) => byKey.get(key) ?? NO_COUNT);
  }
}
