// The verified-token cache: LRU bound, deadline, and never serving a token past its exp.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { requireToken } from './require-token.js';
import { AuthServer } from './test-support/auth-server.js';
import { TokenCache } from './token-cache.js';

describe('TokenCache', () => {
  it('evicts the least recently used entry when full', () => {
    const cache = new TokenCache<number>(2, () => 0);
    cache.set('a', 1, 10);
    cache.set('b', 2, 10);
    expect(cache.get('a')).toBe(1); // a is now more recent than b
    cache.set('c', 3, 10);
    expect(cache.size).toBe(2);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBe(1);
    expect(cache.get('c')).toBe(3);
  });

  it('never returns an entry at or past its deadline, and refuses past deadlines', () => {
    let now = 0;
    const cache = new TokenCache<string>(10, () => now);
    cache.set('t', 'v', 1000);
    now = 999;
    expect(cache.get('t')).toBe('v');
    now = 1000;
    expect(cache.get('t')).toBeUndefined();
    cache.set('late', 'v', 1000);
    expect(cache.size).toBe(0);
  });
});

describe('requireToken cache', () => {
  let as: AuthServer;
  beforeAll(async () => {
    as = await AuthServer.start();
  });
  afterAll(async () => {
    await as.close();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  const header = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });

  it('serves the same token from the cache, but never past exp', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() });
    const guard = requireToken({ issuer: as.issuer, audience: 'https://api.test', leewaySeconds: 0 });
    const now = Math.floor(Date.now() / 1000);
    const token = await as.mint({ exp: now + 60 });
    expect((await guard.verifyRequest(header(token))).ok).toBe(true);
    // Cached: answered synchronously, no promise.
    const hit = guard.check(header(token));
    expect(hit instanceof Promise).toBe(false);
    vi.setSystemTime((now + 59) * 1000);
    expect(guard.check(header(token))).toMatchObject({ ok: true });
    vi.setSystemTime((now + 60) * 1000);
    const after = guard.check(header(token));
    expect(after instanceof Promise).toBe(true); // cache miss: verified again
    expect(await after).toMatchObject({
      ok: false,
      failure: { status: 401, description: 'the token has expired' },
    });
  });

  it('within leeway after exp: verified again each time (accepted), not cached', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() });
    const guard = requireToken({ issuer: as.issuer, audience: 'https://api.test', leewaySeconds: 30 });
    const now = Math.floor(Date.now() / 1000);
    const token = await as.mint({ exp: now + 60 });
    expect((await guard.verifyRequest(header(token))).ok).toBe(true);
    vi.setSystemTime((now + 70) * 1000);
    const first = guard.check(header(token));
    expect(first instanceof Promise).toBe(true);
    expect((await first).ok).toBe(true);
    expect(guard.check(header(token)) instanceof Promise).toBe(true);
    vi.setSystemTime((now + 91) * 1000);
    expect((await guard.check(header(token))).ok).toBe(false);
  });

  it('honours maxAgeSeconds below exp and cache: false', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() });
    const token = await as.mint();
    const capped = requireToken({
      issuer: as.issuer,
      audience: 'https://api.test',
      cache: { maxAgeSeconds: 5 },
    });
    await capped.verifyRequest(header(token));
    expect(capped.check(header(token)) instanceof Promise).toBe(false);
    vi.setSystemTime(Date.now() + 5000);
    expect(capped.check(header(token)) instanceof Promise).toBe(true);
    const off = requireToken({ issuer: as.issuer, audience: 'https://api.test', cache: false });
    await off.verifyRequest(header(token));
    expect(off.check(header(token)) instanceof Promise).toBe(true);
  });

  it('a cached token is still refused by a guard needing more scopes', async () => {
    const reader = requireToken({ issuer: as.issuer, audience: 'https://api.test', scopes: ['data:read'] });
    const writer = reader.withScopes(['data:write']);
    const token = await as.mint({ scope: 'data:read' });
    expect((await reader.verifyRequest(header(token))).ok).toBe(true);
    const refused = writer.check(header(token));
    expect(refused instanceof Promise).toBe(false); // shared cache
    expect(refused).toMatchObject({ ok: false, failure: { status: 403, error: 'insufficient_scope' } });
  });
});
