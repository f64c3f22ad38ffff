/**
 * OpenID Connect libraries no one here wrote, against `latchkey start` over real loopback HTTP with a
 * browser that signs in: openid-client v6 (discovery, the code flow with ID-token validation, userinfo,
 * refresh with a new ID token, the end-session URL, form_post) and oauth4webapi (`expectNonce`).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as oauth from 'oauth4webapi';
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthorizingBrowser, type Callback } from './support/authorizing-browser.js';
import { cliAsync, type ServerProcess, startProcess } from './support/process.js';

const USER = { email: 'interop@example.com', password: 'correct horse battery staple' };
const REDIRECT = 'http://127.0.0.1:8080/cb';
const SCOPE = 'openid profile email offline_access';

/** The callback URL of a query-mode walk. */
function callbackUrl(callback: Callback): URL {
  if (callback.mode !== 'query') throw new Error('expected a redirect');
  return new URL(callback.url);
}

describe('OpenID Connect interop over loopback', () => {
  let dir: string;
  let server: ServerProcess;
  let env: Record<string, string>;
  /** Registers an app with the CLI; `extra` are more flags. */
  const createApp = async (...extra: string[]) => {
    const args = ['apps', 'create', '--name', 'Interop RP', '--scope', `${SCOPE} data:read`];
    const result = await cliAsync(
      [
        ...args,
        '--redirect-uri',
        'http://127.0.0.1/cb',
        '--grant',
        'authorization_code',
        '--grant',
        'refresh_token',
        ...extra,
        '--json',
      ],
      env,
    );
    if (result.code !== 0) throw new Error(result.stderr);
    return JSON.parse(result.stdout) as { client_id: string; client_secret: string };
  };
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'latchkey-oidc-interop-'));
    // The default scope catalogue: OpenID Connect's scopes are in it.
    env = { LATCHKEY_DATA_DIR: dir, LATCHKEY_LOG_LEVEL: 'warn' };
    server = await startProcess(env);
    const created = await cliAsync(
      ['users', 'create', '--email', USER.email, '--password', USER.password],
      env,
    );
    if (created.code !== 0) throw new Error(created.stderr);
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('openid-client: discovery, code flow with a validated ID token, userinfo, refresh with a new ID token, end-session URL', async () => {
    const app = await createApp();
    const config = await client.discovery(
      new URL(server.url),
      app.client_id,
      app.client_secret,
      client.ClientSecretBasic(app.client_secret),
      { execute: [client.allowInsecureRequests] },
    );
    const meta = config.serverMetadata();
    expect(meta.userinfo_endpoint).toBe(`${server.url}/oauth/userinfo`);
    expect(meta.end_session_endpoint).toBe(`${server.url}/oauth/logout`);
    const verifier = client.randomPKCECodeVerifier();
    const nonce = client.randomNonce();
    const state = client.randomState();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT,
      scope: SCOPE,
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      nonce,
      state,
      prompt: 'consent',
    });
    const browser = new AuthorizingBrowser(USER);
    const callback = callbackUrl(await browser.authorize(url.href, REDIRECT));
    expect(browser.seen).toEqual(['login', 'consent']);
    // Validates the ID token: signature against the JWKS (RS256), iss, aud, exp, iat, nonce, azp.
    const tokens = await client.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: verifier,
      expectedNonce: nonce,
      expectedState: state,
      idTokenExpected: true,
    });
    const claims = tokens.claims();
    expect(claims).toMatchObject({ iss: server.url, aud: app.client_id, nonce });
    expect(claims?.auth_time).toBeTypeOf('number');
    const info = await client.fetchUserInfo(config, tokens.access_token, claims?.sub as string);
    expect(info).toMatchObject({ sub: claims?.sub, email: USER.email, email_verified: false });
    expect(tokens.refresh_token).toBeDefined();
    const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token as string);
    const again = refreshed.claims();
    expect(refreshed.id_token).not.toBe(tokens.id_token);
    expect(again).toMatchObject({
      iss: claims?.iss,
      sub: claims?.sub,
      aud: claims?.aud,
      auth_time: claims?.auth_time,
    });
    expect(again?.nonce).toBeUndefined();
    const end = client.buildEndSessionUrl(config, {
      id_token_hint: refreshed.id_token as string,
      post_logout_redirect_uri: 'http://127.0.0.1:8080/signed-out',
      state: 'bye',
    });
    expect(`${end.origin}${end.pathname}`).toBe(`${server.url}/oauth/logout`);
    expect(end.searchParams.get('id_token_hint')).toBe(refreshed.id_token);
    expect(end.searchParams.get('client_id')).toBe(app.client_id);
  });

  it('openid-client: response_mode=form_post, the posted answer read as the app would receive it', async () => {
    const app = await createApp();
    const config = await client.discovery(new URL(server.url), app.client_id, app.client_secret, undefined, {
      execute: [client.allowInsecureRequests],
    });
    const verifier = client.randomPKCECodeVerifier();
    const nonce = client.randomNonce();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT,
      scope: 'openid email',
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      nonce,
      response_mode: 'form_post',
    });
    const callback = await new AuthorizingBrowser(USER).authorize(url.href, REDIRECT);
    if (callback.mode !== 'form_post') throw new Error('expected a form_post page');
    const posted = new Request(callback.action, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(callback.values),
    });
    const tokens = await client.authorizationCodeGrant(config, posted, {
      pkceCodeVerifier: verifier,
      expectedNonce: nonce,
      idTokenExpected: true,
    });
    expect(tokens.claims()?.nonce).toBe(nonce);
    // No offline_access: no refresh token for an OpenID Connect request (OIDC Core §11).
    expect(tokens.refresh_token).toBeUndefined();
  });

  it('oauth4webapi: expectNonce, an ES256 app, getValidatedIdTokenClaims, userinfo', async () => {
    const app = await createApp('--id-token-signed-response-alg', 'ES256');
    const issuer = new URL(server.url);
    const insecure = { [oauth.allowInsecureRequests]: true };
    const as = await oauth
      .discoveryRequest(issuer, insecure)
      .then((response) => oauth.processDiscoveryResponse(issuer, response));
    const c: oauth.Client = { client_id: app.client_id, id_token_signed_response_alg: 'ES256' };
    const auth = oauth.ClientSecretBasic(app.client_secret);
    const verifier = oauth.generateRandomCodeVerifier();
    const nonce = oauth.generateRandomNonce();
    const state = oauth.generateRandomState();
    const url = new URL(as.authorization_endpoint as string);
    for (const [name, value] of Object.entries({
      client_id: app.client_id,
      response_type: 'code',
      redirect_uri: REDIRECT,
      scope: 'openid profile',
      code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      nonce,
      state,
    }))
      url.searchParams.set(name, value);
    const callback = callbackUrl(await new AuthorizingBrowser(USER).authorize(url.href, REDIRECT));
    const params = oauth.validateAuthResponse(as, c, callback, state);
    const response = await oauth.authorizationCodeGrantRequest(
      as,
      c,
      auth,
      params,
      REDIRECT,
      verifier,
      insecure,
    );
    const result = await oauth.processAuthorizationCodeResponse(as, c, response, {
      expectedNonce: nonce,
      requireIdToken: true,
    });
    const claims = oauth.getValidatedIdTokenClaims(result);
    expect(claims).toMatchObject({ iss: server.url, aud: app.client_id, nonce });
    const header = JSON.parse(
      Buffer.from((result.id_token as string).split('.')[0] as string, 'base64url').toString(),
    );
    expect(header.alg).toBe('ES256');
    // A different nonce is refused by the library: the server echoed the request's own.
    const other = await new AuthorizingBrowser(USER).authorize(url.href, REDIRECT);
    const otherParams = oauth.validateAuthResponse(as, c, callbackUrl(other), state);
    const otherResponse = await oauth.authorizationCodeGrantRequest(
      as,
      c,
      auth,
      otherParams,
      REDIRECT,
      verifier,
      insecure,
    );
    await expect(
      oauth.processAuthorizationCodeResponse(as, c, otherResponse, {
        expectedNonce: oauth.generateRandomNonce(),
      }),
    ).rejects.toThrow(/nonce/);
    const info = await oauth.userInfoRequest(as, c, result.access_token, insecure);
    const userinfo = await oauth.processUserInfoResponse(as, c, claims?.sub as string, info);
    expect(userinfo.sub).toBe(claims?.sub);
  });
});
