import { describe, expect, it } from 'vitest';
import { GuardedCounterStore } from './guarded.js';
import { MemoryCounterStore } from './memory.js';
import { type Counter, type CounterStore, CounterStoreUnavailableError } from './store.js';
import { type Admitted, type Limit, type OutagePolicy, Throttle } from './throttle.js';

/** A throttle counting in this process, on a clock the test moves. */
function local(windowSeconds: number, maxKeys = 100) {
  const clock = { now: 0 };
  const now = () => clock.now;
  const throttle = new Throttle(
    undefined,
    { name: 't', windowSeconds, onOutage: 'local', clock: now },
    new MemoryCounterStore(maxKeys, now),
  );
  return { clock, throttle };
}

const limits = (max: number, ...keys: string[]): Limit[] => keys.map((key) => ({ key, max }));

/** A shared store that is down (every call fails) or up (a memory store), as the test says. */
class Flaky implements CounterStore {
  readonly kind = 'flaky';
  up = false;
  readonly inner = new MemoryCounterStore();
  private call<T>(op: () => Promise<T>): Promise<T> {
    return this.up ? op() : Promise.reject(new CounterStoreUnavailableError('flaky'));
  }
  increment(keys: readonly string[], windowMs: number): Promise<Counter[]> {
    return this.call(() => this.inner.increment(keys, windowMs));
  }
  decrement(keys: readonly string[]): Promise<Counter[]> {
    return this.call(() => this.inner.decrement(keys));
  }
  read(keys: readonly string[]): Promise<Counter[]> {
    return this.call(() => this.inner.read(keys));
  }
  async close(): Promise<void> {}
}

describe('Throttle', () => {
  it('refuses a key after max failures within the window and lets it go when the window ends', async () => {
    const { throttle, clock } = local(60);
    const a = throttle.tally(limits(2, 'a'));
    expect((await throttle.attempt(a)).refused).toBe(false);
    expect(await throttle.check(a)).toBeUndefined();
    clock.now = 1_000;
    expect((await throttle.attempt(a)).refused).toBe(false);
    expect(await throttle.check(throttle.tally(limits(2, 'a', 'b')))).toBe(59);
    expect(await throttle.check(throttle.tally(limits(2, 'b')))).toBeUndefined();
    clock.now = 60_000;
    expect(await throttle.check(a)).toBeUndefined();
  });

  it('counts an attempt before its outcome is known, so parallel guesses stop at the limit', async () => {
    const { throttle } = local(60);
    const tally = throttle.tally(limits(3, 'ip:x', 'client:y'));
    const outcomes = await Promise.all(Array.from({ length: 10 }, () => throttle.attempt(tally)));
    expect(outcomes.filter((o) => !o.refused)).toHaveLength(3);
    expect(outcomes.slice(3)).toEqual(Array(7).fill({ refused: true, retryAfter: 60 }));
  });

  it('forgives the attempt of a right credential, so successes never lock anyone out', async () => {
    const { throttle, clock } = local(60);
    const k = throttle.tally(limits(2, 'k'));
    for (let i = 0; i < 10; i++) {
      clock.now = i;
      const attempt = await throttle.attempt(k);
      expect(attempt.refused).toBe(false);
      await throttle.forgive(attempt as Admitted);
    }
    clock.now = 20;
    await throttle.attempt(k);
    clock.now = 21;
    expect((await throttle.attempt(k)).refused).toBe(false);
    clock.now = 22;
    expect(await throttle.attempt(k)).toEqual({ refused: true, retryAfter: 59.998 });
  });

  it('drops the oldest key when full', async () => {
    const { throttle } = local(60, 2);
    for (const key of ['a', 'b', 'c']) await throttle.attempt(throttle.tally(limits(1, key)));
    expect(await throttle.check(throttle.tally(limits(1, 'a')))).toBeUndefined();
    expect(await throttle.check(throttle.tally(limits(1, 'b')))).toBe(60);
    expect(await throttle.check(throttle.tally(limits(1, 'c')))).toBe(60);
  });

  it('remembers a key it saw over its limit until the window ends, without asking the store', async () => {
    const { throttle, clock } = local(60);
    const tally = throttle.tally(limits(1, 'k'));
    await throttle.attempt(tally);
    expect(throttle.remembered(tally)).toBeUndefined();
    expect((await throttle.attempt(tally)).refused).toBe(true);
    clock.now = 30_000;
    expect(throttle.remembered(tally)).toBe(30);
    clock.now = 60_000;
    expect(throttle.remembered(tally)).toBeUndefined();
  });

  it('stores hashed keys in a shared store, never what it counts', async () => {
    const shared = new MemoryCounterStore();
    const seen: string[] = [];
    const spy: CounterStore = {
      kind: 'spy',
      increment: (keys, windowMs) => {
        seen.push(...keys);
        return shared.increment(keys, windowMs);
      },
      decrement: (keys) => shared.decrement(keys),
      read: (keys) => shared.read(keys),
      close: async () => {},
    };
    const throttle = new Throttle(spy, { name: 'login', windowSeconds: 60, onOutage: 'refuse' });
    await throttle.attempt(throttle.tally(limits(5, 'account:ada@example.com')));
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatch(/^login:[\w-]{43}$/);
    expect(seen[0]).not.toContain('ada');
  });

  describe.each<OutagePolicy>(['local', 'refuse'])('with its shared store down (%s)', (policy) => {
    it(
      policy === 'local' ? 'counts in this process alone' : 'refuses with CounterStoreUnavailableError',
      async () => {
        const flaky = new Flaky();
        const throttle = new Throttle(flaky, { name: 't', windowSeconds: 60, onOutage: policy });
        const tally = throttle.tally(limits(2, 'k'));
        const attempts = Array.from({ length: 3 }, () => throttle.attempt(tally));
        if (policy === 'refuse') {
          for (const attempt of attempts)
            await expect(attempt).rejects.toBeInstanceOf(CounterStoreUnavailableError);
          await expect(throttle.check(tally)).rejects.toBeInstanceOf(CounterStoreUnavailableError);
          return;
        }
        expect((await Promise.all(attempts)).map((a) => a.refused)).toEqual([false, false, true]);
        expect(await throttle.check(tally)).toBeGreaterThan(59);
        // Back up: the shared store's counts apply again (it saw none of those).
        flaky.up = true;
        expect(await throttle.check(tally)).toBeUndefined();
      },
    );
  });
});

