/**
 * One suite's fixture, started once per describe block: `suiteFixture` registers the block's
 * `beforeAll` and `afterAll` and hands back an object whose members read what `beforeAll` started;
 * `serverSuiteFixture` does so for a fixture holding a test server, checked and closed in `afterAll`.
 */
import { afterAll, beforeAll } from 'vitest';
import type { TestServer } from './server.js';

/**
 * Registers `beforeAll(start)` and `afterAll(stop)` in the calling describe block and returns an object
 * whose every member is a getter over what `start` resolved to (so a test reads `f.s` in its body;
 * reading a member before `beforeAll` ran, as a destructuring at collection time would, throws); a
 * member set by a test (a browser signed in again) is set on what started, for the tests after it.
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
    set(_target, key, value) {
      if (started === undefined) {
        throw new Error(`the suite fixture's ${String(key)} was set before its beforeAll ran`);
      }
      return Reflect.set(started, key, value);
    },
  });
}

/**
 * `suiteFixture` for a fixture whose `s` is a test server: in `afterAll`, `checkLogs(s)` asserts what
 * the server's logs may not hold, and `s` is closed whether or not the check passed.
 */
export function serverSuiteFixture<T extends { s: TestServer }>(
  start: () => Promise<T>,
  checkLogs: (s: TestServer) => void = () => {},
): T {
  return suiteFixture(start, async ({ s }) => {
    try {
      checkLogs(s);
    } finally {
      await s.close();
    }
  });
}

/** Runs `setup` for the just started server `s`, closing `s` if `setup` fails; returns what it returned. */
export async function closingOnFailure<T>(s: TestServer, setup: () => Promise<T>): Promise<T> {
  try {
    return await setup();
  } catch (error) {
    await s.close();
    throw error;
  }
}
