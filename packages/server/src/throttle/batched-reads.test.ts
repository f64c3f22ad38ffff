import { describe, expect, it } from 'vitest';
import { BatchedReads } from './batched-reads.js';
import { MemoryCounterStore } from './memory.js';
import type { Counter, CounterStore } from './store.js';

/** A memory store that records the keys of each call. */
function recording() {
  const inner = new MemoryCounterStore();
  const calls: { op: string; keys: readonly string[] }[] = [];
  const store: CounterStore = {
    kind: 'recording',
    increment: (keys, windowMs) => {
      calls.push({ op: 'increment', keys });
      return inner.increment(keys, windowMs);
    },
    decrement: (keys) => {
      calls.push({ op: 'decrement', keys });
      return inner.decrement(keys);
    },
    read: (keys) => {
      calls.push({ op: 'read', keys });
      return inner.read(keys);
    },
    close: async () => {},
  };
  return { store, calls };
}

describe('BatchedReads', () => {
  it('sends the reads of one event-loop turn as one read of their distinct keys; each caller gets its own', async () => {
    const { store, calls } = recording();
    const batched = new BatchedReads(store);
    await batched.increment(['a', 'a', 'b'], 60_000);
    calls.length = 0;
    const reads = await Promise.all([
      batched.read(['a', 'b']),
      batched.read(['b', 'c']),
      batched.read(['a']),
    ]);
    expect(calls).toEqual([{ op: 'read', keys: ['a', 'b', 'c'] }]);
    const counts = (counters: Counter[]) => counters.map((c) => c.count);
    expect(reads.map(counts)).toEqual([[2, 1], [1, 0], [2]]);
    // The next turn is the next batch.
    await batched.read(['c']);
    expect(calls).toHaveLength(2);
  });

  it('increments and decrements go out at once, each with its own result', async () => {
    const { store, calls } = recording();
    const batched = new BatchedReads(store);
    const results = await Promise.all([batched.increment(['k'], 60_000), batched.increment(['k'], 60_000)]);
    expect(results.map((r) => r[0]?.count)).toEqual([1, 2]);
    expect(await batched.decrement(['k'])).toMatchObject([{ count: 1 }]);
    expect(calls.map((c) => c.op)).toEqual(['increment', 'increment', 'decrement']);
  });

  it('a failed read fails every read of its batch', async () => {
    const failing: CounterStore = {
      kind: 'failing',
      increment: async () => [],
      decrement: async () => [],
      read: () => Promise.reject(new Error('down')),
      close: async () => {},
    };
    const batched = new BatchedReads(failing);
    const reads = [batched.read(['a']), batched.read(['b'])];
    for (const read of reads) await expect(read).rejects.toThrow('down');
  });
});
