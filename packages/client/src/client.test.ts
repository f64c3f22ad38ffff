// Unit tests of OAuthClient with an injected fetch: requests on the wire, results and errors.

import { describe, expect, it } from 'vitest';
import { OAuthClient } from './client.js';
import { AuthorizationResponseError, OAuthResponseError, OAuthTransportError } from './errors.js';
import { codeChallengeS256 } from './pkce.js';
import { json, mockFetch, tokenBody } from './test-support/mock-fetch.js';

const SECRET = 'sup3r secret:+/';
const base = {
  clientId: 'app-1',
  clientSecret: SECRET,
  authorizationEndpoint: 'https://as.example/authorize',
  tokenEndpoint: 'https://as.example/token',
  revocationEndpoint: 'https://as.example/revoke',
  introspectionEndpoint: 'https://as.example/introspect',
  issuer: 'https://as.example',
};

function client(handler: Parameters<typeof mockFetch>[0], options: Record<string, unknown> = {}) {
  const mock = mockFetch(handler);
  return { client: new OAuthClient({ ...base, ...options, fetch: mock.fetch }), calls: mock.calls };
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

describe('OAuthClient constructor', () => {
  it.each([
    [{}, 'clientId'],
    [{ clientId: '' }, 'clientId'],
    [{ clientId: 'a', clientSecret: 5 }, 'clientSecret'],
    [{ clientId: 'a', tokenEndpoint: 'not a url' }, 'tokenEndpoint'],
    [{ clientId: 'a', authorizationEndpoint: '/relative' }, 'authorizationEndpoint'],
    [{ clientId: 'a', issuer: 7 }, 'issuer'],
    [{ clientId: 'a', redirectUri: 'x' }, 'redirectUri'],
    [{ clientId: 'a', authMethod: 'private_key_jwt', clientSecret: 's' }, 'authMethod'],
    [{ clientId: 'a', authMethod: 'client_secret_post' }, 'clientSecret'],
    [{ clientId: 'a', tokenRequestEncoding: 'xml' }, 'tokenRequestEncoding'],
    [{ clientId: 'a', timeoutMs: 0 }, 'timeoutMs'],
    [{ clientId: 'a', fetch: 'no' }, 'fetch'],
  ])('rejects %j with a TypeError naming %s', (options, name) => {
    expect(() => new OAuthClient(options as never)).toThrow(TypeError);
    expect(() => new OAuthClient(options as never)).toThrow(name);
  });

  it('rejects a missing options object', () => {
    expect(() => new OAuthClient(undefined as never)).toThrow(TypeError);
  });

  it('defaults to client_secret_basic with a secret and none without', () => {
    expect(new OAuthClient({ clientId: 'a', clientSecret: 's' }).authMethod).toBe('client_secret_basic');
    expect(new OAuthClient({ clientId: 'a' }).authMethod).toBe('none');
  });

  it('does not expose the secret when inspected or serialised', () => {
    const c = new OAuthClient(base);
    expect(JSON.stringify(c)).not.toContain(SECRET);
    expect(Object.values(c)).not.toContain(SECRET);
  });
});

describe('authorizationUrl', () => {
  it('builds a code request with random state and S256 PKCE', async () => {
    const { client: c } = client(() => json({}));
    const request = await c.authorizationUrl({ scope: ['read', 'write'], redirectUri: 'https://app/cb' });
    const url = new URL(request.url);
    expect(url.origin + url.pathname).toBe('https://as.example/authorize');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      response_type: 'code',
      client_id: 'app-1',
      redirect_uri: 'https://app/cb',
      scope: 'read write',
      state: request.state,
      code_challenge: await codeChallengeS256(request.codeVerifier!),
      code_challenge_method: 'S256',
    });
    expect(request.state).toMatch(/^[\w-]{43}$/);
    const other = await c.authorizationUrl({ scope: 'read' });
    expect(other.state).not.toBe(request.state);
    expect(other.codeVerifier).not.toBe(request.codeVerifier);
  });

  it('keeps the endpoint query, adds extra params but never lets them override', async () => {
    const { client: c } = client(() => json({}), {
      authorizationEndpoint: 'https://as.example/authorize?tenant=t1',
      redirectUri: 'https://app/default',
    });
    const { url } = await c.authorizationUrl({
      state: 'st',
      pkce: false,
      params: { prompt: 'consent', response_type: 'token', state: 'evil' },
    });
    const params = new URL(url).searchParams;
    expect(params.get('tenant')).toBe('t1');
    expect(params.get('prompt')).toBe('consent');
    expect(params.get('response_type')).toBe('code');
    expect(params.get('state')).toBe('st');
    expect(params.get('redirect_uri')).toBe('https://app/default');
    expect(params.has('code_challenge')).toBe(false);
    expect(params.has('scope')).toBe(false);
  });

  it('throws TypeError on misuse', async () => {
    const { client: c } = client(() => json({}));
    await expect(c.authorizationUrl({ scope: 5 as never })).rejects.toThrow(/scope/);
    await expect(c.authorizationUrl({ state: '' })).rejects.toThrow(/state/);
    await expect(c.authorizationUrl({ redirectUri: 'nope' })).rejects.toThrow(/redirectUri/);
    const bare = new OAuthClient({ clientId: 'a' });
    await expect(bare.authorizationUrl()).rejects.toThrow(/authorizationEndpoint/);
  });

  it('compact auth() returns a URL string with state only if given and no PKCE', () => {
    const { client: c } = client(() => json({}));
    const url = new URL(c.auth(['read_projects', 'write_tasks'], 'https://app/cb', 'xyz'));
    expect(url.searchParams.get('scope')).toBe('read_projects write_tasks');
    expect(url.searchParams.get('state')).toBe('xyz');
    expect(url.searchParams.has('code_challenge')).toBe(false);
    expect(new URL(c.auth('read')).searchParams.has('state')).toBe(false);
  });
});

