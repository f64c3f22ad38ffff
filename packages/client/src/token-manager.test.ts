// Unit tests of TokenManager: caching, skew, single flight, scope sets, refresh grant, stores.

import { afterEach, describe, expect, it, vi } from 'vitest';
import { OAuthClient } from './client.js';
import { OAuthResponseError } from './errors.js';
import { MemoryStore } from './memory-store.js';
import { json, mockFetch, tokenBody } from './test-support/mock-fetch.js';
import { TokenManager } from './token-manager.js';
import type { StoredToken } from './token-store.js';

afterEach(() => {
  vi.useRealTimers();
});

function setup(handler?: Parameters<typeof mockFetch>[0]) {
  let n = 0;
  const mock = mockFetch(
    handler ??
      (({ form }) => {
        n += 1;
        return json(tokenBody({ access_token: `at-${n}`, scope: form.get('scope') ?? undefined }));
      }),
  );
  const client = new OAuthClient({
    clientId: 'app',
    clientSecret: 's',
    tokenEndpoint: 'https://as.example/token',
    fetch: mock.fetch,
  });
  return { client, calls: mock.calls };
}

describe('TokenManager (client credentials)', () => {
  it('caches a token until it nears expiry, then renews ahead of it', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const { client, calls } = setup();
    const manager = new TokenManager(client, { skewSeconds: 60 });
    expect(await manager.getAccessToken()).toBe('at-1');
    vi.advanceTimersByTime(3_500_000);
    expect(await manager.getAccessToken()).toBe('at-1');
    vi.advanceTimersByTime(50_000); // 60 s before expiry
    expect(await manager.getAccessToken()).toBe('at-2');
    expect(calls).toHaveLength(2);
  });

  it('caps the skew at half the lifetime so short tokens are still reused', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const { client, calls } = setup(() => json(tokenBody({ expires_in: 30 })));
    const manager = new TokenManager(client, { skewSeconds: 60 });
    await manager.getAccessToken();
    vi.advanceTimersByTime(10_000);
    await manager.getAccessToken();
    expect(calls).toHaveLength(1);
    vi.advanceTimersByTime(6_000);
    await manager.getAccessToken();
    expect(calls).toHaveLength(2);
  });

  it('shares one request among 50 concurrent callers', async () => {
    const { client, calls } = setup();
    const manager = new TokenManager(client);
    const tokens = await Promise.all(
      Array.from({ length: 50 }, () => manager.getAccessToken({ scope: 'a' })),
    );
    expect(new Set(tokens)).toEqual(new Set(['at-1']));
    expect(calls).toHaveLength(1);
  });

  it('caches per scope set, ignoring order and duplicates', async () => {
    const { client, calls } = setup();
    const manager = new TokenManager(client);
    const a = await manager.getAccessToken({ scope: 'read write' });
    const b = await manager.getAccessToken({ scope: ['write', 'read', 'read'] });
    const c = await manager.getAccessToken({ scope: 'read' });
    expect(a).toBe(b);
    expect(c).not.toBe(a);
    expect(calls.map((call) => call.form.get('scope'))).toEqual(['read write', 'read']);
    expect(manager.storeKey(['b', 'a'])).toBe('latchkey:app:cc:a b');
  });

  it('passes extra params (resource) and keeps tokens without expiry until rejected', async () => {
    const { client, calls } = setup(() => json({ access_token: `at-${Date.now()}-${Math.random()}` }));
    const manager = new TokenManager(client, { params: { resource: 'https://api' } });
    const first = await manager.getAccessToken();
    expect(await manager.getAccessToken()).toBe(first);
    expect(calls[0]!.form.get('resource')).toBe('https://api');
    const second = await manager.getAccessToken({ rejectedToken: first });
    expect(second).not.toBe(first);
    expect(await manager.getAccessToken({ rejectedToken: first })).toBe(second);
    expect(calls).toHaveLength(2);
  });

  it('lets a failure reach every waiting caller, then tries again', async () => {
    let fail = true;
    const { client } = setup(() => (fail ? json({ error: 'invalid_client' }, 401) : json(tokenBody())));
    const manager = new TokenManager(client);
    const results = await Promise.allSettled([manager.getAccessToken(), manager.getAccessToken()]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    fail = false;
    expect(await manager.getAccessToken()).toBe('at-1');
  });

  it('clear() forgets a token', async () => {
    const { client, calls } = setup();
    const manager = new TokenManager(client);
    await manager.getAccessToken({ scope: 'x' });
    await manager.clear({ scope: 'x' });
    await manager.getAccessToken({ scope: 'x' });
    expect(calls).toHaveLength(2);
  });

  it('uses the store lock and re-reads inside it', async () => {
    const { client, calls } = setup();
    const store = new MemoryStore();
    const locked: string[] = [];
    const shared = Object.assign(store, {
      async lock<T>(key: string, fn: () => Promise<T>) {
        locked.push(key);
        // Another process saved a fresh token while we waited for the lock.
        store.set(key, {
          accessToken: 'from-elsewhere',
          tokenType: 'Bearer',
          expiresIn: 3600,
          expiresAt: Date.now() + 3_600_000,
          scope: [],
        });
        return fn();
      },
    });
    const manager = new TokenManager(client, { store: shared });
    expect(await manager.getAccessToken()).toBe('from-elsewhere');
    expect(locked).toEqual(['latchkey:app:cc:']);
    expect(calls).toHaveLength(0);
  });

  it.each([
    [{ store: {} }, 'store'],
    [{ skewSeconds: -1 }, 'skewSeconds'],
    [{ grant: 'password' }, 'grant'],
    [{ key: '' }, 'key'],
  ])('rejects options %j with a TypeError naming %s', (options, name) => {
    const { client } = setup();
    expect(() => new TokenManager(client, options as never)).toThrow(name);
  });

  it('rejects a missing client and bad arguments', async () => {
    expect(() => new TokenManager({} as never)).toThrow(/client/);
    const manager = new TokenManager(setup().client);
    await expect(manager.getAccessToken({ scope: 3 as never })).rejects.toThrow(/scope/);
    await expect(manager.getAccessToken(null as never)).rejects.toThrow(/options/);
    await expect(manager.setTokens({} as never)).rejects.toThrow(/tokens/);
  });
});

