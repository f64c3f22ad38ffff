/**
 * Reads of a shared store coalesced per event-loop turn: every {@link CounterStore.read} made while
 * the turn runs goes out as one call with the distinct keys, when the turn ends. Client authentication
 * with a right secret reads its counts after the comparison (oauth/client-auth.ts); under load many
 * such requests share one round trip instead of one each. A read sent a little later can only see more
 * failures, never fewer, so batching never lets a guess through that an immediate read would refuse.
 * Increments and decrements go out at once, unbatched: each needs its own atomic result.
 */
import type { Counter, CounterStore } from './store.js';

interface Waiting {
  keys: readonly string[];
  resolve(counters: Counter[]): void;
  reject(error: unknown): void;
}

/** A {@link CounterStore} whose reads are sent once per event-loop turn. */
export class BatchedReads implements CounterStore {
  private waiting: Waiting[] = [];
  private readonly flush = () => this.send();

  constructor(private readonly inner: CounterStore) {}

  get kind(): string {
    return this.inner.kind;
  }

  increment(keys: readonly string[], windowMs: number): Promise<Counter[]> {
    return this.inner.increment(keys, windowMs);
  }

  decrement(keys: readonly string[]): Promise<Counter[]> {
    return this.inner.decrement(keys);
  }

  read(keys: readonly string[]): Promise<Counter[]> {
    return new Promise((resolve, reject) => {
      if (this.waiting.length === 0) setImmediate(this.flush);
      this.waiting.push({ keys, resolve, reject });
    });
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  /** One read of the distinct keys of every read waiting; each gets its own keys' counters. */
  private send(): void {
    const batch = this.waiting;
    this.waiting = [];
    if (batch.length === 1) {
      const only = batch[0] as Waiting;
      this.inner.read(only.keys).then(only.resolve, only.reject);
      return;
    }
    const distinct = [...new Set(batch.flatMap((waiting) => waiting.keys))];
    this.inner.read(distinct).then(
      (counters) => {
        const byKey = new Map(distinct.map((key, i) => [key, counters[i] as Counter]));
        for (const waiting of batch) waiting.resolve(waiting.keys.map((key) => byKey.get(key) as Counter));
      },
      (error: unknown) => {
        for (const waiting of batch) waiting.reject(error);
      },
    );
  }
}
