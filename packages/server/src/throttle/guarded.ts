/**
 * A shared counter store behind a breaker: a call that fails or passes its deadline makes the store
 * "down" for a short cooldown, during which calls fail at once instead of each waiting for the same
 * outage, and every failure reaches the throttles as {@link CounterStoreUnavailableError}. Going down
 * and coming back are each logged once. Failures `passThrough` names are not the store's own (the
 * counts live in the database, and the database is down): they go through unchanged and trip nothing.
 */
import { type Counter, type CounterStore, CounterStoreUnavailableError } from './store.js';

/** How long the store counts as down after a failure before a call tries it again (ms). */
export const COUNTER_STORE_COOLDOWN_MS = 1_000;

/** What the breaker tells the logs. */
export interface GuardEvents {
  down(error: unknown): void;
  up(): void;
}

/** How a {@link GuardedCounterStore} is built. */
export interface GuardOptions {
  /** Errors that are not the store's outage, passed on as they are (default: none). */
  passThrough?: (error: unknown) => boolean;
  cooldownMs?: number;
  /** Epoch milliseconds (tests pass a fake one). */
  clock?: () => number;
}

/** A {@link CounterStore} that fails fast while its inner store is down. */
export class GuardedCounterStore implements CounterStore {
  private downUntil = 0;
  private isDown = false;
  private readonly passThrough: (error: unknown) => boolean;
  private readonly cooldownMs: number;
  private readonly clock: () => number;

  constructor(
    private readonly inner: CounterStore,
    private readonly events: GuardEvents,
    options: GuardOptions = {},
  ) {
    this.passThrough = options.passThrough ?? (() => false);
    this.cooldownMs = options.cooldownMs ?? COUNTER_STORE_COOLDOWN_MS;
    this.clock = options.clock ?? Date.now;
  }

  get kind(): string {
    return this.inner.kind;
  }

  increment(keys: readonly string[], windowMs: number): Promise<Counter[]> {
    return this.guard(() => this.inner.increment(keys, windowMs));
  }

  decrement(keys: readonly string[]): Promise<Counter[]> {
    return this.guard(() => this.inner.decrement(keys));
  }

  read(keys: readonly string[]): Promise<Counter[]> {
    return this.guard(() => this.inner.read(keys));
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  private async guard<T>(call: () => Promise<T>): Promise<T> {
    if (this.isDown && this.clock() < this.downUntil) throw new CounterStoreUnavailableError(this.kind);
    try {
      const value = await call();
      if (this.isDown) {
        this.isDown = false;
        this.events.up();
      }
      return value;
    } catch (error) {
      if (this.passThrough(error)) throw error;
      this.downUntil = this.clock() + this.cooldownMs;
      if (!this.isDown) {
        this.isDown = true;
        this.events.down(error);
      }
      throw new CounterStoreUnavailableError(this.kind, error);
    }
  }
}