describe('handleCallback', () => {
  const ok = () => json(tokenBody({ refresh_token: 'rt-1', scope: 'read' }));

  it('checks state and iss, then exchanges the code with verifier and redirect URI', async () => {
    const { client: c, calls } = client(ok);
    const tokens = await c.handleCallback('https://app/cb?code=c1&state=s1&iss=https%3A%2F%2Fas.example', {
      state: 's1',
      codeVerifier: 'v'.repeat(43),
      redirectUri: 'https://app/cb',
    });
    expect(tokens.accessToken).toBe('at-1');
    expect(Object.fromEntries(calls[0]!.form)).toEqual({
      grant_type: 'authorization_code',
      code: 'c1',
      redirect_uri: 'https://app/cb',
      code_verifier: 'v'.repeat(43),
    });
  });

  it('accepts a relative URL, a URL object and URLSearchParams', async () => {
    const { client: c } = client(ok);
    await expect(c.handleCallback('/cb?code=c&state=s', { state: 's' })).resolves.toBeTruthy();
    await expect(
      c.handleCallback(new URL('https://x/cb?code=c&state=s'), { state: 's' }),
    ).resolves.toBeTruthy();
    await expect(
      c.handleCallback(new URLSearchParams('code=c&state=s'), { state: 's' }),
    ).resolves.toBeTruthy();
  });

  it.each([
    ['code=c&state=other', 'OAUTH_STATE_MISMATCH', 'state_mismatch'],
    ['code=c', 'OAUTH_STATE_MISMATCH', 'state_mismatch'],
    ['code=c&state=s&state=s', 'OAUTH_STATE_MISMATCH', 'state_mismatch'],
    ['error=access_denied&state=other', 'OAUTH_STATE_MISMATCH', 'state_mismatch'],
    ['code=c&state=s&iss=https%3A%2F%2Fevil.example', 'OAUTH_ISSUER_MISMATCH', 'issuer_mismatch'],
    [
      'error=access_denied&error_description=no&error_uri=https%3A%2F%2Fe&state=s',
      'OAUTH_AUTHORIZATION_ERROR',
      'access_denied',
    ],
    ['state=s', 'OAUTH_MISSING_CODE', 'missing_code'],
  ])('rejects ?%s with %s before any token request', async (query, code, error) => {
    const { client: c, calls } = client(ok);
    const err = await rejection(c.handleCallback(`https://app/cb?${query}`, { state: 's' }));
    expect(err).toBeInstanceOf(AuthorizationResponseError);
    expect(err).toMatchObject({ code, error });
    expect(calls).toHaveLength(0);
  });

  it('carries the server error details', async () => {
    const { client: c } = client(ok);
    const err = await rejection(
      c.handleCallback(
        '/cb?error=access_denied&error_description=User+said+no&error_uri=https%3A%2F%2Fe&state=s',
        {
          state: 's',
        },
      ),
    );
    expect(err).toMatchObject({ errorDescription: 'User said no', errorUri: 'https://e', state: 's' });
  });

  it('requires iss when the server advertises it (RFC 9207 §2.4)', async () => {
    const { client: c } = client(ok, { authorizationResponseIssParameterSupported: true });
    const err = await rejection(c.handleCallback('/cb?code=c&state=s', { state: 's' }));
    expect(err).toMatchObject({ code: 'OAUTH_ISSUER_MISMATCH' });
    const err2 = await rejection(c.handleCallback('/cb?error=access_denied&state=s', { state: 's' }));
    expect(err2).toMatchObject({ code: 'OAUTH_ISSUER_MISMATCH' });
    await expect(
      c.handleCallback('/cb?code=c&state=s&iss=https://as.example', { state: 's' }),
    ).resolves.toBeTruthy();
  });

  it('throws TypeError on misuse', async () => {
    const { client: c } = client(ok);
    await expect(c.handleCallback('/cb?code=c&state=s', {} as never)).rejects.toThrow(/options\.state/);
    await expect(c.handleCallback('/cb?code=c&state=s', undefined as never)).rejects.toThrow(TypeError);
    await expect(c.handleCallback(42 as never, { state: 's' })).rejects.toThrow(/callbackUrl/);
  });
});

