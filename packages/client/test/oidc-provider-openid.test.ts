// Interop: the SDK against a real oidc-provider in OpenID Connect mode on loopback: code flow with
// openid + nonce, ID token validated (RS256, ES256, EdDSA, Ed25519), userInfo, refresh with a new ID
// token (§12.2), endSessionUrl through the provider's logout confirmation.

import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { OAuthClient, OpenIdError, TokenManager } from '../src/index.js';
import { CookieBrowser } from './support/browser.js';
import {
  OIDC_ALGS,
  oidcClientOf,
  type RunningProvider,
  startOpenIdProvider,
} from './support/oidc-provider.js';

let op: RunningProvider;

beforeAll(async () => {
  // oidc-provider warns about its development-only defaults; keep the test output quiet.
  vi.spyOn(console, 'warn').mockImplementation(() => undefined);
  vi.spyOn(console, 'info').mockImplementation(() => undefined);
  op = await startOpenIdProvider();
});

afterAll(async () => {
  await op?.close();
  vi.restoreAllMocks();
});

/** A client of the provider for the client registered with `alg`, by discovery. */
function discover(alg: (typeof OIDC_ALGS)[number], overrides: Record<string, unknown> = {}) {
  const { postLogoutRedirectUri: _, ...options } = oidcClientOf(alg);
  return OAuthClient.discover(op.issuer, { ...options, ...overrides });
}

/** Signs `login` in through the provider's pages in `browser`; returns the request and the callback URL. */
async function signIn(
  client: OAuthClient,
  browser: CookieBrowser,
  login: string,
  scope = 'openid profile email',
) {
  const request = await client.authorizationUrl({ scope, params: { prompt: 'consent' } });
  const callback = await browser.authorize(request.url, client.redirectUri!, login);
  return { request, callback };
}

