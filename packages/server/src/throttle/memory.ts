/**
 * Throttle counters in this process: the store on SQLite (one server per file, nothing to share), and
 * what a throttle falls back to while a shared store is unreachable. Bounded in memory.
 */
import { type Counter, type CounterStore, NO_COUNT } from './store.js';

interface Entry {
  count: number;
  resetAt: number;
}

/** Default bound: keys kept at most, the oldest dropped first. */
export const DEFAULT_MEMORY_KEYS = 100_000;

/**
 * Fixed-window counters in a Map. Each call runs to its end without awaiting anything, so it is atomic
 * with respect to every other request of this process.
 */
export class MemoryCounterStore implements CounterStore {
  readonly kind = 'memory';
  private readonly entries = new Map<string, Entry>();

  /**
   * @param maxEntries memory bound; the oldest keys go first
   * @param clock epoch milliseconds (tests pass a fake one)
   */
  constructor(
    private readonly maxEntries = DEFAULT_MEMORY_KEYS,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Synchronous {@link MemoryCounterStore.increment}. */
  incrementNow(keys: readonly string[], windowMs: number): Counter[] {
    const now = this.clock();
    return keys.map((key) => {
      const entry = this.live(key, now);
      if (entry) {
        entry.count += 1;
        return { count: entry.count, ttlMs: entry.resetAt - now };
      }
      if (this.entries.size >= this.maxEntries) {
        const oldest = this.entries.keys().next();
        if (!oldest.done) this.entries.delete(oldest.value);
      }
      this.entries.set(key, { count: 1, resetAt: now + windowMs });
      return { count: 1, ttlMs: windowMs };
    });
  }

  /** Synchronous {@link MemoryCounterStore.read}. */
  readNow(keys: readonly string[]): Counter[] {
    const now = this.clock();
    return keys.map((key) => {
      const entry = this.live(key, now);
      return entry ? { count: entry.count, ttlMs: entry.resetAt - now } : NO_COUNT;
    });
  }

  async increment(keys: readonly string[], windowMs: number): Promise<Counter[]> {
    return this.incrementNow(keys, windowMs);
  }

  async decrement(keys: readonly string[]): Promise<Counter[]> {
    const now = this.clock();
    return keys.map((key) => {
      const entry = this.live(key, now);
      if (!entry) return NO_COUNT;
      entry.count -= 1;
      if (entry.count <= 0) {
        this.entries.delete(key);
        return NO_COUNT;
      }
      return { count: entry.count, ttlMs: entry.resetAt - now };
    });
  }

  async read(keys: readonly string[]): Promise<Counter[]> {
    return this.readNow(keys);
  }

  async close(): Promise<void> {
    this.entries.clear();
  }

  /** The key's entry if its window is still open; an expired one is dropped. */
  private live(key: string, now: number): Entry | undefined {
    const entry = this.entries.get(key);
    if (entry && entry.resetAt <= now) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }
}
