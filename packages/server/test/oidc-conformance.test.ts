/**
 * The OpenID Foundation's certification modules for the Basic OP and Config OP profiles (and the
 * discovery modules of the logout profiles), one test each, named after the module, mirroring what it
 * checks; on SQLite and PostgreSQL. Where a module is skipped for a server that does not advertise a
 * feature (address and phone scopes, request objects, unsigned ID tokens), the test checks that the
 * server says so and refuses it cleanly. A static client (registered beforehand), client_secret_basic
 * unless named, response_type=code, the default response mode.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csrfOf, formAction, InjectBrowser, redeem } from './support/browser.js';
import {
  allowIfAsked,
  authorizeUrl,
  expectAnswer,
  expectAuthError,
  expectErrorPage,
  expectUserinfo,
  happyPath,
  OP_ISSUER,
  validateIdToken,
} from './support/conformance.js';
import {
  type OidcApp,
  oidcQuery,
  redeemCode,
  refresh,
  registerOidcApp,
  signedIn,
  startOidcServer,
  userinfo,
} from './support/oidc.js';
import { dialects, FORM, type TestServer } from './support/server.js';

const EMAIL = 'op-tester@example.com';
const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.each(dialects())('OpenID Foundation conformance modules on %s', (dialect) => {
  let s: TestServer;
  let app: OidcApp;
  let app2: OidcApp;
  let browser: InjectBrowser;
  beforeAll(async () => {
    s = await startOidcServer(dialect, { LATCHKEY_ISSUER: OP_ISSUER });
    app = await registerOidcApp(s, { name: 'Conformance client' });
    app2 = await registerOidcApp(s, {
      name: 'Conformance client 2',
      redirectUris: ['https://rp2.example/cb'],
    });
    browser = await signedIn(s, EMAIL);
    await s.ctx.db.updateTable('users').set({ name: 'Op Tester' }).where('email', '=', EMAIL).execute();
  });
  afterAll(async () => {
    await s?.close();
  });
  const get = (query: Record<string, string>, b = browser) => b.get(authorizeUrl(query));

  describe('Config OP', () => {
    it('oidcc-discovery-endpoint-verification', async () => {
      const res = await s.app.inject({ url: '/.well-known/openid-configuration' });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      const d = res.json();
      expect(d.issuer).toBe(OP_ISSUER);
      expect(d.response_types_supported).toContain('code');
      expect(d.subject_types_supported).toEqual(expect.arrayContaining(['public']));
      expect(d.id_token_signing_alg_values_supported).toContain('RS256');
      expect(d.id_token_signing_alg_values_supported).not.toContain('none');
      expect(d.grant_types_supported).toContain('authorization_code');
      expect(d.scopes_supported).toContain('openid');
      for (const scope of d.scopes_supported) expect(scope).toMatch(/^[\x21\x23-\x5b\x5d-\x7e]+$/);
      expect(Array.isArray(d.claims_supported)).toBe(true);
      expect(Array.isArray(d.code_challenge_methods_supported)).toBe(true);
      expect(typeof d.claims_parameter_supported).toBe('boolean');
      expect(typeof d.request_parameter_supported).toBe('boolean');
      expect(typeof d.request_uri_parameter_supported).toBe('boolean');
      const endpoints = Object.entries(d).filter(([key]) => key.endsWith('_endpoint') || key === 'jwks_uri');
      expect(endpoints.map(([key]) => key)).toEqual(
        expect.arrayContaining(['authorization_endpoint', 'token_endpoint', 'userinfo_endpoint', 'jwks_uri']),
      );
      for (const [key, url] of endpoints) expect(String(url), key).toMatch(/^https:\/\//);
      const jwks = (await s.app.inject({ url: new URL(d.jwks_uri).pathname })).json();
      for (const key of jwks.keys) {
        expect(key.kid).toBeTruthy();
        for (const secret of ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k']) expect(key[secret]).toBeUndefined();
      }
    });
  });

  describe('discovery of the logout profiles', () => {
    it('oidcc-backchannel-logout-discovery-endpoint-verification', async () => {
      const d = (await s.app.inject({ url: '/.well-known/openid-configuration' })).json();
      expect(d).toMatchObject({
        backchannel_logout_supported: true,
        backchannel_logout_session_supported: true,
      });
      expect(d.end_session_endpoint).toBe(`${OP_ISSUER}/oauth/logout`);
    });

    it('oidcc-rp-initiated-logout-discovery-endpoint-verification', async () => {
      const d = (await s.app.inject({ url: '/.well-known/openid-configuration' })).json();
      expect(d.end_session_endpoint).toMatch(/^https:\/\//);
    });
  });

  describe('Basic OP', () => {
    it('oidcc-server', async () => {
      const { claims, tokens } = await happyPath(s, browser, app);
      expect(claims.sub).toBe((await s.ctx.users.findByEmail(EMAIL))?.id);
      expectUserinfo(await userinfo(s, tokens.access_token), claims.sub);
    });

    it('oidcc-server-client-secret-post', async () => {
      const { query, verifier } = oidcQuery(app);
      const code = expectAnswer(await allowIfAsked(browser, await get(query)), app, 'st-1').get(
        'code',
      ) as string;
      const res = await redeem(s.app, undefined, {
        code,
        redirect_uri: app.redirectUri,
        code_verifier: verifier,
        client_id: app.client.id,
        client_secret: app.clientSecret as string,
      });
      expect(res.statusCode, res.body).toBe(200);
      await validateIdToken(s, app, res.json().id_token, { nonce: query['nonce'] as string });
    });

    it('oidcc-response-type-missing', async () => {
      const { response_type: _, ...query } = oidcQuery(app).query;
      expectAuthError(await get(query), app, ['unsupported_response_type', 'invalid_request']);
    });

    it('oidcc-idtoken-signature', async () => {
      const { tokens } = await happyPath(s, browser, app);
      const header = JSON.parse(
        Buffer.from((tokens.id_token as string).split('.')[0] as string, 'base64url').toString(),
      );
      expect(header).toMatchObject({ alg: 'RS256', typ: 'JWT' });
      expect(header.kid).toBeTruthy();
    });

    it('oidcc-idtoken-rs256', async () => {
      const { tokens } = await happyPath(s, browser, app);
      await validateIdToken(s, app, tokens.id_token, { nonce: 'n-0S6_WzA2Mj', alg: 'RS256' });
    });

    it('oidcc-idtoken-unsigned', async () => {
      // Skipped by the suite unless `none` is advertised: it is not, and cannot be registered.
      const d = (await s.app.inject({ url: '/.well-known/openid-configuration' })).json();
      expect(d.id_token_signing_alg_values_supported).not.toContain('none');
      await expect(registerOidcApp(s, { idTokenSignedResponseAlg: 'none' })).rejects.toThrow();
    });

    it.each([
      ['oidcc-userinfo-get', 'get'],
      ['oidcc-userinfo-post-header', 'post-header'],
      ['oidcc-userinfo-post-body', 'post-body'],
    ] as const)('%s', async (_module, how) => {
      const { tokens, claims } = await happyPath(s, browser, app);
      expectUserinfo(await userinfo(s, tokens.access_token, how), claims.sub);
    });

    it('oidcc-ensure-request-without-nonce-succeeds-for-code-flow', async () => {
      const { claims, query } = await happyPath(s, browser, app, { nonce: '' });
      expect(query['nonce']).toBeUndefined();
      expect(claims['nonce']).toBeUndefined();
    });

    it.each([
      ['oidcc-scope-profile', 'openid profile', ['name', 'updated_at']],
      ['oidcc-scope-email', 'openid email', ['email', 'email_verified']],
      ['oidcc-scope-all', 'openid profile email', ['name', 'updated_at', 'email', 'email_verified']],
      ['oidcc-ensure-other-scope-order-succeeds', 'email openid', ['email', 'email_verified']],
    ] as const)('%s', async (_module, scope, expected) => {
      const { tokens, claims } = await happyPath(s, browser, app, { scope });
      expect(tokens.scope.split(' ').sort()).toEqual(scope.split(' ').sort());
      const info = expectUserinfo(await userinfo(s, tokens.access_token), claims.sub);
      for (const claim of expected) expect(info[claim], claim).toBeDefined();
    });

    it.each([
      ['oidcc-scope-address', 'address'],
      ['oidcc-scope-phone', 'phone'],
    ])('%s', async (_module, scope) => {
      // Skipped by the suite when scopes_supported lacks the scope; asked anyway, it is refused by redirect.
      const d = (await s.app.inject({ url: '/.well-known/openid-configuration' })).json();
      expect(d.scopes_supported).not.toContain(scope);
      expectAuthError(await get(oidcQuery(app, { scope: `openid ${scope}` }).query), app, ['invalid_scope']);
    });

    it.each([
      ['oidcc-display-page', { display: 'page' }],
      ['oidcc-display-popup', { display: 'popup' }],
      ['oidcc-ensure-request-with-unknown-parameter-succeeds', { extra: 'foobar' }],
      ['oidcc-ui-locales', { ui_locales: 'se' }],
      ['oidcc-claims-locales', { claims_locales: 'se' }],
      ['oidcc-ensure-request-with-acr-values-succeeds', { acr_values: '1 2' }],
      ['oidcc-claims-essential', { claims: JSON.stringify({ userinfo: { name: { essential: true } } }) }],
      ['oidcc-ensure-request-with-valid-pkce-succeeds', {}],
    ] as const)('%s', async (_module, extra) => {
      const { tokens, claims } = await happyPath(s, browser, app, extra);
      expectUserinfo(await userinfo(s, tokens.access_token), claims.sub);
    });

    it('oidcc-prompt-login', async () => {
      const first = await happyPath(s, browser, app);
      await wait(1100);
      const { query, verifier } = oidcQuery(app, { prompt: 'login' });
      const res = await get(query);
      const login = String(res.headers['location']);
      expect(login).toMatch(/^\/login\?/);
      const page = await browser.get(login);
      expect(page.body).toContain('type="password"'); // the second login page
      const signed = await browser.post(formAction(page.body), {
        csrf: csrfOf(page.body),
        email: EMAIL,
        password: 'correct horse battery',
      });
      const answered = await allowIfAsked(browser, await browser.get(String(signed.headers['location'])));
      const code = expectAnswer(answered, app, 'st-1').get('code');
      const tokens = await redeemCode(s, app, code as string, verifier);
      const second = await validateIdToken(s, app, tokens.id_token, { nonce: query['nonce'] as string });
      expect(second['auth_time']).not.toBe(first.claims['auth_time']);
    });

    it('oidcc-prompt-none-not-logged-in', async () => {
      const state = 'x'.repeat(128);
      const res = await get(oidcQuery(app, { prompt: 'none', state }).query, new InjectBrowser(s.app));
      expectAuthError(
        res,
        app,
        ['login_required', 'interaction_required', 'consent_required', 'account_selection_required'],
        state,
      );
    });

    it('oidcc-prompt-none-logged-in', async () => {
      const first = await happyPath(s, browser, app);
      const second = await happyPath(s, browser, app, { prompt: 'none' });
      expect(second.claims.sub).toBe(first.claims.sub);
    });

    it('oidcc-max-age-1', async () => {
      const first = await happyPath(s, browser, app);
      await wait(2100);
      const res = await get(oidcQuery(app, { max_age: '1' }).query);
      expect(String(res.headers['location'])).toMatch(/^\/login\?/); // the second login page
      const { claims } = await happyPath(s, await signedIn(s, EMAIL), app, { max_age: '1' });
      expect(claims['auth_time'] as number).toBeGreaterThan(first.claims['auth_time'] as number);
    });

    it('oidcc-max-age-10000', async () => {
      const first = await happyPath(s, browser, app);
      const second = await happyPath(s, browser, app, { max_age: '10000' });
      expect(second.claims['auth_time']).toBe(first.claims['auth_time']);
    });

    it('oidcc-id-token-hint', async () => {
      const first = await happyPath(s, browser, app);
      const second = await happyPath(s, browser, app, {
        prompt: 'none',
        id_token_hint: first.tokens.id_token as string,
      });
      expect(second.claims.sub).toBe(first.claims.sub);
    });

    it('oidcc-login-hint', async () => {
      const res = await get(oidcQuery(app, { login_hint: 'foo@bar.com' }).query, new InjectBrowser(s.app));
      const page = await new InjectBrowser(s.app).get(String(res.headers['location']));
      expect(page.body).toContain('value="foo@bar.com"');
    });

    it('oidcc-codereuse', async () => {
      const { code, verifier } = await happyPath(s, browser, app);
      const again = await redeem(s.app, app.basic, {
        code,
        redirect_uri: app.redirectUri,
        code_verifier: verifier,
      });
      expect(again.statusCode).toBe(400);
      expect(again.json().error).toBe('invalid_grant');
    });

    it('oidcc-codereuse-30seconds', async () => {
      const { code, verifier, tokens } = await happyPath(s, browser, app);
      // 30 seconds pass: the code's redemption is moved back rather than waited for.
      await s.ctx.db
        .updateTable('authorization_codes')
        .set((eb) => ({ used_at: eb('used_at', '-', 30) }))
        .execute();
      const again = await redeem(s.app, app.basic, {
        code,
        redirect_uri: app.redirectUri,
        code_verifier: verifier,
      });
      expect(again.json().error).toBe('invalid_grant');
      // OAuth 2.0 §4.1.2: the tokens issued from the reused code are revoked.
      expect((await userinfo(s, tokens.access_token)).statusCode).toBe(401);
    });

    it('oidcc-ensure-registered-redirect-uri', async () => {
      expectErrorPage(
        await get(oidcQuery(app, { redirect_uri: 'https://attacker.example/cb' }).query),
        'redirect_uri_mismatch',
      );
    });

    it('oidcc-ensure-redirect-uri-in-authorization-request', async () => {
      const { redirect_uri: _, ...query } = oidcQuery(app).query;
      expectErrorPage(await get(query), 'missing_redirect_uri');
    });

    it('oidcc-ensure-post-request-succeeds', async () => {
      const { query, verifier } = oidcQuery(app);
      const posted = await browser.post('/oauth/authorize', query);
      expect(posted.statusCode).toBe(303);
      const answered = await allowIfAsked(browser, await browser.get(String(posted.headers['location'])));
      const code = expectAnswer(answered, app, 'st-1').get('code');
      const res = await redeem(s.app, app.basic, {
        code: code as string,
        redirect_uri: app.redirectUri,
        code_verifier: verifier,
      });
      await validateIdToken(s, app, res.json().id_token, { nonce: query['nonce'] as string });
    });

    it('oidcc-unsigned-request-object-supported-correctly-or-rejected-as-unsupported', async () => {
      const object = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify({ ...oidcQuery(app).query })).toString('base64url')}.`;
      expectAuthError(await get(oidcQuery(app, { request: object }).query), app, ['request_not_supported']);
    });

    it('oidcc-request-uri-unsigned-supported-correctly-or-rejected-as-unsupported', async () => {
      const res = await get(oidcQuery(app, { request_uri: 'https://rp.example/request.jwt' }).query);
      expectAuthError(res, app, ['request_uri_not_supported']);
    });

    it('oidcc-ensure-request-object-with-redirect-uri', async () => {
      // Skipped by the suite when request objects are unsupported: advertised as such, and refused.
      const d = (await s.app.inject({ url: '/.well-known/openid-configuration' })).json();
      expect(d.request_parameter_supported).toBe(false);
      const object = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify({ redirect_uri: app.redirectUri })).toString('base64url')}.`;
      expectAuthError(await get(oidcQuery(app, { request: object }).query), app, ['request_not_supported']);
    });

    it('oidcc-refresh-token', async () => {
      const first = await happyPath(s, browser, app, { scope: 'openid offline_access', prompt: 'consent' });
      expect(first.tokens.refresh_token).toMatch(/^[\x20-\x7e]+$/); // RFC 6749 A.17
      const res = await refresh(s, app, first.tokens.refresh_token as string);
      expect(res.statusCode).toBe(200);
      const second = await validateIdToken(s, app, res.json().id_token);
      for (const claim of ['iss', 'sub', 'aud', 'auth_time'])
        expect(second[claim], claim).toEqual(first.claims[claim]);
      // A refresh token of client 2 presented by client 1 is refused.
      const other = await happyPath(s, browser, app2, { scope: 'openid offline_access', prompt: 'consent' });
      const stolen = await s.app.inject({
        method: 'POST',
        url: '/oauth/token',
        headers: { ...FORM, authorization: app.basic },
        payload: `grant_type=refresh_token&refresh_token=${other.tokens.refresh_token}`,
      });
      expect(stolen.statusCode).toBe(400);
      expect(stolen.json().error).toBe('invalid_grant');
    });

    it('oidcc-server-rotate-keys', async () => {
      const before = await happyPath(s, browser, app);
      const { SigningKeyRepository } = await import('../src/storage/signing-keys.js');
      const { resolveKeyring } = await import('../src/startup/key-encryption.js');
      await new SigningKeyRepository(s.ctx.db, resolveKeyring(s.config).keyring).rotate(
        s.config.signingAlg,
        3600,
      );
      await s.ctx.keys.reload();
      const after = await happyPath(s, browser, app);
      const kid = (token: string) =>
        JSON.parse(Buffer.from(token.split('.')[0] as string, 'base64url').toString()).kid;
      expect(kid(after.tokens.id_token as string)).not.toBe(kid(before.tokens.id_token as string));
    });
  });
});