describe('token endpoint requests', () => {
  it('client_secret_basic sends form-encoded credentials in the header only', async () => {
    const { client: c, calls } = client(() => json(tokenBody()));
    await c.clientCredentials({ scope: 'a b' });
    const { request, form } = calls[0]!;
    expect(request.method).toBe('POST');
    expect(request.headers.get('content-type')).toBe('application/x-www-form-urlencoded');
    expect(request.headers.get('accept')).toBe('application/json');
    expect(atob(request.headers.get('authorization')!.slice(6))).toBe('app-1:sup3r+secret%3A%2B%2F');
    expect(Object.fromEntries(form)).toEqual({ grant_type: 'client_credentials', scope: 'a b' });
  });

  it('client_secret_post sends credentials in the body', async () => {
    const { client: c, calls } = client(() => json(tokenBody()), { authMethod: 'client_secret_post' });
    await c.clientCredentials();
    expect(calls[0]!.request.headers.has('authorization')).toBe(false);
    expect(Object.fromEntries(calls[0]!.form)).toEqual({
      grant_type: 'client_credentials',
      client_id: 'app-1',
      client_secret: SECRET,
    });
  });

  it('none sends only client_id', async () => {
    const { client: c, calls } = client(() => json(tokenBody()), {
      clientSecret: undefined,
      authMethod: 'none',
    });
    await c.exchangeCode('code-1', { codeVerifier: 'v'.repeat(43) });
    expect(calls[0]!.request.headers.has('authorization')).toBe(false);
    expect(calls[0]!.form.get('client_id')).toBe('app-1');
    expect(calls[0]!.form.has('client_secret')).toBe(false);
  });

  it('json encoding sends a JSON body (Lokalise)', async () => {
    const { client: c, calls } = client(() => json(tokenBody()), {
      authMethod: 'client_secret_post',
      tokenRequestEncoding: 'json',
    });
    await c.token('code-1');
    expect(calls[0]!.request.headers.get('content-type')).toBe('application/json');
    expect(JSON.parse(calls[0]!.body)).toEqual({
      grant_type: 'authorization_code',
      code: 'code-1',
      client_id: 'app-1',
      client_secret: SECRET,
    });
  });

  it('token(code, redirectUri) sends the redirect URI given to auth() (RFC 6749 §4.1.3)', async () => {
    const { client: c, calls } = client(() => json(tokenBody()));
    await c.token('code-1', 'https://app/other-cb');
    expect(calls[0]!.form.get('redirect_uri')).toBe('https://app/other-cb');
    await expect(c.token('code-1', 'not a url')).rejects.toThrow(TypeError);
  });

  it('returns a camelCase token result with expiry and the raw body', async () => {
    const now = Date.now();
    const body = tokenBody({ token_type: 'bearer', refresh_token: 'rt', scope: 'a  b', id_token: 'x.y.z' });
    const { client: c } = client(() => json(body));
    const tokens = await c.exchangeCode('c');
    expect(tokens).toMatchObject({
      accessToken: 'at-1',
      tokenType: 'Bearer',
      expiresIn: 3600,
      refreshToken: 'rt',
      scope: ['a', 'b'],
      idToken: 'x.y.z',
      raw: body,
    });
    expect(tokens.expiresAt).toBeGreaterThanOrEqual(now + 3_600_000);
    expect(tokens.expiresAt).toBeLessThan(now + 3_610_000);
  });

  it('falls back to the requested scope and tolerates a missing expires_in', async () => {
    const { client: c } = client(() => json({ access_token: 'a', expires_in: '60' }));
    const tokens = await c.clientCredentials({ scope: ['x', 'y'] });
    expect(tokens.scope).toEqual(['x', 'y']);
    expect(tokens.expiresIn).toBe(60);
    const { client: c2 } = client(() => json({ access_token: 'a', token_type: 'Bearer' }));
    expect(await c2.clientCredentials()).toMatchObject({
      expiresIn: undefined,
      expiresAt: undefined,
      scope: [],
    });
  });

  it('refresh keeps the old refresh token when none is returned, and takes a rotated one', async () => {
    let n = 0;
    const { client: c, calls } = client(() =>
      json(n++ === 0 ? tokenBody() : tokenBody({ refresh_token: 'rt-2', access_token: 'at-2' })),
    );
    expect((await c.refresh('rt-1')).refreshToken).toBe('rt-1');
    expect(Object.fromEntries(calls[0]!.form)).toEqual({
      grant_type: 'refresh_token',
      refresh_token: 'rt-1',
    });
    const second = await c.refresh('rt-1', { scope: 'read' });
    expect(second.refreshToken).toBe('rt-2');
    expect(calls[1]!.form.get('scope')).toBe('read');
  });

  it('clientCredentials passes extra params such as resource', async () => {
    const { client: c, calls } = client(() => json(tokenBody()));
    await c.clientCredentials({ params: { resource: 'https://api', grant_type: 'password' } });
    expect(calls[0]!.form.get('resource')).toBe('https://api');
    expect(calls[0]!.form.get('grant_type')).toBe('client_credentials');
  });

  it('throws TypeError on misuse', async () => {
    const { client: c } = client(() => json(tokenBody()));
    await expect(c.exchangeCode('')).rejects.toThrow(/code/);
    await expect(c.exchangeCode(undefined as never)).rejects.toThrow(TypeError);
    await expect(c.exchangeCode('c', { codeVerifier: 3 as never })).rejects.toThrow(/codeVerifier/);
    await expect(c.exchangeCode('c', { redirectUri: 'bad' })).rejects.toThrow(/redirectUri/);
    await expect(c.refresh(null as never)).rejects.toThrow(/refreshToken/);
    await expect(c.clientCredentials({ scope: {} as never })).rejects.toThrow(/scope/);
    await expect(new OAuthClient({ clientId: 'a' }).clientCredentials()).rejects.toThrow(/tokenEndpoint/);
  });
});

