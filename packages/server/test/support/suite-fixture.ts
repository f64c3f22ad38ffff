/**
 * One suite's fixture, started once per describe block: `suiteFixture` registers the block's
 * `beforeAll` and `afterAll` and hands back an object whose members read what `beforeAll` started.
 */
import { afterAll, beforeAll } from 'vitest';

/**
 * Registers `beforeAll(start)` and `afterAll(stop)` in the calling describe block and returns an object
 * whose every member is a getter over what `start` resolved to (so a test reads `f.s` in its body;
 * reading a member before `beforeAll` ran, as a destructuring at collection time would, throws).
 * `stop` runs only when `start` succeeded (a failed `start` cleans up after itself).
 */
export function suiteFixture<T extends object>(
  start: () => Promise<T>,
  stop: (started: T) => Promise<void>,
): T {
  let started: T | undefined;
  beforeAll(async () => {
    started = await start();
  });
  afterAll(async () => {
    if (started !== undefined) await stop(started);
  });
  return new Proxy({} as T, {
    get(_target, key) {
      if (started === undefined) {
        throw new Error(`the suite fixture's ${String(key)} was read before its beforeAll ran`);
      }
      return Reflect.get(started, key);
    },
    set(_target, key) {
      throw new Error(`the suite fixture's ${String(key)} is read-only`);
    },
  });
}
