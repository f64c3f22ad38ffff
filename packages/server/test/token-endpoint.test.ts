/** The token endpoint (RFC 6749 §3.2, §5) under attack, with exact outcomes, on SQLite and PostgreSQL. */
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DUMMY_HASH, hashesEqual, sha256Hex } from '../src/tokens/random.js';
import { dialects, FORM, startTestServer, type TestServer } from './support/server.js';

// Every constant-time digest comparison the server makes is recorded (the real one still runs), so a
// test can see that an unknown client is compared against the dummy digest like a wrong secret is.
vi.mock('../src/tokens/random.js', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../src/tokens/random.js')>();
  return { ...actual, hashesEqual: vi.fn(actual.hashesEqual) };
});
const comparisons = vi.mocked(hashesEqual);

const GRANT = 'grant_type=client_credentials';

function expectNoStore(headers: Record<string, unknown>) {
  expect(headers['cache-control']).toBe('no-store');
  expect(headers['pragma']).toBe('no-cache');
  expect(String(headers['content-type'])).toMatch(/^application\/json/);
}

describe.each(dialects())('token endpoint, client credentials, on %s', (dialect) => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer(dialect, { LATCHKEY_AUTH_MAX_FAILURES: '1000' });
  });
  afterAll(async () => {
    // Nothing a client sent or received that is secret ever reaches the logs.
    expect(s.logs.text).not.toContain(s.credentials.clientSecret);
    expect(s.logs.text).not.toMatch(/eyJ[\w-]+\.eyJ/);
    await s?.close();
  });

  const token = (payload: string, headers: Record<string, string> = {}) =>
    s.app.inject({ method: 'POST', url: '/oauth/token', headers: { ...FORM, ...headers }, payload });

  it('issues an RFC 9068 JWT to client_secret_basic, with no refresh token', async () => {
    const res = await token(`${GRANT}&scope=data:read`, { authorization: s.basic() });
    expect(res.statusCode).toBe(200);
    expectNoStore(res.headers);
    const body = res.json();
    expect(Object.keys(body).sort()).toEqual(['access_token', 'expires_in', 'scope', 'token_type']);
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 3600, scope: 'data:read' });
    expect(decodeProtectedHeader(body.access_token)).toMatchObject({ alg: 'ES256', typ: 'at+jwt' });
    const jwks = createLocalJWKSet(JSON.parse(s.ctx.keys.jwksJson));
    const { payload } = await jwtVerify(body.access_token, jwks, {
      issuer: 'http://localhost:4000',
      audience: 'http://localhost:4000',
      typ: 'at+jwt',
    });
    expect(payload).toMatchObject({
      sub: s.credentials.clientId,
      client_id: s.credentials.clientId,
      scope: 'data:read',
    });
    expect((payload.exp ?? 0) - (payload.iat ?? 0)).toBe(3600);
    expect(payload.jti).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('signs a fresh token per request (distinct jti)', async () => {
    const a = (await token(GRANT, { authorization: s.basic() })).json().access_token;
    const b = (await token(GRANT, { authorization: s.basic() })).json().access_token;
    expect(a).not.toBe(b);
  });

  it('grants the app scopes when scope is omitted', async () => {
    const res = await token(GRANT, { authorization: s.basic() });
    expect(res.json().scope).toBe('data:read data:write');
  });

  it('accepts client_secret_post', async () => {
    const { clientId, clientSecret } = s.credentials;
    const res = await token(`${GRANT}&client_id=${clientId}&client_secret=${clientSecret}`);
    expect(res.statusCode).toBe(200);
  });

  it('accepts Basic credentials in both the form-urlencoded and the plain form (RFC 6749 §2.3.1)', async () => {
    const { clientId, clientSecret } = s.credentials;
    const plain = `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`;
    expect((await token(GRANT, { authorization: plain })).statusCode).toBe(200);
    expect((await token(GRANT, { authorization: s.basic() })).statusCode).toBe(200);
  });

  const badClients: [string, string, string][] = [
    ['wrong secret', 'own', 'not-the-secret'],
    ['unknown client', 'lk_unknown', 'whatever'],
    ['NUL in client_id', 'lk_\u0000x', 'whatever'],
    ['10 KB client_id', 'x'.repeat(10_240), 'whatever'],
    ['unicode client_id', 'клиент-🔑', 'whatever'],
    ['SQL injection', "' OR 1=1--", 'whatever'],
  ];
  it.each(badClients)(
    '%s: 401 invalid_client with a Basic challenge and one body',
    async (_name, id, secret) => {
      const res = await token(GRANT, {
        authorization: s.basic(id === 'own' ? s.credentials.clientId : id, secret),
      });
      expect(res.statusCode).toBe(401);
      expectNoStore(res.headers);
      expect(res.headers['www-authenticate']).toBe('Basic realm="latchkey", charset="UTF-8"');
      expect(res.json()).toEqual({
        error: 'invalid_client',
        error_description: 'client authentication failed',
      });
    },
  );

  it('the same bad clients sent with client_secret_post get the same 401', async () => {
    for (const [, id] of badClients) {
      const res = await token(`${GRANT}&client_id=${encodeURIComponent(id)}&client_secret=nope`);
      expect(res.statusCode).toBe(401);
      expect(res.json().error).toBe('invalid_client');
    }
  });

  it('an unknown client costs the same digest comparison as a wrong secret (against a dummy) and gets a byte-identical answer', async () => {
    const secret = 'guess';
    const own = await s.ctx.clients.findWithSecrets(s.credentials.clientId);
    expect(own?.secretHashes).toHaveLength(1);
    /** One refused request: its answer, and the digest comparisons the server made for it. */
    const refused = async (authorization: string, payload = GRANT) => {
      comparisons.mockClear();
      const res = await token(payload, authorization ? { authorization } : {});
      const made = [...comparisons.mock.calls];
      // The one header that may differ: a second can pass between two requests.
      const { date: _date, ...headers } = res.headers;
      return { answer: { status: res.statusCode, headers, body: res.body }, made };
    };
    const wrong = await refused(s.basic(s.credentials.clientId, secret));
    expect(wrong.answer.status).toBe(401);
    expect(wrong.made).toEqual([[sha256Hex(secret), own?.secretHashes[0]]]);
    for (const [name, id] of badClients.filter(([, id]) => id !== 'own')) {
      // Well-shaped IDs are looked up and not found; the others are never looked up: both compare.
      const basic = await refused(s.basic(id, secret));
      const post = await refused('', `${GRANT}&client_id=${encodeURIComponent(id)}&client_secret=${secret}`);
      for (const unknown of [basic, post]) {
        expect(unknown.made, name).toEqual([[sha256Hex(secret), DUMMY_HASH]]);
        expect(unknown.answer, name).toEqual(wrong.answer);
      }
    }
  });

  it('refuses credentials in the header and the body at once (400 invalid_request)', async () => {
    const res = await token(`${GRANT}&client_secret=${s.credentials.clientSecret}`, {
      authorization: s.basic(),
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toBe('invalid_request');
  });

  it('refuses a secret in the query string and never logs it', async () => {
    const secret = `query-secret-${Date.now()}`;
    const res = await s.app.inject({
      method: 'POST',
      url: `/oauth/token?client_secret=${secret}`,
      headers: { ...FORM, authorization: s.basic() },
      payload: GRANT,
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toBe('invalid_request');
    expect(s.logs.text).not.toContain(secret);
    expect(s.logs.text).toContain('"path":"/oauth/token"');
  });

  it('answers GET with 405, Allow: POST and a no-store JSON error', async () => {
    const res = await s.app.inject({ method: 'GET', url: '/oauth/token?client_secret=abc' });
    expect(res.statusCode).toBe(405);
    expect(res.headers['allow']).toBe('POST');
    expectNoStore(res.headers);
    expect(res.json().error).toBe('invalid_request');
    expect(s.logs.text).not.toContain('client_secret=abc');
  });

  it('unknown grant_type: 400 unsupported_grant_type; grant not enabled: 400 unauthorized_client', async () => {
    const unknown = await token('grant_type=urn:example:magic', { authorization: s.basic() });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().error).toBe('unsupported_grant_type');
    const notEnabled = await token('grant_type=authorization_code&code=x', { authorization: s.basic() });
    expect(notEnabled.statusCode).toBe(400);
    expect(notEnabled.json().error).toMatch(/^(unauthorized_client|unsupported_grant_type)$/);
  });

  it('missing grant_type: 400 invalid_request', async () => {
    const res = await token('scope=data:read', { authorization: s.basic() });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toBe('invalid_request');
  });

  it.each([
    ['duplicate parameter', `${GRANT}&scope=data:read&scope=data:write`, FORM],
    ['bad percent-encoding', `${GRANT}&scope=%ZZ`, FORM],
    [
      'JSON body',
      JSON.stringify({ grant_type: 'client_credentials' }),
      { 'content-type': 'application/json' },
    ],
    ['no content type', GRANT, {}],
    // Content types Fastify cannot parse (it answers them 415, a status the catalogue does not list).
    ['empty content type', GRANT, { 'content-type': '' }],
    ['content type without a subtype', GRANT, { 'content-type': 'text' }],
    ['content type of parameters only', GRANT, { 'content-type': ';' }],
  ])('%s: 400 invalid_request', async (_name, payload, headers) => {
    const res = await s.app.inject({
      method: 'POST',
      url: '/oauth/token',
      headers: { ...headers, authorization: s.basic() },
      payload,
    });
    expect(res.statusCode).toBe(400);
    expectNoStore(res.headers);
    expect(res.json().error).toBe('invalid_request');
  });

  it('treats a[b]=c, scope[]=x and __proto__ as plain unknown names (RFC 6749 §3.2)', async () => {
    const res = await token(`${GRANT}&a[b]=c&scope[]=admin&__proto__[x]=1&constructor=y`, {
      authorization: s.basic(),
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().scope).toBe('data:read data:write');
  });

  it('a body over 64 KiB: 413, no-store JSON', async () => {
    const res = await token(`${GRANT}&pad=${'a'.repeat(70 * 1024)}`, { authorization: s.basic() });
    expect(res.statusCode).toBe(413);
    expectNoStore(res.headers);
    expect(res.json().error).toBe('invalid_request');
  });

  it('scope outside the app: 400 invalid_scope; malformed scope: 400 invalid_scope', async () => {
    const outside = await token(`${GRANT}&scope=data:read%20admin`, { authorization: s.basic() });
    expect(outside.statusCode).toBe(400);
    expect(outside.json().error).toBe('invalid_scope');
    const malformed = await token(`${GRANT}&scope=${encodeURIComponent('data:read "x"')}`, {
      authorization: s.basic(),
    });
    expect(malformed.json().error).toBe('invalid_scope');
  });

  it('unknown paths answer a JSON 404', async () => {
    const res = await s.app.inject({ method: 'GET', url: '/nope' });
    expect(res.statusCode).toBe(404);
    expect(res.json().error).toBe('not_found');
  });
});

describe('brute force of a client secret', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer('sqlite', {
      LATCHKEY_AUTH_MAX_FAILURES: '3',
      LATCHKEY_AUTH_FAILURE_WINDOW: '60',
    });
  });
  afterAll(() => s?.close());

  it('answers 429 with Retry-After after the configured number of failures, even for the right secret', async () => {
    const attempt = (secret: string, ip: string) =>
      s.app.inject({
        method: 'POST',
        url: '/oauth/token',
        remoteAddress: ip,
        headers: { ...FORM, authorization: s.basic(s.credentials.clientId, secret) },
        payload: GRANT,
      });
    for (let i = 0; i < 3; i++) expect((await attempt(`guess-${i}`, '10.0.0.1')).statusCode).toBe(401);
    const limited = await attempt('guess-4', '10.0.0.1');
    expect(limited.statusCode).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(60);
    expect(limited.headers['cache-control']).toBe('no-store');
    // RFC 8628's slow_down is for device-code polling; a 429 here is a generic retry-later.
    expect(limited.json()).toEqual({
      error: 'temporarily_unavailable',
      error_description: 'too many failed attempts; retry later',
    });
    // The right secret learns nothing from the locked IP...
    expect((await attempt(s.credentials.clientSecret, '10.0.0.1')).statusCode).toBe(429);
    // ...but the failures of one IP do not lock the app out from its own (RFC 6819 §5.1.4.2.3: throttling must not become a lockout).
    expect((await attempt(s.credentials.clientSecret, '10.0.0.2')).statusCode).toBe(200);
  });

  it('throttles per IP across client IDs', async () => {
    const attempt = (id: string) =>
      s.app.inject({
        method: 'POST',
        url: '/oauth/token',
        remoteAddress: '10.9.9.9',
        headers: { ...FORM, authorization: s.basic(id, 'x') },
        payload: GRANT,
      });
    for (let i = 0; i < 3; i++) expect((await attempt(`lk_spray_${i}`)).statusCode).toBe(401);
    expect((await attempt('lk_spray_next')).statusCode).toBe(429);
  });
});