describe('errors', () => {
  it('an error body becomes OAuthResponseError with all fields', async () => {
    const body = { error: 'invalid_grant', error_description: 'code expired', error_uri: 'https://e' };
    const { client: c } = client(() => json(body, 400));
    const err = await rejection(c.exchangeCode('c'));
    expect(err).toBeInstanceOf(OAuthResponseError);
    expect(err).toMatchObject({
      code: 'OAUTH_RESPONSE_ERROR',
      error: 'invalid_grant',
      errorDescription: 'code expired',
      errorUri: 'https://e',
      status: 400,
      body,
    });
    expect(err.message).toContain('invalid_grant');
  });

  it('an error body with HTTP 200 is still an OAuthResponseError', async () => {
    const { client: c } = client(() => json({ error: 'invalid_client' }, 200));
    expect(await rejection(c.clientCredentials())).toMatchObject({
      code: 'OAUTH_RESPONSE_ERROR',
      status: 200,
    });
  });

  it('a non-JSON error page is an OAuthTransportError keeping the status', async () => {
    const { client: c } = client(() => new Response('<html>Bad gateway</html>', { status: 502 }));
    const err = await rejection(c.clientCredentials());
    expect(err).toBeInstanceOf(OAuthTransportError);
    expect(err).toMatchObject({ code: 'OAUTH_HTTP_ERROR', status: 502 });
  });

  it('a non-JSON 200 is OAUTH_INVALID_RESPONSE', async () => {
    const { client: c } = client(() => new Response('hello', { status: 200 }));
    expect(await rejection(c.clientCredentials())).toMatchObject({
      code: 'OAUTH_INVALID_RESPONSE',
      status: 200,
    });
    const { client: c2 } = client(() => json([1, 2]));
    expect(await rejection(c2.clientCredentials())).toMatchObject({ code: 'OAUTH_INVALID_RESPONSE' });
  });

  it.each([
    [{ token_type: 'Bearer' }],
    [{ access_token: '' }],
    [{ access_token: 'a', expires_in: 'soon' }],
    [{ access_token: 'a', expires_in: -1 }],
    [{ access_token: 'a', token_type: 1 }],
    [{ access_token: 'a', refresh_token: 1 }],
    [{ access_token: 'a', scope: ['x'] }],
  ])('an invalid token response %j is OAUTH_INVALID_RESPONSE', async (body) => {
    const { client: c } = client(() => json(body));
    expect(await rejection(c.clientCredentials())).toMatchObject({
      code: 'OAUTH_INVALID_RESPONSE',
      status: 200,
    });
  });

  it('a network failure is OAUTH_NETWORK_ERROR with the cause', async () => {
    const { client: c } = client(() => {
      throw new TypeError('fetch failed');
    });
    const err = await rejection(c.clientCredentials());
    expect(err).toMatchObject({ code: 'OAUTH_NETWORK_ERROR', status: undefined });
    expect((err as Error & { cause: Error }).cause.message).toBe('fetch failed');
  });

  it('a slow server is OAUTH_TIMEOUT through AbortSignal', async () => {
    const slow = (_: unknown, init?: RequestInit) =>
      new Promise<Response>((_resolve, reject) => {
        init?.signal?.addEventListener('abort', () => reject(init.signal?.reason));
      });
    const c = new OAuthClient({ ...base, timeoutMs: 20, fetch: slow });
    expect(await rejection(c.clientCredentials())).toMatchObject({ code: 'OAUTH_TIMEOUT' });
  });

  it('never puts the secret or tokens in error messages', async () => {
    const { client: c } = client(() => json({ error: 'invalid_client' }, 401));
    const messages = [
      (await rejection(c.clientCredentials())).message,
      (await rejection(c.refresh('rt-secret-value'))).message,
      (await rejection(c.revoke('at-secret-value'))).message,
    ];
    for (const message of messages) {
      expect(message).not.toContain(SECRET);
      expect(message).not.toContain('secret-value');
      expect(message).not.toContain(btoa('app-1:sup3r+secret%3A%2B%2F'));
    }
  });
});

