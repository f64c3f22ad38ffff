// JWT verification (RFC 8725, RFC 9068 §4) attacked through requireToken in JWT mode, over real HTTP.
import { createServer } from 'node:http';
import { base64url, SignJWT } from 'jose';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { requireToken } from './require-token.js';
import { call, startApi } from './test-support/api-server.js';
import { AuthServer, close, listen, makeKey } from './test-support/auth-server.js';
import type { TokenGuard } from './token-guard.js';

const AUDIENCE = 'https://api.test';
const METADATA = 'https://api.test/.well-known/oauth-protected-resource';
const INVALID = (description: string) =>
  `Bearer realm="${AUDIENCE}", error="invalid_token", error_description="${description}", resource_metadata="${METADATA}"`;

let as: AuthServer;
let api: Awaited<ReturnType<typeof startApi>>;
let guard: TokenGuard;

beforeAll(async () => {
  as = await AuthServer.start();
});
afterAll(async () => {
  await as.close();
});
beforeEach(async () => {
  as.requests.length = 0;
  as.published = [as.defaultKey.publicJwk];
  guard = requireToken({ issuer: as.issuer, audience: AUDIENCE, resourceMetadataUrl: METADATA });
  api = await startApi(guard);
});
afterEach(async () => {
  vi.useRealTimers();
  await api.stop();
});

/** Expects a 401 invalid_token with the exact challenge, no-store, and the token never echoed. */
async function expectInvalid(token: string, description: string): Promise<void> {
  const answer = await call(api.url, `Bearer ${token}`);
  expect(answer.status).toBe(401);
  expect(answer.headers.get('www-authenticate')).toBe(INVALID(description));
  expect(answer.headers.get('cache-control')).toBe('no-store');
  expect(answer.json).toEqual({ error: 'invalid_token', error_description: description });
  expect(answer.text).not.toContain(token);
  expect(answer.headers.get('www-authenticate')).not.toContain(token);
}

function unsigned(header: Record<string, unknown>, payload: Record<string, unknown>): string {
  const encode = (value: unknown) => base64url.encode(JSON.stringify(value));
  return `${encode(header)}.${encode(payload)}.`;
}

describe('JWT mode: the happy path', () => {
  it('accepts a valid token, discovering jwks_uri through RFC 8414 metadata', async () => {
    const answer = await call(api.url, `Bearer ${await as.mint()}`);
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual({ sub: 'user-1', scopes: ['data:read'] });
    expect(as.requests).toEqual(['/.well-known/oauth-authorization-server', '/jwks']);
  });

  it('accepts typ application/at+jwt (RFC 9068 §4)', async () => {
    expect((await call(api.url, `Bearer ${await as.mint({}, { typ: 'application/at+jwt' })}`)).status).toBe(
      200,
    );
  });

  it('accepts EdDSA and RS256 tokens (default allow-list)', async () => {
    const ed = await makeKey('EdDSA', 'ed1');
    const rs = await makeKey('RS256', 'rs1');
    as.published = [as.defaultKey.publicJwk, ed.publicJwk, rs.publicJwk];
    expect((await call(api.url, `Bearer ${await as.mint({}, { key: ed })}`)).status).toBe(200);
    expect((await call(api.url, `Bearer ${await as.mint({}, { key: rs })}`)).status).toBe(200);
  });

  it('verifies a token without kid when several keys fit (rotation publishes the next key early)', async () => {
    const next = await makeKey('ES256', 'k2');
    as.published = [next.publicJwk, as.defaultKey.publicJwk];
    const token = await as.mint({}, { header: { kid: undefined } });
    expect(JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString())).not.toHaveProperty('kid');
    expect((await call(api.url, `Bearer ${token}`)).status).toBe(200);
  });
});

