// Interop: the SDK against a real oidc-provider on loopback (discovery, code + PKCE, refresh, client credentials, revoke, introspect).

import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  AuthorizationResponseError,
  authFetch,
  OAuthClient,
  OAuthResponseError,
  TokenManager,
} from '../src/index.js';
import { authorize } from './support/browser.js';
import { API, CLIENT, type RunningProvider, startProvider } from './support/oidc-provider.js';

let op: RunningProvider;
let client: OAuthClient;

beforeAll(async () => {
  // oidc-provider warns about its development-only defaults; keep the test output quiet.
  vi.spyOn(console, 'warn').mockImplementation(() => undefined);
  vi.spyOn(console, 'info').mockImplementation(() => undefined);
  op = await startProvider();
  client = await OAuthClient.discover(op.issuer, CLIENT);
});

afterAll(async () => {
  await op?.close();
  vi.restoreAllMocks();
});

function decodeJwtPayload(jwt: string): Record<string, unknown> {
  const part = jwt.split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/');
  return JSON.parse(atob(part));
}

describe('SDK against oidc-provider', () => {
  it('discovers the server (RFC 8414 then OpenID Connect) and checks the issuer', async () => {
    expect(client.issuer).toBe(op.issuer);
    expect(client.tokenEndpoint).toBe(`${op.issuer}/token`);
    expect(client.revocationEndpoint).toBe(`${op.issuer}/token/revocation`);
    expect(client.introspectionEndpoint).toBe(`${op.issuer}/token/introspection`);
    expect(client.authMethod).toBe('client_secret_basic');
    expect(client.metadata?.authorization_response_iss_parameter_supported).toBe(true);
    await expect(OAuthClient.discover(`${op.issuer}/`, CLIENT)).rejects.toMatchObject({
      code: 'OAUTH_INVALID_METADATA',
    });
  });

  it('client credentials with a form-encoded Basic secret, opaque and JWT (RFC 9068) tokens', async () => {
    const opaque = await client.clientCredentials({ scope: 'api:read' });
    expect(opaque).toMatchObject({ tokenType: 'Bearer', refreshToken: undefined });
    const jwt = await client.clientCredentials({ scope: 'api:read', params: { resource: API } });
    expect(jwt.scope).toEqual(['api:read']);
    expect(jwt.expiresIn).toBe(600);
    const payload = decodeJwtPayload(jwt.accessToken);
    expect(payload).toMatchObject({
      aud: API,
      client_id: CLIENT.clientId,
      scope: 'api:read',
      iss: op.issuer,
    });
  });

  it('wrong secret is an OAuthResponseError invalid_client', async () => {
    const bad = await OAuthClient.discover(op.issuer, { ...CLIENT, clientSecret: 'wrong' });
    const error = await bad.clientCredentials().catch((e) => e);
    expect(error).toBeInstanceOf(OAuthResponseError);
    expect(error).toMatchObject({ error: 'invalid_client', status: 401 });
    expect(error.message).not.toContain('wrong');
  });

  it('authorization code + PKCE through login and consent, then refresh, introspect and revoke', async () => {
    const request = await client.authorizationUrl({
      scope: 'openid offline_access api:read',
      params: { prompt: 'consent' },
    });
    const callback = await authorize(request.url, CLIENT.redirectUri);
    expect(new URL(callback).searchParams.get('iss')).toBe(op.issuer);
    const tokens = await client.handleCallback(callback, request);
    expect(tokens.refreshToken).toBeTruthy();
    expect(tokens.idToken).toBeTruthy();
    expect(tokens.scope).toEqual(expect.arrayContaining(['openid', 'offline_access']));

    const info = await client.introspect(tokens.accessToken, 'access_token');
    expect(info).toMatchObject({ active: true, clientId: CLIENT.clientId, sub: 'alice' });

    const refreshed = await client.refresh(tokens.refreshToken!);
    expect(refreshed.accessToken).not.toBe(tokens.accessToken);
    expect(refreshed.refreshToken).toBeTruthy();

    await client.revoke(refreshed.refreshToken!, 'refresh_token');
    expect((await client.introspect(refreshed.refreshToken!, 'refresh_token')).active).toBe(false);
    await expect(client.refresh(refreshed.refreshToken!)).rejects.toMatchObject({ error: 'invalid_grant' });
    await client.revoke('never-issued'); // RFC 7009 §2.2: unknown tokens are fine
  });

  it('a reused code fails with invalid_grant; a wrong verifier fails too', async () => {
    const request = await client.authorizationUrl({ scope: 'openid' });
    const callback = await authorize(request.url, CLIENT.redirectUri);
    const code = new URL(callback).searchParams.get('code')!;
    await expect(
      client.exchangeCode(code, { codeVerifier: 'x'.repeat(43), redirectUri: CLIENT.redirectUri }),
    ).rejects.toMatchObject({
      error: 'invalid_grant',
    });
    const second = await client.authorizationUrl({ scope: 'openid' });
    const again = await authorize(second.url, CLIENT.redirectUri);
    await client.handleCallback(again, second);
    await expect(client.handleCallback(again, second)).rejects.toMatchObject({ error: 'invalid_grant' });
  });

  it('an authorization error comes back as AuthorizationResponseError with iss checked', async () => {
    const request = await client.authorizationUrl({ scope: 'openid', params: { prompt: 'none' } });
    const callback = await authorize(request.url, CLIENT.redirectUri);
    const error = await client.handleCallback(callback, request).catch((e) => e);
    expect(error).toBeInstanceOf(AuthorizationResponseError);
    expect(error).toMatchObject({ code: 'OAUTH_AUTHORIZATION_ERROR', error: 'login_required' });
    const forged = callback.replace(
      encodeURIComponent(op.issuer),
      encodeURIComponent('https://evil.example'),
    );
    await expect(client.handleCallback(forged, request)).rejects.toMatchObject({
      code: 'OAUTH_ISSUER_MISMATCH',
    });
  });

  it('50 concurrent getAccessToken() calls make one token request at the server', async () => {
    const manager = new TokenManager(client, { params: { resource: API } });
    const before = op.counts.token;
    const tokens = await Promise.all(
      Array.from({ length: 50 }, () => manager.getAccessToken({ scope: 'api:read' })),
    );
    expect(new Set(tokens).size).toBe(1);
    expect(op.counts.token - before).toBe(1);
    await manager.getAccessToken({ scope: 'api:read' });
    await manager.getAccessToken({ scope: ['api:write', 'api:read'] });
    await manager.getAccessToken({ scope: 'api:read api:write' });
    expect(op.counts.token - before).toBe(2);
  });

  it('a TokenManager over a user grant refreshes with the rotated refresh token', async () => {
    const request = await client.authorizationUrl({
      scope: 'openid offline_access',
      params: { prompt: 'consent' },
    });
    const tokens = await client.handleCallback(
      await authorize(request.url, CLIENT.redirectUri, 'bob'),
      request,
    );
    const manager = new TokenManager(client, { grant: 'refresh_token', key: 'bob' });
    await manager.setTokens({ ...tokens, expiresAt: Date.now() - 1 });
    const fresh = await manager.getToken();
    expect(fresh.accessToken).not.toBe(tokens.accessToken);
    expect((await client.introspect(fresh.accessToken)).sub).toBe('bob');
    const fetcher = authFetch(manager, {
      fetch: async (input) => {
        const auth = (input as Request).headers.get('authorization');
        return new Response(auth, { status: 200 });
      },
    });
    expect(await (await fetcher('http://127.0.0.1:1/api')).text()).toBe(`Bearer ${fresh.accessToken}`);
  });
});
