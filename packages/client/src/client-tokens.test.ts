// Unit tests of OAuthClient's token endpoint requests with an injected fetch: client auth, encodings, results.

import { describe, expect, it } from 'vitest';
import { OAuthClient } from './client.js';
import { json, tokenBody } from './test-support/mock-fetch.js';
import { client, SECRET } from './test-support/oauth-client-fixture.js';

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
    const body = tokenBody({ token_type: 'bearer', refresh_token: 'rt', scope: 'a  b' });
    const { client: c } = client(() => json(body));
    const tokens = await c.exchangeCode('c');
    expect(tokens).toMatchObject({
      accessToken: 'at-1',
      tokenType: 'Bearer',
      expiresIn: 3600,
      refreshToken: 'rt',
      scope: ['a', 'b'],
      idToken: undefined,
      raw: body,
    });
    expect(tokens.idTokenClaims).toBeUndefined();
    expect(tokens.expiresAt).toBeGreaterThanOrEqual(now + 3_600_000);
    expect(tokens.expiresAt).toBeLessThan(now + 3_610_000);
  });

  it('an ID token is never returned unvalidated: without jwksUri, exchangeCode throws TypeError', async () => {
    const { client: c } = client(() => json(tokenBody({ id_token: 'x.y.z' })));
    await expect(c.exchangeCode('c')).rejects.toThrow(/jwksUri and issuer are needed/);
    // Client credentials do not authenticate a user: an id_token there is passed through as data.
    expect((await c.clientCredentials()).idToken).toBe('x.y.z');
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
