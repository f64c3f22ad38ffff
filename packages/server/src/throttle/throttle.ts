/**
 * A failure throttle over a counter store (RFC 6819 §5.1.4.2.3, §5.2.3.7): after `max` failures of a
 * key within the window, the key is refused until the window ends. Callers record an attempt before
 * they check a credential and forgive it once the credential proved right, so N guesses sent in
 * parallel, to one server or to several sharing a store, cannot all pass the limit: each increment is
 * atomic in the store and the limit is judged on the count it returned.
 */
import { createHash } from 'node:crypto';
import { MemoryCounterStore } from './memory.js';
import { type Counter, type CounterStore, CounterStoreUnavailableError } from './store.js';

/** One key an attempt counts against, and the failures it may have in a window. */
export interface Limit {
  key: string;
  max: number;
}

/**
 * What a throttle does while its shared store cannot be reached, i.e. the store says
 * {@link CounterStoreUnavailableError} (test/throttle-outage.test.ts): `local` counts in this process
 * alone (each server keeps its own limit: degraded, never unlimited); `refuse` passes the error on,
 * answered 503 with Retry-After.
 */
export type OutagePolicy = 'local' | 'refuse';

/** Limits with their keys as stored: built once per request by {@link Throttle.tally}. */
export interface Tally {
  readonly limits: readonly Limit[];
  readonly keys: readonly string[];
}

/** An attempt that may go ahead; keep it to {@link Throttle.forgive} it. */
export interface Admitted {
  readonly refused: false;
  /** Each limit's count with this attempt, in the order given. */
  readonly counts: number[];
  /** The keys and the store this attempt was counted in (a forgiveness goes to the same store). */
  readonly counted: { readonly keys: readonly string[]; readonly store: CounterStore };
}

/** An attempt refused: a limit was reached. Nothing stays counted. */
export interface Refused {
  readonly refused: true;
  /** Seconds until the attempt may be made again. */
  readonly retryAfter: number;
}

/** How a {@link Throttle} is built. */
export interface ThrottleOptions {
  /** Prefix of its keys in a shared store (`auth`, `login`, `signup`). */
  name: string;
  windowSeconds: number;
  onOutage: OutagePolicy;
  /** Keys this process remembers as refused, at most (the oldest go first). */
  maxRemembered?: number;
  /** Epoch milliseconds (tests pass a fake one; give the same to the local store). */
  clock?: () => number;
}

/**
 * Fixed-window failure counting per key. Without a shared store, or while it cannot be reached under
 * the `local` policy, the counts live in this process.
 */
export class Throttle {
  private readonly windowMs: number;
  private readonly clock: () => number;
  /** Key → epoch ms until which a count this process saw keeps it refused. */
  private readonly refusals = new Map<string, number>();

  /**
   * @param shared the store servers share (postgres.ts, redis.ts), or `undefined`: this process only
   * @param local this process's counters (SQLite; a shared store's outage under `local`)
   */
  constructor(
    private readonly shared: CounterStore | undefined,
    private readonly options: ThrottleOptions,
    private readonly local: MemoryCounterStore = new MemoryCounterStore(),
  ) {
    this.windowMs = options.windowSeconds * 1000;
    this.clock = options.clock ?? Date.now;
  }

  /** Where the counts are kept: `memory`, `postgres` or `redis`. */
  get kind(): string {
    return (this.shared ?? this.local).kind;
  }

  /**
   * Seconds to wait if a limit has been reached, from the store, else `undefined`. Records nothing:
   * for a credential already known to be right, whose check could not be split by another request's
   * failure (client authentication compares a hash without awaiting).
   */
  async check(tally: Tally): Promise<number | undefined> {
    const { value } = await this.run((store) => store.read(tally.keys));
    return this.judge(tally, value, (count, max) => count >= max);
  }

