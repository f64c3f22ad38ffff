// A stale JWKS with the authorization server hanging or failing: requests are served with the last good
// keys while one background refetch at a time backs off; only an unknown kid waits, once per cooldown.
// The clock is moved (Date only); the hanging fetches are promises the test answers only at the end, so a
// request that awaited one would never finish.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { RequireTokenOptions } from './options.js';
import { requireToken } from './require-token.js';
import { AuthServer, makeKey, type SigningKey } from './test-support/auth-server.js';
import { ControlledFetch } from './test-support/controlled-fetch.js';
import type { TokenGuard } from './token-guard.js';

const AUDIENCE = 'https://api.test';
const MAX_AGE_MS = 600_000; // jwksMaxAgeSeconds default
const COOLDOWN_MS = 30_000; // jwksCooldownSeconds default
const NO_KEY = 'no key of the authorization server matches the token';

let as: AuthServer;
let fetches: ControlledFetch[] = [];

beforeAll(async () => {
  as = await AuthServer.start();
});
afterAll(async () => {
  await as.close();
});
beforeEach(() => {
  as.published = [as.defaultKey.publicJwk];
  vi.useFakeTimers({ toFake: ['Date'], now: Date.now() });
});
afterEach(async () => {
  vi.useRealTimers();
  for (const controlled of fetches) controlled.release();
  await vi.waitFor(() => expect(fetches.every((controlled) => controlled.pending === 0)).toBe(true));
  fetches = [];
});

function setup(options: Partial<RequireTokenOptions> = {}): {
  controlled: ControlledFetch;
  guard: TokenGuard;
} {
  const controlled = new ControlledFetch();
  fetches.push(controlled);
  const guard = requireToken({
    issuer: as.issuer,
    jwksUri: as.jwksUri,
    audience: AUDIENCE,
    cache: false, // every request verifies its token against the JWKS
    fetch: controlled.fetch,
    ...options,
  });
  return { controlled, guard };
}

/** Verifies a freshly minted token (signed with `key`) and returns the status the API would answer. */
async function statusOf(guard: TokenGuard, key?: SigningKey): Promise<number> {
  const token = await as.mint({}, key === undefined ? {} : { key });
  const result = await guard.verifyRequest({ headers: { authorization: `Bearer ${token}` } });
  if (result.ok) return 200;
  if (result.failure.status === 401) expect(result.failure.description).toBe(NO_KEY);
  return result.failure.status;
}