describe('GuardedCounterStore', () => {
  it('fails fast for a cooldown after a failure, then tries again; says so once each way', async () => {
    const flaky = new Flaky();
    const clock = { now: 0 };
    const events: string[] = [];
    const guarded = new GuardedCounterStore(
      flaky,
      { down: () => events.push('down'), up: () => events.push('up') },
      { cooldownMs: 1_000, clock: () => clock.now },
    );
    await expect(guarded.read(['k'])).rejects.toBeInstanceOf(CounterStoreUnavailableError);
    flaky.up = true;
    // Within the cooldown: not even tried.
    await expect(guarded.read(['k'])).rejects.toBeInstanceOf(CounterStoreUnavailableError);
    clock.now = 1_000;
    expect(await guarded.read(['k'])).toEqual([{ count: 0, ttlMs: 0 }]);
    expect(await guarded.increment(['k'], 5_000)).toEqual([{ count: 1, ttlMs: 5_000 }]);
    expect(events).toEqual(['down', 'up']);
  });

  it('passes on the failures it is told are not its own, unchanged, tripping nothing', async () => {
    const events: string[] = [];
    const databaseDown = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    const failing: CounterStore = {
      kind: 'postgres',
      increment: () => Promise.reject(databaseDown),
      decrement: () => Promise.reject(databaseDown),
      read: () => Promise.reject(databaseDown),
      close: async () => {},
    };
    const guarded = new GuardedCounterStore(
      failing,
      { down: () => events.push('down'), up: () => events.push('up') },
      { passThrough: (error) => error === databaseDown },
    );
    await expect(guarded.read(['k'])).rejects.toBe(databaseDown);
    await expect(guarded.read(['k'])).rejects.toBe(databaseDown);
    expect(events).toEqual([]);
    // A throttle over it answers as for any database outage, whatever its policy.
    const throttle = new Throttle(guarded, { name: 't', windowSeconds: 60, onOutage: 'local' });
    await expect(throttle.attempt(throttle.tally(limits(1, 'k')))).rejects.toBe(databaseDown);
  });
});
