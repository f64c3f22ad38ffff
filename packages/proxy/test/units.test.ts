/** Unit tests: option validation, scope parsing, CORS decisions, cache timing. */
import { describe, expect, it, vi } from 'vitest';
import { decideCors } from '../src/cors.js';
import { createTokenProxy } from '../src/index.js';
import { parseScopeRequest } from '../src/scope-request.js';
import { TokenCache, toCacheEntry } from '../src/token-cache.js';
import type { UpstreamToken } from '../src/upstream-token.js';

const base = {
  tokenEndpoint: 'http://127.0.0.1:9/token',
  clientId: 'id',
  clientSecret: 'secret',
  allowedScopes: ['data:read', 'data:write'],
  logger: false as const,
};

describe('options', () => {
  it.each([
    [{ clientId: '' }, /clientId/],
    [{ clientSecret: undefined }, /clientSecret/],
    [{ tokenEndpoint: undefined }, /issuer or tokenEndpoint/],
    [{ tokenEndpoint: 'ftp://x/token' }, /tokenEndpoint/],
    [{ allowedScopes: [] }, /allowedScopes/],
    [{ allowedScopes: ['ok', 'bad"scope'] }, /allowedScopes/],
    [{ defaultScope: 'data:admin' }, /defaultScope "data:admin"/],
    [{ allowedOrigins: ['*'] }, /allowedOrigins/],
    [{ allowedOrigins: ['https://a.example/path'] }, /allowedOrigins/],
    [{ retries: -1 }, /retries/],
    [{ timeoutMs: 0 }, /timeoutMs/],
    [{ path: 'token' }, /path/],
    [{ authorize: 'yes' }, /authorize/],
  ])('%o is refused with a TypeError naming the option', (override, message) => {
    expect(() => createTokenProxy({ ...base, ...(override as object) })).toThrow(message);
    expect(() => createTokenProxy({ ...base, ...(override as object) })).toThrow(TypeError);
  });

  it('accepts a provider preset instead of an endpoint', () => {
    const proxy = createTokenProxy({
      ...base,
      tokenEndpoint: undefined,
      provider: { tokenEndpoint: 'https://developer.api.autodesk.com/authentication/v2/token' },
    });
    expect(proxy.path).toBe('/token');
    expect(typeof proxy.handler).toBe('function');
    expect(typeof proxy.express).toBe('function');
    expect(typeof proxy.fastify).toBe('function');
  });
});

describe('parseScopeRequest', () => {
  const allowed = new Set(['data:read', 'data:write', 'a']);
  it('normalises: sorted, deduplicated', () => {
    expect(parseScopeRequest('scope=data:write+data:read+data:write', allowed, undefined)).toEqual({
      ok: true,
      scope: ['data:read', 'data:write'],
      key: 'data:read data:write',
    });
    expect(parseScopeRequest('scope=data%3Aread%20a', allowed, undefined)).toMatchObject({
      key: 'a data:read',
    });
  });
  it('uses the default scope when absent or empty', () => {
    expect(parseScopeRequest('', allowed, ['data:read'])).toMatchObject({ ok: true, key: 'data:read' });
    expect(parseScopeRequest('scope=', allowed, ['data:read'])).toMatchObject({ ok: true, key: 'data:read' });
    expect(parseScopeRequest('', allowed, undefined)).toMatchObject({ ok: false, error: 'invalid_request' });
  });
  it('refuses scopes outside the allow-list, repeated parameters and huge queries', () => {
    expect(parseScopeRequest('scope=data:read+data:admin', allowed, undefined)).toMatchObject({
      ok: false,
      error: 'invalid_scope',
    });
    expect(parseScopeRequest('scope=a&scope=data:read', allowed, undefined)).toMatchObject({
      error: 'invalid_request',
    });
    expect(parseScopeRequest(`scope=${'a'.repeat(5000)}`, allowed, undefined)).toMatchObject({
      error: 'invalid_request',
    });
    expect(parseScopeRequest('scope[]=a', allowed, undefined)).toMatchObject({ ok: false });
  });
});