describe('JWT mode: attacks (RFC 8725)', () => {
  it('alg none → 401 invalid_token, and no JWKS request', async () => {
    const now = Math.floor(Date.now() / 1000);
    const token = unsigned(
      { alg: 'none', typ: 'at+jwt', kid: 'k1' },
      { iss: as.issuer, aud: AUDIENCE, sub: 'attacker', scope: 'data:read', exp: now + 300 },
    );
    await expectInvalid(token, 'the algorithm is not allowed');
    expect(as.count('/jwks')).toBe(0);
  });

  it('HS256 signed with the public key (PEM and JWK bytes) → 401 invalid_token', async () => {
    const { createPublicKey } = await import('node:crypto');
    const pem = createPublicKey({ key: as.defaultKey.publicJwk as never, format: 'jwk' })
      .export({ type: 'spki', format: 'pem' })
      .toString();
    for (const secret of [pem, JSON.stringify(as.defaultKey.publicJwk)]) {
      const now = Math.floor(Date.now() / 1000);
      const token = await new SignJWT({ iss: as.issuer, aud: AUDIENCE, sub: 'attacker', exp: now + 300 })
        .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt', kid: 'k1' })
        .sign(new TextEncoder().encode(secret));
      await expectInvalid(token, 'the algorithm is not allowed');
    }
    expect(as.count('/jwks')).toBe(0);
  });

  it('alg not on the allow-list (ES384 key really published) → 401 invalid_token', async () => {
    const es384 = await makeKey('ES384', 'k384');
    as.published = [as.defaultKey.publicJwk, es384.publicJwk];
    await expectInvalid(await as.mint({}, { key: es384 }), 'the algorithm is not allowed');
  });

  it('an allow-list narrowed to ES256 refuses a valid EdDSA token', async () => {
    const ed = await makeKey('EdDSA', 'ed1');
    as.published = [as.defaultKey.publicJwk, ed.publicJwk];
    const es256Only = requireToken({
      issuer: as.issuer,
      audience: AUDIENCE,
      algorithms: ['ES256'],
      resourceMetadataUrl: METADATA,
    });
    const other = await startApi(es256Only);
    try {
      const answer = await call(other.url, `Bearer ${await as.mint({}, { key: ed })}`);
      expect(answer.status).toBe(401);
      expect(answer.headers.get('www-authenticate')).toBe(INVALID('the algorithm is not allowed'));
    } finally {
      await other.stop();
    }
  });

  it('typ other than at+jwt (JWT, missing, id_token-like) → 401 invalid_token', async () => {
    await expectInvalid(await as.mint({}, { typ: 'JWT' }), 'the token type is not at+jwt');
    await expectInvalid(await as.mint({}, { typ: null }), 'the token type is not at+jwt');
    await expectInvalid(await as.mint({}, { typ: 'application/jwt' }), 'the token type is not at+jwt');
  });

  it('wrong iss → 401 invalid_token', async () => {
    await expectInvalid(
      await as.mint({ iss: 'https://evil.example' }),
      'the token was not issued by the expected issuer',
    );
  });

  it('wrong or missing aud → 401 invalid_token', async () => {
    await expectInvalid(
      await as.mint({ aud: 'https://other-api.test' }),
      'the token is not meant for this resource',
    );
    await expectInvalid(await as.mint({ aud: undefined }), 'the token is not meant for this resource');
  });

  it('exp past leeway (30 s) → 401 invalid_token; exp within leeway → accepted', async () => {
    const now = Math.floor(Date.now() / 1000);
    await expectInvalid(await as.mint({ exp: now - 31 }), 'the token has expired');
    expect((await call(api.url, `Bearer ${await as.mint({ exp: now - 10 })}`)).status).toBe(200);
  });

  it('no exp → 401 invalid_token', async () => {
    await expectInvalid(await as.mint({ exp: undefined }), 'the token has no valid expiry');
  });

  it('tampered payload → 401 invalid_token', async () => {
    const [h, , s] = (await as.mint()).split('.');
    const forged = base64url.encode(
      JSON.stringify({ iss: as.issuer, aud: AUDIENCE, scope: 'admin', exp: 9e9 }),
    );
    await expectInvalid(`${h}.${forged}.${s}`, 'the signature is invalid');
  });

  it('unknown kid → exactly one JWKS refetch, then reject; a second unknown kid right after: no refetch', async () => {
    expect((await call(api.url, `Bearer ${await as.mint()}`)).status).toBe(200);
    expect(as.count('/jwks')).toBe(1);
    const rogue = await makeKey('ES256', 'rogue-1');
    await expectInvalid(
      await as.mint({}, { key: rogue }),
      'no key of the authorization server matches the token',
    );
    expect(as.count('/jwks')).toBe(2);
    const rogue2 = await makeKey('ES256', 'rogue-2');
    await expectInvalid(
      await as.mint({}, { key: rogue2 }),
      'no key of the authorization server matches the token',
    );
    expect(as.count('/jwks')).toBe(2);
    // A burst of forged kids costs nothing more.
    const burst = await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        const key = await makeKey('ES256', `burst-${i}`);
        return (await call(api.url, `Bearer ${await as.mint({}, { key })}`)).status;
      }),
    );
    expect(burst.every((status) => status === 401)).toBe(true);
    expect(as.count('/jwks')).toBe(2);
  });

  it('unknown kid that the authorization server just rotated in → one refetch, accepted', async () => {
    expect((await call(api.url, `Bearer ${await as.mint()}`)).status).toBe(200);
    const next = await makeKey('ES256', 'k2');
    as.published = [as.defaultKey.publicJwk, next.publicJwk];
    expect((await call(api.url, `Bearer ${await as.mint({}, { key: next })}`)).status).toBe(200);
    expect(as.count('/jwks')).toBe(2);
  });

  it('after the cooldown an unknown kid may refetch again', async () => {
    // The test moves the clock (Date only) instead of sleeping: no race with the 0.2 s cooldown.
    vi.useFakeTimers({ toFake: ['Date'] });
    const quick = requireToken({ issuer: as.issuer, audience: AUDIENCE, jwksCooldownSeconds: 0.2 });
    const quickApi = await startApi(quick);
    try {
      const rogue = await makeKey('ES256', 'rogue');
      const token = await as.mint({}, { key: rogue });
      expect((await call(quickApi.url, `Bearer ${token}`)).status).toBe(401);
      expect((await call(quickApi.url, `Bearer ${token}`)).status).toBe(401);
      expect(as.count('/jwks')).toBe(2); // initial load + one refetch
      vi.setSystemTime(Date.now() + 250);
      expect((await call(quickApi.url, `Bearer ${token}`)).status).toBe(401);
      expect(as.count('/jwks')).toBe(3);
    } finally {
      await quickApi.stop();
    }
  });

  it('jku / x5u / jwk / x5c headers are never followed: attacker key embedded → rejected, attacker URL never hit', async () => {
    const attackerHits: string[] = [];
    const attacker = await makeKey('ES256', 'attacker');
    const attackerServer = createServer((req, res) => {
      attackerHits.push(req.url ?? '');
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ keys: [attacker.publicJwk] }));
    });
    const attackerUrl = await listen(attackerServer);
    try {
      const { kid: _kid, alg: _alg, use: _use, ...embedded } = attacker.publicJwk;
      const header = {
        jku: `${attackerUrl}/jwks`,
        x5u: `${attackerUrl}/cert.pem`,
        jwk: embedded,
        x5c: ['MIIBattackerCertificateChainIsNeverRead'],
      };
      // With the attacker's own kid: not in the JWKS → (one refetch of the real JWKS) → rejected.
      await expectInvalid(
        await as.mint({ sub: 'attacker' }, { key: attacker, header }),
        'no key of the authorization server matches the token',
      );
      // Claiming the real kid: the real key is used, the signature fails.
      await expectInvalid(
        await as.mint({ sub: 'attacker' }, { key: { ...attacker, kid: 'k1' }, header }),
        'the signature is invalid',
      );
      // Without kid: the real key is used, the signature fails.
      await expectInvalid(
        await as.mint({ sub: 'attacker' }, { key: attacker, header: { ...header, kid: undefined } }),
        'the signature is invalid',
      );
      expect(attackerHits).toEqual([]);
      expect(as.requests.every((path) => path !== '/cert.pem')).toBe(true);
    } finally {
      await close(attackerServer);
    }
  });

  it('token lacking the required scope → 403 insufficient_scope with scope=', async () => {
    const writer = await startApi(guard.withScopes(['data:read', 'data:write']));
    try {
      const token = await as.mint({ scope: 'data:read' });
      const answer = await call(writer.url, `Bearer ${token}`);
      expect(answer.status).toBe(403);
      expect(answer.headers.get('www-authenticate')).toBe(
        `Bearer realm="${AUDIENCE}", error="insufficient_scope", error_description="the token lacks a required scope (data:read data:write)", scope="data:read data:write", resource_metadata="${METADATA}"`,
      );
      expect(answer.headers.get('cache-control')).toBe('no-store');
      expect(answer.json).toEqual({
        error: 'insufficient_scope',
        error_description: 'the token lacks a required scope (data:read data:write)',
      });
      expect(answer.text).not.toContain(token);
      const both = await call(writer.url, `Bearer ${await as.mint({ scope: 'data:write data:read other' })}`);
      expect(both.status).toBe(200);
    } finally {
      await writer.stop();
    }
  });
});

describe('JWT mode: the authorization server unreachable', () => {
  it('metadata issuer mismatch → 503 temporarily_unavailable, no challenge', async () => {
    as.metadataIssuer = 'https://evil.example';
    try {
      const answer = await call(api.url, `Bearer ${await as.mint()}`);
      expect(answer.status).toBe(503);
      expect(answer.headers.get('www-authenticate')).toBeNull();
      expect(answer.json).toEqual({
        error: 'temporarily_unavailable',
        error_description: 'token verification is temporarily unavailable',
      });
      expect(as.count('/jwks')).toBe(0);
    } finally {
      as.metadataIssuer = undefined;
    }
  });

  it('JWKS down at first use → 503; once it is back → 200 (no restart)', async () => {
    as.failWith = 500;
    try {
      expect((await call(api.url, `Bearer ${await as.mint()}`)).status).toBe(503);
    } finally {
      as.failWith = undefined;
    }
    expect((await call(api.url, `Bearer ${await as.mint()}`)).status).toBe(200);
  });
});
