// Unit tests of OAuthClient's front channel: authorization URLs (state, PKCE, params) and callback handling.

import { describe, expect, it } from 'vitest';
import { OAuthClient } from './client.js';
import { AuthorizationResponseError } from './errors.js';
import { codeChallengeS256 } from './pkce.js';
import { json, tokenBody } from './test-support/mock-fetch.js';
import { client, rejection } from './test-support/oauth-client-fixture.js';

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

  it('adds a random nonce when the scope has openid (OIDC Core §3.1.2.1), and keeps a given one', async () => {
    const { client: c } = client(() => json({}));
    const plain = await c.authorizationUrl({ scope: 'read' });
    expect(plain.nonce).toBeUndefined();
    expect(new URL(plain.url).searchParams.has('nonce')).toBe(false);
    const oidc = await c.authorizationUrl({ scope: ['openid', 'email'] });
    expect(oidc.nonce).toMatch(/^[\w-]{43}$/);
    expect(new URL(oidc.url).searchParams.get('nonce')).toBe(oidc.nonce);
    const given = await c.authorizationUrl({ scope: 'openid', nonce: 'n-1', params: { nonce: 'evil' } });
    expect([given.nonce, new URL(given.url).searchParams.get('nonce')]).toEqual(['n-1', 'n-1']);
    const viaParams = await c.authorizationUrl({ scope: 'read', params: { nonce: 'n-2' } });
    expect([viaParams.nonce, new URL(viaParams.url).searchParams.get('nonce')]).toEqual(['n-2', 'n-2']);
    await expect(c.authorizationUrl({ scope: 'openid', nonce: '' })).rejects.toThrow(/nonce/);
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