describe('revoke and introspect', () => {
  it('revoke posts token and hint with client auth and accepts an empty 200', async () => {
    const { client: c, calls } = client(() => new Response(null, { status: 200 }));
    await c.revoke('rt-1', 'refresh_token');
    expect(calls[0]!.url.href).toBe('https://as.example/revoke');
    expect(calls[0]!.request.headers.get('authorization')).toMatch(/^Basic /);
    expect(Object.fromEntries(calls[0]!.form)).toEqual({ token: 'rt-1', token_type_hint: 'refresh_token' });
  });

  it('revoke surfaces errors', async () => {
    const { client: c } = client(() => json({ error: 'unsupported_token_type' }, 400));
    expect(await rejection(c.revoke('x'))).toMatchObject({ error: 'unsupported_token_type' });
    const { client: c2 } = client(() => new Response('busy', { status: 503 }));
    expect(await rejection(c2.revoke('x'))).toMatchObject({ code: 'OAUTH_HTTP_ERROR', status: 503 });
  });

  it('introspect returns a camelCase result', async () => {
    const body = {
      active: true,
      scope: 'a b',
      client_id: 'app-1',
      username: 'u',
      token_type: 'Bearer',
      exp: 10,
      iat: 5,
      sub: 's',
      aud: ['x'],
      iss: 'https://as.example',
    };
    const { client: c, calls } = client(() => json(body));
    expect(await c.introspect('at-1')).toEqual({
      active: true,
      scope: ['a', 'b'],
      clientId: 'app-1',
      username: 'u',
      tokenType: 'Bearer',
      exp: 10,
      iat: 5,
      sub: 's',
      aud: ['x'],
      iss: 'https://as.example',
      raw: body,
    });
    expect(calls[0]!.form.get('token')).toBe('at-1');
    const { client: c2 } = client(() => json({ active: false }));
    expect(await c2.introspect('x', 'access_token')).toMatchObject({
      active: false,
      scope: [],
      clientId: undefined,
    });
  });

  it('introspect rejects a body without boolean active', async () => {
    const { client: c } = client(() => json({ active: 'yes' }));
    expect(await rejection(c.introspect('x'))).toMatchObject({ code: 'OAUTH_INVALID_RESPONSE' });
  });

  it('throws TypeError on misuse', async () => {
    const bare = new OAuthClient({ clientId: 'a', tokenEndpoint: 'https://as/token' });
    await expect(bare.revoke('t')).rejects.toThrow(/revocationEndpoint/);
    await expect(bare.introspect('t')).rejects.toThrow(/introspectionEndpoint/);
    await expect(bare.revoke('')).rejects.toThrow(/token/);
    await expect(bare.introspect(1 as never)).rejects.toThrow(/token/);
  });
});