describe('decideCors', () => {
  const origins = new Set(['https://app.example']);
  it('allowed origin: ACAO echo + Vary', () => {
    expect(decideCors({ origin: 'https://app.example' }, origins, false)).toEqual({
      allowed: true,
      headers: { vary: 'Origin', 'access-control-allow-origin': 'https://app.example' },
    });
  });
  it('other origins and null: refused, no CORS headers', () => {
    for (const origin of ['https://evil.example', 'null', 'https://app.example.evil', 'http://app.example']) {
      const decision = decideCors({ origin }, origins, true);
      expect(decision.allowed).toBe(false);
      expect(Object.keys(decision.headers).filter((h) => h.startsWith('access-control'))).toEqual([]);
    }
  });
  it('no Origin header: allowed without CORS headers', () => {
    expect(decideCors({}, origins, false)).toEqual({ allowed: true, headers: { vary: 'Origin' } });
  });
});

describe('TokenCache', () => {
  const token = (receivedAt: number, lifetimeS: number, value = 't'): UpstreamToken => ({
    accessToken: value,
    tokenType: 'Bearer',
    receivedAt,
    expiresAt: receivedAt + lifetimeS * 1000,
  });
  it('stale at exp - skew, refresh from exp - 2 skew, skew at most a third of the lifetime', () => {
    expect(toCacheEntry(token(0, 3600), 60_000)).toMatchObject({ staleAt: 3_540_000, refreshAt: 3_480_000 });
    expect(toCacheEntry(token(0, 30), 60_000)).toMatchObject({ staleAt: 20_000, refreshAt: 10_000 });
  });
  it('concurrent gets share one fetch; a failure is shared and the next get retries', async () => {
    let calls = 0;
    let fail = true;
    // Every fetch waits for the test to open the gate, so all 50 gets overlap the one in flight.
    let openGate: () => void = () => undefined;
    let gate = new Promise<void>((resolve) => {
      openGate = resolve;
    });
    const cache = new TokenCache(async () => {
      calls++;
      await gate;
      if (fail) throw new Error('down');
      return token(Date.now(), 3600, `t${calls}`);
    }, 60);
    const failing = Promise.allSettled(Array.from({ length: 50 }, () => cache.get('k', ['k'])));
    openGate();
    const failed = await failing;
    expect(failed.every((r) => r.status === 'rejected')).toBe(true);
    expect(calls).toBe(1);
    fail = false;
    gate = new Promise<void>((resolve) => {
      openGate = resolve;
    });
    const pending = Promise.all(Array.from({ length: 50 }, () => cache.get('k', ['k'])));
    openGate();
    const results = await pending;
    expect(new Set(results.map((r) => r.token.accessToken))).toEqual(new Set(['t2']));
    expect(calls).toBe(2);
    expect(cache.get('k', ['k'])).not.toBeInstanceOf(Promise);
  });
  it('inside the refresh window: serves the current token and refreshes once in the background', async () => {
    let calls = 0;
    const cache = new TokenCache(async () => token(Date.now(), 3600, `t${++calls}`), 60);
    const first = await cache.get('k', ['k']);
    const inWindow = first.refreshAt + 1;
    const a = cache.get('k', ['k'], inWindow);
    const b = cache.get('k', ['k'], inWindow);
    expect(a).toBe(first);
    expect(b).toBe(first);
    await vi.waitFor(() =>
      expect((cache.get('k', ['k']) as { token: UpstreamToken }).token.accessToken).toBe('t2'),
    );
    expect(calls).toBe(2);
  });
  it('past staleAt: callers wait for a new token', async () => {
    let calls = 0;
    const cache = new TokenCache(async () => token(Date.now(), 3600, `t${++calls}`), 60);
    const first = await cache.get('k', ['k']);
    const later = cache.get('k', ['k'], first.staleAt);
    expect(later).toBeInstanceOf(Promise);
    expect((await later).token.accessToken).toBe('t2');
  });
});