  /**
   * Starts an attempt: counts it as a failure of every key, then, if any limit is now exceeded, takes
   * it back and refuses; otherwise it stays counted until {@link Throttle.forgive}.
   */
  async attempt(tally: Tally): Promise<Admitted | Refused> {
    const { keys } = tally;
    const { value, store } = await this.run((s) => s.increment(keys, this.windowMs));
    const wait = this.judge(tally, value, (count, max) => count > max);
    if (wait !== undefined) {
      // The refused attempt is no failure: nothing was checked. Best effort; the window ends anyway.
      await store.decrement(keys).catch(() => {});
      return { refused: true, retryAfter: wait };
    }
    return { refused: false, counts: value.map((c) => c.count), counted: { keys, store } };
  }

  /** Takes back the failure an admitted attempt recorded, once its credential proved right. */
  async forgive(attempt: Admitted): Promise<void> {
    for (const key of attempt.counted.keys) this.refusals.delete(key);
    try {
      await attempt.counted.store.decrement(attempt.counted.keys);
    } catch {
      // The shared store went away meanwhile: the failure stays counted until its window ends.
    }
  }

  /**
   * Seconds to wait if this process has already seen one of the limits reached (no store call), else
   * `undefined`. Exact only for throttles whose attempts are never forgiven (client authentication):
   * a count that reached its limit then stays there until its window ends.
   */
  remembered(tally: Tally): number | undefined {
    if (this.refusals.size === 0) return undefined;
    const now = this.clock();
    let wait: number | undefined;
    for (const key of tally.keys) {
      const until = this.refusals.get(key);
      if (until === undefined) continue;
      if (until <= now) this.refusals.delete(key);
      else wait = Math.max(wait ?? 0, (until - now) / 1000);
    }
    return wait;
  }

  /** The limits of one request with their stored keys, for the calls above. */
  tally(limits: readonly Limit[]): Tally {
    return { limits, keys: limits.map((limit) => this.stored(limit.key)) };
  }

  /** Runs `op` on the shared store, or per {@link OutagePolicy} on this process's own. */
  private async run<T>(op: (store: CounterStore) => Promise<T>): Promise<{ value: T; store: CounterStore }> {
    const { shared, local } = this;
    if (shared === undefined) return { value: await op(local), store: local };
    try {
      return { value: await op(shared), store: shared };
    } catch (error) {
      // Only the store's own outage (throttle/guarded.ts) meets the policy; anything else, such as the
      // database being down when the counts are in it, fails the request as it would anywhere else.
      if (!(error instanceof CounterStoreUnavailableError) || this.options.onOutage === 'refuse') throw error;
      return { value: await op(local), store: local };
    }
  }

  /** The longest wait among the limits `over` says are reached; remembers each such key. */
  private judge(
    tally: Tally,
    counters: readonly Counter[],
    over: (count: number, max: number) => boolean,
  ): number | undefined {
    let wait: number | undefined;
    tally.limits.forEach((limit, i) => {
      const counter = counters[i];
      if (counter === undefined || !over(counter.count, limit.max)) return;
      wait = Math.max(wait ?? 0, counter.ttlMs / 1000);
      this.remember(tally.keys[i] as string, this.clock() + counter.ttlMs);
    });
    return wait;
  }

  private remember(key: string, until: number): void {
    this.refusals.delete(key);
    if (this.refusals.size >= (this.options.maxRemembered ?? 10_000)) {
      const oldest = this.refusals.keys().next();
      if (!oldest.done) this.refusals.delete(oldest.value);
    }
    this.refusals.set(key, until);
  }

  /**
   * The key as stored: in a shared store, under the throttle's name and hashed (SHA-256), so no email
   * address or client ID is written to another system and every key has the same short length.
   */
  private stored(key: string): string {
    if (this.shared === undefined) return `${this.options.name}:${key}`;
    return `${this.options.name}:${createHash('sha256').update(key).digest('base64url')}`;
  }
}