describe('SDK against oidc-provider in OpenID Connect mode', () => {
  it('discovers the OpenID Connect endpoints', async () => {
    const client = await discover('RS256');
    expect(client).toMatchObject({
      jwksUri: `${op.issuer}/jwks`,
      userinfoEndpoint: `${op.issuer}/me`,
      endSessionEndpoint: `${op.issuer}/session/end`,
    });
    expect(client.metadata?.id_token_signing_alg_values_supported).toEqual(
      expect.arrayContaining(['RS256', 'ES256', 'EdDSA', 'Ed25519']),
    );
  });

  it.each(OIDC_ALGS)('code flow with openid + nonce, ID token signed %s validated', async (alg) => {
    const client = await discover(alg);
    const { request, callback } = await signIn(client, new CookieBrowser(), 'alice');
    expect(new URL(request.url).searchParams.get('nonce')).toBe(request.nonce);
    const tokens = await client.handleCallback(callback, request);
    const header = JSON.parse(atob(tokens.idToken!.split('.')[0]!.replace(/-/g, '+').replace(/_/g, '/')));
    expect(header.alg).toBe(alg);
    expect(tokens.idTokenClaims).toMatchObject({
      iss: op.issuer,
      sub: 'alice',
      aud: `oidc-${alg}`,
      nonce: request.nonce,
      name: 'Alice',
      email: 'alice@example.test',
    });
  });

  it('refuses the real ID token for a nonce other than the one sent, and an alg other than registered', async () => {
    const client = await discover('RS256');
    const { request, callback } = await signIn(client, new CookieBrowser(), 'alice', 'openid');
    const error = await client.handleCallback(callback, { ...request, nonce: 'another' }).catch((e) => e);
    expect(error).toBeInstanceOf(OpenIdError);
    expect(error).toMatchObject({ code: 'OIDC_ID_TOKEN_NONCE_MISMATCH' });

    const expectsRs256 = await discover('ES256', { idTokenSignedResponseAlg: undefined });
    const second = await signIn(expectsRs256, new CookieBrowser(), 'alice', 'openid');
    await expect(expectsRs256.handleCallback(second.callback, second.request)).rejects.toMatchObject({
      code: 'OIDC_ID_TOKEN_ALG_NOT_ALLOWED',
    });
  });

  it('userInfo returns the claims of the ID token subject, and checks it', async () => {
    const client = await discover('ES256');
    const { request, callback } = await signIn(client, new CookieBrowser(), 'bob');
    const tokens = await client.handleCallback(callback, request);
    expect(await client.userInfo(tokens)).toEqual({
      sub: 'bob',
      name: 'Bob',
      email: 'bob@example.test',
      email_verified: true,
    });
    await expect(client.userInfo(tokens.accessToken, { sub: 'alice' })).rejects.toMatchObject({
      code: 'OIDC_USERINFO_SUBJECT_MISMATCH',
    });
    await expect(client.userInfo('not-a-token')).rejects.toMatchObject({
      error: 'invalid_token',
      status: 401,
    });
  });

  it('refresh returns a new ID token, validated against the original (§12.2), also through TokenManager', async () => {
    const client = await discover('EdDSA');
    const { request, callback } = await signIn(
      client,
      new CookieBrowser(),
      'carol',
      'openid offline_access profile',
    );
    const tokens = await client.handleCallback(callback, request);
    expect(tokens.refreshToken).toBeTruthy();
    const refreshed = await client.refresh(tokens.refreshToken!, { idToken: tokens.idToken });
    // The refresh response itself carries the ID token (Ed25519 signs deterministically: within the same
    // second it may equal the first one byte for byte).
    expect(typeof refreshed.raw['id_token']).toBe('string');
    expect(refreshed.idTokenClaims).toMatchObject({ sub: 'carol', aud: 'oidc-EdDSA', name: 'Carol' });
    expect(refreshed.idTokenClaims?.auth_time).toBe(tokens.idTokenClaims?.auth_time);
    expect(refreshed.idTokenClaims!.iat).toBeGreaterThanOrEqual(tokens.idTokenClaims!.iat);

    const manager = new TokenManager(client, { grant: 'refresh_token', key: 'carol' });
    await manager.setTokens({ ...refreshed, expiresAt: Date.now() - 1 });
    const fresh = await manager.getToken();
    expect(fresh.accessToken).not.toBe(refreshed.accessToken);
    expect(fresh.idTokenClaims).toMatchObject({ sub: 'carol' });
    expect((await client.userInfo(fresh)).sub).toBe('carol');
  });

  it('endSessionUrl signs the user out at the provider and comes back with state', async () => {
    const client = await discover('Ed25519');
    const browser = new CookieBrowser();
    const { request, callback } = await signIn(client, browser, 'dave', 'openid');
    const tokens = await client.handleCallback(callback, request);
    const { postLogoutRedirectUri } = oidcClientOf('Ed25519');

    // Still signed in at the provider: prompt=none succeeds without a page.
    const silent = await client.authorizationUrl({ scope: 'openid', params: { prompt: 'none' } });
    const again = await browser.authorize(silent.url, client.redirectUri!);
    expect((await client.handleCallback(again, silent)).idTokenClaims?.sub).toBe('dave');

    const logoutUrl = client.endSessionUrl({
      idTokenHint: tokens.idToken,
      postLogoutRedirectUri,
      state: 'bye-1',
    });
    expect(new URL(logoutUrl).searchParams.get('client_id')).toBe('oidc-Ed25519');
    const back = await browser.logout(logoutUrl, postLogoutRedirectUri);
    expect(new URL(back).searchParams.get('state')).toBe('bye-1');

    // Signed out: prompt=none now answers login_required.
    const after = await client.authorizationUrl({ scope: 'openid', params: { prompt: 'none' } });
    const answer = await browser.authorize(after.url, client.redirectUri!);
    await expect(client.handleCallback(answer, after)).rejects.toMatchObject({ error: 'login_required' });
  });
});
