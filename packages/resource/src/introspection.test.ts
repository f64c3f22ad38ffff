// Introspection mode (RFC 7662) against a stub introspection server: active, inactive, revocation, outages.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { requireToken } from './require-token.js';
import { call, startApi } from './test-support/api-server.js';
import { AuthServer } from './test-support/auth-server.js';

const AUDIENCE = 'https://api.test';
let as: AuthServer;
let api: Awaited<ReturnType<typeof startApi>>;

beforeAll(async () => {
  as = await AuthServer.start();
});
afterAll(async () => {
  await as.close();
});
beforeEach(async () => {
  as.requests.length = 0;
  as.introspection.clear();
  api = await startApi(
    requireToken({
      issuer: as.issuer,
      audience: AUDIENCE,
      scopes: ['data:read'],
      mode: 'introspect',
      introspection: { clientId: as.clientId, clientSecret: as.clientSecret },
    }),
  );
});
afterEach(async () => {
  vi.useRealTimers();
  await api.stop();
});

const active = (extra: Record<string, unknown> = {}) => ({
  active: true,
  scope: 'data:read',
  sub: 'user-7',
  client_id: 'app-1',
  token_type: 'Bearer',
  iss: as.issuer,
  aud: AUDIENCE,
  exp: Math.floor(Date.now() / 1000) + 300,
  ...extra,
});

describe('introspection mode', () => {
  it('active token → 200; the endpoint is discovered and called with Basic client auth', async () => {
    as.introspection.set('opaque-1', active());
    const answer = await call(api.url, 'Bearer opaque-1');
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual({ sub: 'user-7', scopes: ['data:read'] });
    expect(as.requests).toEqual(['/.well-known/oauth-authorization-server', '/introspect']);
  });

  it('active: false → 401 invalid_token', async () => {
    as.introspection.set('opaque-2', { active: false });
    const answer = await call(api.url, 'Bearer opaque-2');
    expect(answer.status).toBe(401);
    expect(answer.headers.get('www-authenticate')).toBe(
      `Bearer realm="${AUDIENCE}", error="invalid_token", error_description="the token is not active"`,
    );
    expect(answer.text).not.toContain('opaque-2');
    expect((await call(api.url, 'Bearer never-issued')).status).toBe(401);
  });

  it('revocation is seen at once: every request asks the endpoint', async () => {
    as.introspection.set('opaque-3', active());
    expect((await call(api.url, 'Bearer opaque-3')).status).toBe(200);
    expect((await call(api.url, 'Bearer opaque-3')).status).toBe(200);
    as.introspection.set('opaque-3', { active: false }); // revoked
    expect((await call(api.url, 'Bearer opaque-3')).status).toBe(401);
    expect(as.count('/introspect')).toBe(3);
  });

  it('a JWT access token is introspected too (no local shortcut)', async () => {
    const jwt = await as.mint();
    as.introspection.set(jwt, active());
    expect((await call(api.url, `Bearer ${jwt}`)).status).toBe(200);
    as.introspection.set(jwt, { active: false });
    expect((await call(api.url, `Bearer ${jwt}`)).status).toBe(401);
  });

  it('active but for another audience, issuer, expired, or a refresh token → 401 invalid_token', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ aud: 'https://other.test' }, 'the token is not meant for this resource'],
      [{ iss: 'https://evil.example' }, 'the token was not issued by the expected issuer'],
      [{ exp: Math.floor(Date.now() / 1000) - 60 }, 'the token has expired'],
      [{ token_type: 'refresh_token' }, 'the token is not an access token'],
    ];
    for (const [extra, description] of cases) {
      as.introspection.set('t', active(extra));
      const answer = await call(api.url, 'Bearer t');
      expect(answer.status).toBe(401);
      expect(answer.json).toEqual({ error: 'invalid_token', error_description: description });
    }
  });

  it('lacking scope → 403 insufficient_scope', async () => {
    as.introspection.set('t', active({ scope: 'profile' }));
    const answer = await call(api.url, 'Bearer t');
    expect(answer.status).toBe(403);
    expect(answer.headers.get('www-authenticate')).toContain('scope="data:read"');
  });

  it('endpoint down, 5xx or rejecting our client credentials → 503 temporarily_unavailable', async () => {
    as.introspection.set('t', active());
    as.failWith = 500;
    try {
      const answer = await call(api.url, 'Bearer t');
      expect(answer.status).toBe(503);
      expect(answer.json['error']).toBe('temporarily_unavailable');
    } finally {
      as.failWith = undefined;
    }
    const wrongSecret = requireToken({
      issuer: as.issuer,
      audience: AUDIENCE,
      mode: 'introspect',
      introspection: { endpoint: as.introspectionEndpoint, clientId: as.clientId, clientSecret: 'wrong' },
    });
    const result = await wrongSecret.verifyRequest({ headers: { authorization: 'Bearer t' } });
    expect(result).toMatchObject({ ok: false, failure: { status: 503 } });
    const unreachable = requireToken({
      issuer: as.issuer,
      audience: AUDIENCE,
      mode: 'introspect',
      timeoutMs: 500,
      introspection: { endpoint: 'http://127.0.0.1:1/introspect', clientId: 'a', clientSecret: 'b' },
    });
    expect(await unreachable.verifyRequest({ headers: { authorization: 'Bearer t' } })).toMatchObject({
      ok: false,
      failure: { status: 503 },
    });
  });

  it('opt-in positive cache (cacheSeconds) is bounded: revocation seen once it lapses', async () => {
    // The test moves the clock (Date only) instead of sleeping: no race with the 0.3 s window.
    vi.useFakeTimers({ toFake: ['Date'] });
    const cached = requireToken({
      issuer: as.issuer,
      audience: AUDIENCE,
      mode: 'introspect',
      introspection: {
        endpoint: as.introspectionEndpoint,
        clientId: as.clientId,
        clientSecret: as.clientSecret,
        cacheSeconds: 0.3,
      },
    });
    const request = { headers: { authorization: 'Bearer c' } };
    as.introspection.set('c', active());
    expect((await cached.verifyRequest(request)).ok).toBe(true);
    as.introspection.set('c', { active: false });
    expect((await cached.verifyRequest(request)).ok).toBe(true); // within the documented window
    expect(as.count('/introspect')).toBe(1);
    vi.setSystemTime(Date.now() + 350);
    expect((await cached.verifyRequest(request)).ok).toBe(false);
    expect(as.count('/introspect')).toBe(2);
    // inactive answers are never cached
    expect((await cached.verifyRequest(request)).ok).toBe(false);
    expect(as.count('/introspect')).toBe(3);
  });
});
