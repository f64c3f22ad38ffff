// RFC 6750 §2/§3.1 request syntax: missing, malformed, repeated and query-string tokens, over real HTTP.
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireToken } from './require-token.js';
import { call, startApi } from './test-support/api-server.js';
import { AuthServer } from './test-support/auth-server.js';

const AUDIENCE = 'https://api.test';
const METADATA = 'https://api.test/.well-known/oauth-protected-resource';
const MISSING = `Bearer realm="${AUDIENCE}", resource_metadata="${METADATA}"`;
const INVALID_REQUEST = (description: string) =>
  `Bearer realm="${AUDIENCE}", error="invalid_request", error_description="${description}", resource_metadata="${METADATA}"`;

let as: AuthServer;
let api: Awaited<ReturnType<typeof startApi>>;
let token: string;

beforeAll(async () => {
  as = await AuthServer.start();
  api = await startApi(
    requireToken({ issuer: as.issuer, audience: AUDIENCE, resourceMetadataUrl: METADATA }),
  );
  token = await as.mint();
});
afterAll(async () => {
  await api.stop();
  await as.close();
});

/** Sends raw header lines (node:http sends each array member as its own header line). */
function rawGet(path: string, headers: Record<string, string | string[]>) {
  return new Promise<{ status: number; challenge: string | undefined; body: string }>((resolve, reject) => {
    const req = request(`${api.url}${path}`, { headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, challenge: res.headers['www-authenticate'], body }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

describe('missing token → 401 without error code (RFC 6750 §3.1)', () => {
  it('no Authorization header', async () => {
    const answer = await call(api.url);
    expect(answer.status).toBe(401);
    expect(answer.headers.get('www-authenticate')).toBe(MISSING);
    expect(answer.headers.get('cache-control')).toBe('no-store');
    expect(answer.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(answer.json).toEqual({ error_description: 'an access token is required' });
  });

  it('another scheme (Basic) counts as no Bearer token', async () => {
    const answer = await call(api.url, 'Basic dXNlcjpwYXNz');
    expect(answer.status).toBe(401);
    expect(answer.headers.get('www-authenticate')).toBe(MISSING);
  });

  it('token only in the query string (unsupported method) → 401, no error code', async () => {
    const answer = await call(`${api.url}/x?access_token=${token}`);
    expect(answer.status).toBe(401);
    expect(answer.headers.get('www-authenticate')).toBe(MISSING);
    expect(answer.text).not.toContain(token);
  });
});

describe('malformed or ambiguous → 400 invalid_request', () => {
  const cases: Array<[string, string]> = [
    ['Bearer', 'malformed Authorization header'],
    ['Bearer ', 'malformed Authorization header'],
    ['Bearer a b', 'malformed Authorization header'],
    ['Bearer a,b', 'malformed Authorization header'],
    ['Bearer "abc"', 'malformed Authorization header'],
    ['Bearer\tabc', 'malformed Authorization header'],
  ];
  for (const [header, description] of cases) {
    it(`Authorization: ${JSON.stringify(header)}`, async () => {
      const answer = await rawGet('/', { authorization: header });
      expect(answer.status).toBe(400);
      expect(answer.challenge).toBe(INVALID_REQUEST(description));
      expect(JSON.parse(answer.body)).toEqual({ error: 'invalid_request', error_description: description });
    });
  }

  it('token in the header and in the query at once', async () => {
    const answer = await call(`${api.url}/x?a=1&access_token=${token}`, `Bearer ${token}`);
    expect(answer.status).toBe(400);
    expect(answer.headers.get('www-authenticate')).toBe(
      INVALID_REQUEST('the access token was sent by more than one method'),
    );
    expect(answer.text).not.toContain(token);
  });

  it('two Authorization headers', async () => {
    const answer = await rawGet('/', { authorization: [`Bearer ${token}`, `Bearer ${token}`] });
    expect(answer.status).toBe(400);
    expect(answer.challenge).toBe(INVALID_REQUEST('more than one Authorization header'));
  });

  it('case-insensitive scheme and several spaces are accepted', async () => {
    expect((await call(api.url, `bearer ${token}`)).status).toBe(200);
    expect((await call(api.url, `BEARER   ${token}`)).status).toBe(200);
  });
});

describe('verifyRequest with a web Request', () => {
  it('reads Headers objects too', async () => {
    const guard = requireToken({ issuer: as.issuer, audience: AUDIENCE, jwksUri: as.jwksUri });
    const ok = await guard.verifyRequest(
      new Request('https://api.test/x', { headers: { authorization: `Bearer ${token}` } }),
    );
    expect(ok.ok && ok.auth.subject).toBe('user-1');
    const missing = await guard.verifyRequest(new Request('https://api.test/x'));
    expect(missing.ok).toBe(false);
    expect(!missing.ok && missing.failure.status).toBe(401);
  });
});
