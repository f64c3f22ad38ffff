/**
 * Where throttle counters live: in this process (memory.ts; SQLite, or a store outage), in PostgreSQL
 * (postgres.ts) or in Redis (redis.ts), so N servers behind a load balancer share one count per key.
 */

/** A key's count in its current fixed window, and how long that window still runs. */
export interface Counter {
  count: number;
  /** Milliseconds until the window ends (0 when the key has no open window). */
  ttlMs: number;
}

/**
 * Fixed-window counters. Every operation on several keys is one atomic step for each key (an
 * increment and the read of its result cannot be split by another server's increment), which is what
 * lets N guesses sent in parallel to several servers stop at the limit (RFC 6819 §5.1.4.2.3).
 */
export interface CounterStore {
  /** What the store is, for logs: `memory`, `postgres` or `redis`. */
  readonly kind: string;
  /**
   * Adds 1 to each key's count and returns the counts after. A key without an open window opens one
   * of `windowMs` at 1. Results are in the order of `keys`.
   */
  increment(keys: readonly string[], windowMs: number): Promise<Counter[]>;
  /** Takes 1 back from each key whose window is open (never below 0); returns the counts after. */
  decrement(keys: readonly string[]): Promise<Counter[]>;
  /** Reads the keys' counts (0 for a key without an open window), in the order of `keys`. */
  read(keys: readonly string[]): Promise<Counter[]>;
  /** Releases connections the store opened itself (not the database's pool). */
  close(): Promise<void>;
}

/** The counter of a key that has no open window. */
export const NO_COUNT: Readonly<Counter> = Object.freeze({ count: 0, ttlMs: 0 });

/**
 * The shared store did not answer (down, timed out, or within the cooldown after such a failure):
 * each throttle then counts in this process or refuses, as it was built to (throttle/throttle.ts).
 * Its code is one of storage/errors.ts's "unavailable" codes, so a throttle that refuses answers 503.
 */
export class CounterStoreUnavailableError extends Error {
  override readonly name = 'CounterStoreUnavailableError';
  readonly code = 'LATCHKEY_COUNTERS_UNAVAILABLE';
  constructor(kind: string, cause?: unknown) {
    super(`the ${kind} throttle counters cannot be reached`);
    if (cause !== undefined) Object.defineProperty(this, 'cause', { value: cause, enumerable: false });
  }
}