const advance = (ms: number) => vi.setSystemTime(Date.now() + ms);
/** Lets every settled fetch be processed (its answer is in memory: microtasks only). */
const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('stale JWKS, authorization server hanging', () => {
  it('requests with a known kid are answered at once with the old keys; exactly one background fetch', async () => {
    const { controlled, guard } = setup();
    expect(await statusOf(guard)).toBe(200);
    expect(controlled.calls).toHaveLength(1);

    controlled.mode = 'hang'; // answered only by release() in afterEach
    advance(MAX_AGE_MS + 1000);
    const burst = await Promise.all(Array.from({ length: 20 }, () => statusOf(guard)));
    expect(burst).toEqual(Array(20).fill(200));
    for (let i = 0; i < 5; i++) expect(await statusOf(guard)).toBe(200);
    // Long past the max age, the server still down: still served, still the one fetch.
    advance(24 * 3600_000);
    for (let i = 0; i < 5; i++) expect(await statusOf(guard)).toBe(200);

    expect(controlled.calls).toEqual([as.jwksUri, as.jwksUri]);
    expect(controlled.pending).toBe(1);
  });

  it('an unknown kid waits for one fetch (ended by the timeout); within the cooldown the next are 401 at once, no fetch', async () => {
    const { controlled, guard } = setup({ timeoutMs: 100 });
    expect(await statusOf(guard)).toBe(200);
    advance(MAX_AGE_MS + 1000);

    controlled.mode = 'hang-until-timeout';
    expect(await statusOf(guard, await makeKey('ES256', 'rogue-0'))).toBe(401);
    expect(controlled.calls).toHaveLength(2);
    // The wait ended because the fetch's own timeout fired, not after anything longer.
    const signal = controlled.signals[1]!;
    expect(signal.aborted).toBe(true);
    expect((signal.reason as Error).name).toBe('TimeoutError');

    // From now on a fetch is never answered: a request waiting for one would never finish.
    controlled.mode = 'hang';
    const rogues = await Promise.all(
      Array.from({ length: 10 }, (_, i) => makeKey('ES256', `rogue-${i + 1}`)),
    );
    expect(await Promise.all(rogues.map((key) => statusOf(guard, key)))).toEqual(Array(10).fill(401));
    expect(await statusOf(guard)).toBe(200); // a known kid is still served
    advance(COOLDOWN_MS - 1000);
    expect(await statusOf(guard, rogues[0])).toBe(401);
    expect(await statusOf(guard)).toBe(200);
    expect(controlled.calls).toHaveLength(2);
    expect(controlled.pending).toBe(0);

    // After the cooldown an unknown kid may wait for one fetch again.
    advance(2000);
    controlled.mode = 'hang-until-timeout';
    expect(await statusOf(guard, rogues[1])).toBe(401);
    expect(await statusOf(guard, rogues[2])).toBe(401);
    expect(controlled.calls).toHaveLength(3);
  });

  it('recovery: when the hanging fetch is answered, the rotated-in key verifies with no further fetch', async () => {
    const { controlled, guard } = setup();
    expect(await statusOf(guard)).toBe(200);
    advance(MAX_AGE_MS + 1000);
    controlled.mode = 'hang';
    expect(await statusOf(guard)).toBe(200);
    expect(controlled.pending).toBe(1);

    const next = await makeKey('ES256', 'k2');
    as.published = [as.defaultKey.publicJwk, next.publicJwk];
    const waiting = statusOf(guard, next); // unknown kid: waits for the fetch in flight, starts none
    expect(await statusOf(guard)).toBe(200);
    controlled.mode = 'pass';
    controlled.release(); // the server answers again
    expect(await waiting).toBe(200);
    expect(await statusOf(guard, next)).toBe(200);
    expect(await statusOf(guard)).toBe(200);
    expect(controlled.calls).toHaveLength(2);
  });
});

describe('stale JWKS, authorization server answering 500', () => {
  it('background refetches back off (30 s, doubling, capped at 300 s) while every request succeeds; then recovery', async () => {
    const { controlled, guard } = setup();
    const start = Date.now();
    const at: number[] = [];
    const record = () => {
      while (at.length < controlled.calls.length) at.push(Math.round((Date.now() - start) / 1000));
    };
    expect(await statusOf(guard)).toBe(200);
    record();

    controlled.mode = 500;
    advance(MAX_AGE_MS + 1000); // stale from t = 601 s
    for (let t = 601; t <= 1701; t += 10) {
      vi.setSystemTime(start + t * 1000);
      expect(await statusOf(guard)).toBe(200);
      await flush();
      record();
    }
    // Failure n waits min(30 s × 2^(n−1), 300 s) before the next try.
    expect(at).toEqual([0, 601, 631, 691, 811, 1051, 1351, 1651]);

    // The server answers again, with a new key: picked up at the next scheduled try.
    const next = await makeKey('ES256', 'k2');
    as.published = [as.defaultKey.publicJwk, next.publicJwk];
    controlled.mode = 'pass';
    vi.setSystemTime(start + 1941 * 1000);
    expect(await statusOf(guard)).toBe(200);
    await flush();
    record();
    expect(at).toHaveLength(8);
    vi.setSystemTime(start + 1951 * 1000);
    expect(await statusOf(guard)).toBe(200);
    await vi.waitFor(() => expect(controlled.pending).toBe(0));
    await flush();
    record();
    expect(at).toEqual([0, 601, 631, 691, 811, 1051, 1351, 1651, 1951]);
    expect(await statusOf(guard, next)).toBe(200);
    expect(controlled.calls).toHaveLength(9);
  });

  it('jwksMaxBackoffSeconds caps the backoff', async () => {
    const { controlled, guard } = setup({ jwksMaxBackoffSeconds: 60 });
    const start = Date.now();
    expect(await statusOf(guard)).toBe(200);
    controlled.mode = 503;
    const at: number[] = [];
    for (let t = 601; t <= 901; t += 10) {
      vi.setSystemTime(start + t * 1000);
      expect(await statusOf(guard)).toBe(200);
      await flush();
      while (at.length < controlled.calls.length - 1) at.push(t);
    }
    expect(at).toEqual([601, 631, 691, 751, 811, 871]);
  });
});
