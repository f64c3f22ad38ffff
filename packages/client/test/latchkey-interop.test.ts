// Interop: the SDK against a real Latchkey process on loopback, behind a counting pass-through proxy
// (discovery, code + PKCE through login and consent, refresh rotation, client credentials, revoke,
// introspect, a public client, TokenManager + authFetch against a jose-verifying API, compact API).

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliAsync, type ServerProcess, startProcess } from '../../server/test/support/process.js';
import {
  AuthorizationResponseError,
  authFetch,
  OAuthClient,
  OAuthResponseError,
  providers,
  TokenManager,
} from '../src/index.js';
import {
  type CountingProxy,
  HttpBrowser,
  type ResourceServer,
  startCountingProxy,
  startResourceServer,
} from './support/latchkey.js';

/** Loopback redirect URI; the app registers `http://127.0.0.1/callback`, which accepts any port. */
const REDIRECT = 'http://127.0.0.1:8123/callback';
const ALICE = { email: 'alice@example.com', password: 'alice has a long password' };
const BOB = { email: 'bob@example.com', password: 'bob has a long password too' };

interface App {
  client_id: string;
  client_secret?: string;
}

let dir: string;
let proxy: CountingProxy;
let server: ServerProcess;
let api: ResourceServer;
/** The issuer: the proxy's URL, so every request of the SDK is seen (and counted) by the proxy. */
let issuer: string;
let app: App;
let publicApp: App;
let client: OAuthClient;
/** Alice's browser: signed in once, consent given once for {@link app}. */
let alice: HttpBrowser;

async function cli(args: string[], env: Record<string, string>): Promise<string> {
  const result = await cliAsync(args, env);
  if (result.code !== 0) throw new Error(`latchkey ${args.join(' ')} failed: ${result.stderr}`);
  return result.stdout;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'latchkey-client-interop-'));
  proxy = await startCountingProxy();
  issuer = proxy.url;
  const env = {
    LATCHKEY_DATA_DIR: dir,
    LATCHKEY_ISSUER: issuer,
    LATCHKEY_DEMO_APP: 'false',
    LATCHKEY_LOG_LEVEL: 'warn',
  };
  server = await startProcess(env);
  proxy.setUpstream(server.port);
  const scope = ['--scope', 'data:read data:write', '--redirect-uri', 'http://127.0.0.1/callback'];
  const [confidential, pub] = await Promise.all([
    cli(['apps', 'create', '--name', 'SDK Interop', ...scope, '--json'], env),
    cli(['apps', 'create', '--name', 'SDK Public', ...scope, '--public', '--json'], env),
  ]);
  app = JSON.parse(confidential);
  publicApp = JSON.parse(pub);
  for (const user of [ALICE, BOB]) {
    await cli(['users', 'create', '--email', user.email, '--password', user.password], env);
  }
  client = await OAuthClient.create({
    ...providers.latchkey(issuer),
    clientId: app.client_id,
    clientSecret: app.client_secret,
    redirectUri: REDIRECT,
  });
  api = await startResourceServer({ jwksUri: `${issuer}/.well-known/jwks.json`, issuer, audience: issuer });
  alice = new HttpBrowser();
});