describe('TokenManager (refresh token)', () => {
  function refreshServer() {
    let n = 1;
    return setup(({ form }) => {
      if (form.get('refresh_token') !== `rt-${n}`) return json({ error: 'invalid_grant' }, 400);
      n += 1;
      return json(tokenBody({ access_token: `at-${n}`, refresh_token: `rt-${n}` }));
    });
  }

  it('refreshes with the stored refresh token and saves the rotated one before returning', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const { client, calls } = refreshServer();
    const store = new MemoryStore();
    const order: string[] = [];
    const spy = {
      get: (k: string) => store.get(k),
      delete: (k: string) => store.delete(k),
      set: async (k: string, v: StoredToken) => {
        await new Promise((r) => setTimeout(r, 0));
        order.push(`saved ${v.refreshToken}`);
        store.set(k, v);
      },
    };
    vi.useRealTimers();
    const manager = new TokenManager(client, { store: spy, grant: 'refresh_token', key: 'user-7' });
    await manager.setTokens({
      accessToken: 'at-1',
      tokenType: 'Bearer',
      expiresIn: 3600,
      expiresAt: Date.now() - 1,
      refreshToken: 'rt-1',
      scope: ['read'],
      raw: {},
    });
    order.length = 0;
    const token = await manager.getAccessToken().then((t) => {
      order.push(`returned ${t}`);
      return t;
    });
    expect(token).toBe('at-2');
    expect(order).toEqual(['saved rt-2', 'returned at-2']);
    expect(store.get('latchkey:app:user:user-7')).toMatchObject({ refreshToken: 'rt-2', scope: ['read'] });
    expect(calls).toHaveLength(1);
  });

  it('shares one refresh among concurrent callers (no refresh token reuse)', async () => {
    const { client, calls } = refreshServer();
    const manager = new TokenManager(client, { grant: 'refresh_token' });
    await manager.setTokens({
      accessToken: 'at-1',
      tokenType: 'Bearer',
      expiresIn: 10,
      expiresAt: Date.now() - 1,
      refreshToken: 'rt-1',
      scope: [],
      raw: {},
    });
    const tokens = await Promise.all(Array.from({ length: 20 }, () => manager.getAccessToken()));
    expect(new Set(tokens)).toEqual(new Set(['at-2']));
    expect(calls).toHaveLength(1);
  });

  it('without a stored refresh token throws TypeError; invalid_grant forgets the dead token', async () => {
    const { client } = refreshServer();
    const manager = new TokenManager(client, { grant: 'refresh_token' });
    await expect(manager.getAccessToken()).rejects.toThrow(/setTokens/);
    await manager.setTokens({
      accessToken: 'at-x',
      tokenType: 'Bearer',
      expiresIn: 1,
      expiresAt: Date.now() - 1,
      refreshToken: 'stolen',
      scope: [],
      raw: {},
    });
    await expect(manager.getAccessToken()).rejects.toBeInstanceOf(OAuthResponseError);
    await expect(manager.getAccessToken()).rejects.toThrow(TypeError);
  });
});