afterAll(async () => {
  await api?.close();
  await server?.stop();
  await proxy?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Walks a fresh authorization request for Alice and returns the request and the callback URL. */
async function authorizeAlice(scope = 'data:read data:write') {
  const request = await client.authorizationUrl({ scope, redirectUri: REDIRECT });
  const callback = await alice.authorize(request.url, REDIRECT, ALICE);
  return { request: { ...request, redirectUri: REDIRECT }, callback };
}

describe('SDK against Latchkey', () => {
  it('discovers the server by RFC 8414 and checks the issuer', async () => {
    expect(client.issuer).toBe(issuer);
    expect(client.authorizationEndpoint).toBe(`${issuer}/oauth/authorize`);
    expect(client.tokenEndpoint).toBe(`${issuer}/oauth/token`);
    expect(client.revocationEndpoint).toBe(`${issuer}/oauth/revoke`);
    expect(client.introspectionEndpoint).toBe(`${issuer}/oauth/introspect`);
    expect(client.authMethod).toBe('client_secret_basic');
    expect(client.metadata?.authorization_response_iss_parameter_supported).toBe(true);
    expect(client.metadata?.code_challenge_methods_supported).toEqual(['S256']);
    const direct = await OAuthClient.discover(issuer, { clientId: app.client_id });
    expect(direct.authMethod).toBe('none');
    // The same document reached under another name (the server's own port, or a trailing slash) is refused.
    for (const other of [server.url, `${issuer}/`]) {
      await expect(
        OAuthClient.discover(other, { clientId: app.client_id, clientSecret: app.client_secret }),
      ).rejects.toMatchObject({ code: 'OAUTH_INVALID_METADATA' });
    }
  });

  it('client credentials with a scope: a JWT (RFC 9068) that verifies against the JWKS', async () => {
    const token = await client.clientCredentials({ scope: 'data:read' });
    expect(token).toMatchObject({ tokenType: 'Bearer', expiresIn: 3600, scope: ['data:read'] });
    expect(token.refreshToken).toBeUndefined();
    expect(token.expiresAt).toBeGreaterThan(Date.now() + 3500_000);
    const jwks = createRemoteJWKSet(new URL(client.metadata?.['jwks_uri'] as string));
    const { payload } = await jwtVerify(token.accessToken, jwks, { issuer, audience: issuer, typ: 'at+jwt' });
    expect(payload).toMatchObject({ sub: app.client_id, client_id: app.client_id, scope: 'data:read' });
    const all = await client.clientCredentials();
    expect(all.scope.sort()).toEqual(['data:read', 'data:write']);
    await expect(client.clientCredentials({ scope: 'admin' })).rejects.toMatchObject({
      code: 'OAUTH_RESPONSE_ERROR',
      error: 'invalid_scope',
    });
  });

  it('a wrong secret is an OAuthResponseError invalid_client, without the secret in the message', async () => {
    for (const authMethod of ['client_secret_basic', 'client_secret_post'] as const) {
      const bad = await OAuthClient.discover(issuer, {
        clientId: app.client_id,
        clientSecret: 'wrong-secret',
        authMethod,
      });
      const error = await bad.clientCredentials().catch((e) => e);
      expect(error).toBeInstanceOf(OAuthResponseError);
      expect(error).toMatchObject({ error: 'invalid_client', status: 401 });
      expect(error.message).not.toContain('wrong-secret');
    }
  });

  it('authorization code + PKCE through login and consent; state and iss checked', async () => {
    const request = await client.authorizationUrl({ scope: ['data:read', 'data:write'] });
    const url = new URL(request.url);
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(url.searchParams.get('redirect_uri')).toBe(REDIRECT);
    const callback = await alice.authorize(request.url, REDIRECT, ALICE);
    expect(alice.seen).toEqual(['login', 'consent']);
    const params = new URL(callback).searchParams;
    expect(params.get('iss')).toBe(issuer);
    expect(params.get('state')).toBe(request.state);

    // RFC 9207: the same response claiming another issuer is a mix-up; the code is never sent.
    const before = proxy.counts.token;
    const forged = new URL(callback);
    forged.searchParams.set('iss', 'https://evil.example');
    const mixUp = await client.handleCallback(forged, request).catch((e) => e);
    expect(mixUp).toBeInstanceOf(AuthorizationResponseError);
    expect(mixUp).toMatchObject({ code: 'OAUTH_ISSUER_MISMATCH' });
    const noIss = new URL(callback);
    noIss.searchParams.delete('iss');
    await expect(client.handleCallback(noIss, request)).rejects.toMatchObject({
      code: 'OAUTH_ISSUER_MISMATCH',
    });
    await expect(client.handleCallback(callback, { ...request, state: 'other' })).rejects.toMatchObject({
      code: 'OAUTH_STATE_MISMATCH',
    });
    expect(proxy.counts.token).toBe(before);

    const tokens = await client.handleCallback(callback, request);
    expect(tokens).toMatchObject({ tokenType: 'Bearer', scope: ['data:read', 'data:write'] });
    expect(tokens.refreshToken).toBeTruthy();
    const claims = decodeJwt(tokens.accessToken);
    expect(claims).toMatchObject({ iss: issuer, client_id: app.client_id, scope: 'data:read data:write' });
    expect(claims.sub).not.toBe(app.client_id);
    // A code is single use (RFC 6749 §4.1.2).
    await expect(client.handleCallback(callback, request)).rejects.toMatchObject({ error: 'invalid_grant' });
  });

  it('a wrong code_verifier fails with invalid_grant', async () => {
    const { request, callback } = await authorizeAlice('data:read');
    const code = new URL(callback).searchParams.get('code')!;
    const error = await client
      .exchangeCode(code, { codeVerifier: 'x'.repeat(43), redirectUri: REDIRECT })
      .catch((e) => e);
    expect(error).toBeInstanceOf(OAuthResponseError);
    expect(error).toMatchObject({ error: 'invalid_grant', status: 400 });
    expect(request.codeVerifier).toBeTruthy();
  });

  it('Deny on the consent page comes back as AuthorizationResponseError access_denied', async () => {
    const bob = new HttpBrowser();
    const request = await client.authorizationUrl({ scope: 'data:read' });
    const callback = await bob.authorize(request.url, REDIRECT, { ...BOB, decision: 'deny' });
    expect(bob.seen).toEqual(['login', 'consent']);
    expect(new URL(callback).searchParams.get('iss')).toBe(issuer);
    const before = proxy.counts.token;
    const error = await client.handleCallback(callback, request).catch((e) => e);
    expect(error).toBeInstanceOf(AuthorizationResponseError);
    expect(error).toMatchObject({
      code: 'OAUTH_AUTHORIZATION_ERROR',
      error: 'access_denied',
      state: request.state,
    });
    expect(proxy.counts.token).toBe(before);
  });

  it('refresh rotates the refresh token; reusing the old one fails with invalid_grant', async () => {
    const { request, callback } = await authorizeAlice();
    // Signed in, so no sign-in page; but the replayed code above revoked its grant and forgot the
    // consent (RFC 9700 §4.14), so Alice is asked again.
    expect(alice.seen).toEqual(['consent']);
    const tokens = await client.handleCallback(callback, request);
    const refreshed = await client.refresh(tokens.refreshToken!);
    expect(refreshed.accessToken).not.toBe(tokens.accessToken);
    expect(refreshed.refreshToken).toBeTruthy();
    expect(refreshed.refreshToken).not.toBe(tokens.refreshToken);
    expect(refreshed.scope).toEqual(['data:read', 'data:write']);
    const narrowed = await client.refresh(refreshed.refreshToken!, { scope: 'data:read' });
    expect(narrowed.scope).toEqual(['data:read']);
    expect(decodeJwt(narrowed.accessToken)['scope']).toBe('data:read');

    const reuse = await client.refresh(tokens.refreshToken!).catch((e) => e);
    expect(reuse).toBeInstanceOf(OAuthResponseError);
    expect(reuse).toMatchObject({ code: 'OAUTH_RESPONSE_ERROR', error: 'invalid_grant', status: 400 });
    // Reuse of a rotated refresh token revokes the grant: the newest one is dead too.
    await expect(client.refresh(narrowed.refreshToken!)).rejects.toMatchObject({ error: 'invalid_grant' });
  });

  it('introspect, revoke, then introspect reports inactive', async () => {
    const { request, callback } = await authorizeAlice();
    const tokens = await client.handleCallback(callback, request);
    const active = await client.introspect(tokens.accessToken, 'access_token');
    expect(active).toMatchObject({
      active: true,
      clientId: app.client_id,
      scope: ['data:read', 'data:write'],
    });
    expect((await client.introspect(tokens.refreshToken!)).active).toBe(true);

    await client.revoke(tokens.accessToken, 'access_token');
    expect((await client.introspect(tokens.accessToken)).active).toBe(false);
    await client.revoke(tokens.refreshToken!, 'refresh_token');
    expect((await client.introspect(tokens.refreshToken!, 'refresh_token')).active).toBe(false);
    await expect(client.refresh(tokens.refreshToken!)).rejects.toMatchObject({ error: 'invalid_grant' });
    await client.revoke('never-issued'); // RFC 7009 §2.2: unknown tokens are fine

    const twoLegged = await client.clientCredentials({ scope: 'data:write' });
    expect(await client.introspect(twoLegged.accessToken)).toMatchObject({
      active: true,
      sub: app.client_id,
    });
    await client.revoke(twoLegged.accessToken);
    expect((await client.introspect(twoLegged.accessToken)).active).toBe(false);
  });

  it('a public client (no secret, authMethod none) does code + PKCE and refreshes', async () => {
    const pub = await OAuthClient.discover(issuer, { clientId: publicApp.client_id, authMethod: 'none' });
    expect(publicApp.client_secret).toBeUndefined();
    const request = await pub.authorizationUrl({ scope: 'data:read', redirectUri: REDIRECT });
    const callback = await alice.authorize(request.url, REDIRECT, ALICE);
    expect(alice.seen).toEqual(['consent']); // a new app: Alice is asked again
    const tokens = await pub.handleCallback(callback, { ...request, redirectUri: REDIRECT });
    expect(decodeJwt(tokens.accessToken)).toMatchObject({
      client_id: publicApp.client_id,
      scope: 'data:read',
    });
    expect(tokens.refreshToken).toBeTruthy();
    const refreshed = await pub.refresh(tokens.refreshToken!);
    expect(refreshed.refreshToken).not.toBe(tokens.refreshToken);
    await pub.revoke(refreshed.refreshToken!, 'refresh_token');
    await expect(pub.refresh(refreshed.refreshToken!)).rejects.toMatchObject({ error: 'invalid_grant' });

    // A public client must use PKCE: without it the server answers with an error on the redirect.
    const plain = await pub.authorizationUrl({ scope: 'data:read', redirectUri: REDIRECT, pkce: false });
    const refused = await alice.authorize(plain.url, REDIRECT, ALICE);
    await expect(pub.handleCallback(refused, { ...plain, redirectUri: REDIRECT })).rejects.toMatchObject({
      code: 'OAUTH_AUTHORIZATION_ERROR',
      error: 'invalid_request',
    });
  });

  it('50 concurrent getAccessToken() calls make one token request, counted at the proxy', async () => {
    const manager = new TokenManager(client);
    const before = proxy.counts.token;
    const tokens = await Promise.all(
      Array.from({ length: 50 }, () => manager.getAccessToken({ scope: 'data:read' })),
    );
    expect(new Set(tokens).size).toBe(1);
    expect(proxy.counts.token - before).toBe(1);
    await manager.getAccessToken({ scope: 'data:read' });
    await manager.getAccessToken({ scope: ['data:write', 'data:read'] });
    await manager.getAccessToken({ scope: 'data:read data:write' });
    expect(proxy.counts.token - before).toBe(2);
  });

  it('authFetch calls an API that verifies the JWT with jose; invalid_token renews once', async () => {
    const manager = new TokenManager(client);
    const fetcher = authFetch(manager, { scope: 'data:read' });
    const before = proxy.counts.token;
    const first = await fetcher(`${api.url}/projects`);
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ sub: app.client_id, scope: 'data:read' });
    const used = api.accepted.at(-1)!;
    expect(await manager.getAccessToken({ scope: 'data:read' })).toBe(used);

    api.rejected.add(used); // as if the API had learned that this token was revoked
    const second = await fetcher(`${api.url}/projects`, { method: 'POST', body: 'payload' });
    expect(second.status).toBe(200);
    expect(api.accepted.at(-1)).not.toBe(used);
    expect(proxy.counts.token - before).toBe(2);

    const unauthenticated = await fetch(`${api.url}/projects`);
    expect(unauthenticated.status).toBe(401);
  });

  it('a TokenManager over a user grant refreshes with the rotated refresh token', async () => {
    const { request, callback } = await authorizeAlice('data:read');
    const tokens = await client.handleCallback(callback, request);
    const manager = new TokenManager(client, { grant: 'refresh_token', key: 'alice' });
    await manager.setTokens({ ...tokens, expiresAt: Date.now() - 1 });
    const before = proxy.counts.token;
    const fresh = await Promise.all(Array.from({ length: 10 }, () => manager.getToken()));
    expect(proxy.counts.token - before).toBe(1);
    expect(fresh[0]!.accessToken).not.toBe(tokens.accessToken);
    expect(fresh[0]!.refreshToken).not.toBe(tokens.refreshToken);
    const response = await authFetch(manager)(`${api.url}/projects`);
    expect(response.status).toBe(200);
    expect((await response.json()).sub).toBe(decodeJwt(tokens.accessToken).sub);
    // The stored refresh token is the rotated one: it still works.
    expect((await client.refresh(fresh[0]!.refreshToken!)).accessToken).toBeTruthy();
  });

  it('the compact Lokalise-style API: auth() / token() / refresh() with a secret and no PKCE', async () => {
    for (const authMethod of ['client_secret_basic', 'client_secret_post'] as const) {
      const compact = new OAuthClient({
        clientId: app.client_id,
        clientSecret: app.client_secret,
        authorizationEndpoint: client.authorizationEndpoint,
        tokenEndpoint: client.tokenEndpoint,
        redirectUri: REDIRECT,
        authMethod,
      });
      const url = compact.auth(['data:read'], REDIRECT, 'lokalise-state');
      expect(typeof url).toBe('string');
      expect(new URL(url).searchParams.has('code_challenge')).toBe(false);
      const callback = new URL(await alice.authorize(url, REDIRECT, ALICE));
      expect(callback.searchParams.get('state')).toBe('lokalise-state');
      const tokens = await compact.token(callback.searchParams.get('code')!);
      expect(tokens.scope).toEqual(['data:read']);
      const refreshed = await compact.refresh(tokens.refreshToken!);
      expect(refreshed.refreshToken).not.toBe(tokens.refreshToken);
      expect(decodeJwt(refreshed.accessToken)['client_id']).toBe(app.client_id);
    }
    const bare = new OAuthClient({
      clientId: app.client_id,
      clientSecret: app.client_secret,
      authorizationEndpoint: client.authorizationEndpoint,
      tokenEndpoint: client.tokenEndpoint,
    });
    // A redirect URI given to auth() only (no default on the client) goes to token() too (RFC 6749 §4.1.3).
    const given = new URL(await alice.authorize(bare.auth('data:read', REDIRECT), REDIRECT, ALICE));
    await expect(bare.token(given.searchParams.get('code')!)).rejects.toMatchObject({
      error: 'invalid_grant',
    });
    const again = new URL(await alice.authorize(bare.auth('data:read', REDIRECT), REDIRECT, ALICE));
    expect((await bare.token(again.searchParams.get('code')!, REDIRECT)).refreshToken).toBeTruthy();
    // No state given: none is sent, and the callback carries none.
    const noState = new OAuthClient({
      clientId: app.client_id,
      clientSecret: app.client_secret,
      authorizationEndpoint: client.authorizationEndpoint,
      tokenEndpoint: client.tokenEndpoint,
      redirectUri: REDIRECT,
    });
    const callback = new URL(await alice.authorize(noState.auth('data:write'), REDIRECT, ALICE));
    expect(callback.searchParams.has('state')).toBe(false);
    expect((await noState.token(callback.searchParams.get('code')!)).scope).toEqual(['data:write']);
  });
});
