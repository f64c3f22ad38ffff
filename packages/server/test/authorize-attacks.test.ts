/** The authorization endpoint and pages (RFC 6749 §4.1, RFC 7636, RFC 8252, RFC 9207, RFC 9700) under attack, each with its exact outcome. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ACCOUNT_DELAY_BASE_MS,
  ACCOUNT_DELAY_MAX_MS,
  PER_ADDRESS_LIMIT_FACTOR,
} from '../src/http/login-throttle.js';
import { createLogger } from '../src/logger.js';
import { createServer } from '../src/server.js';
import {
  countRows,
  expectErrorPage,
  expectRedirectError,
  expectSecurePage,
  getCode,
  ISSUER,
  sessionCookieSet,
  signedInBrowser,
  snapshot,
  type ThreeLeggedApp,
  tokenRequest,
} from './support/attacks.js';
import {
  authorizeAndAllow,
  csrfOf,
  formAction,
  InjectBrowser,
  locationParams,
  pkce,
  registerThreeLeggedApp,
  signIn,
} from './support/browser.js';
import { dialects, REFRESH_TOKEN_SHAPE, startTestServer, type TestServer } from './support/server.js';

const PASSWORD = 'correct horse battery';

describe.each(dialects())('authorization endpoint attacks on %s', (dialect) => {
  let s: TestServer;
  let app: ThreeLeggedApp;
  let loopbackApp: ThreeLeggedApp;
  let publicApp: ThreeLeggedApp;
  let userId: string;
  let otherUserId: string;
  /** Signed in as ada (session created directly: no scrypt per test). */
  let browser: InjectBrowser;
  let appCounter = 0;
  const email = 'ada@example.com';
  const otherEmail = 'bob@example.com';

  const freshApp = (options: Parameters<typeof registerThreeLeggedApp>[1] = {}) =>
    registerThreeLeggedApp(s, { name: `App ${appCounter++}`, ...options });
  const authorizeUrl = (query: Record<string, string>) => `/oauth/authorize?${new URLSearchParams(query)}`;

  beforeAll(async () => {
    s = await startTestServer(dialect, { LATCHKEY_LOGIN_MAX_FAILURES: '3' });
    userId = (await s.ctx.users.create(email, PASSWORD)).id;
    otherUserId = (await s.ctx.users.create(otherEmail, PASSWORD)).id;
    app = await registerThreeLeggedApp(s, { redirectUris: ['https://app.example/cb'] });
    loopbackApp = await registerThreeLeggedApp(s, {
      name: 'Desktop tool',
      redirectUris: ['http://127.0.0.1/cb', 'http://[::1]:8080/cb'],
      isPublic: true,
    });
    publicApp = await registerThreeLeggedApp(s, { name: 'SPA', isPublic: true });
    browser = await signedInBrowser(s, new InjectBrowser(s.app), userId);
  });
  afterAll(async () => {
    expect(s.logs.text).not.toContain(PASSWORD);
    await s?.close();
  });

  describe('redirect_uri not byte-equal to a registered one', () => {
    const variants = [
      ['path', 'https://app.example/cb2'],
      ['path prefix', 'https://app.example/c'],
      ['path case', 'https://app.example/CB'],
      ['host case', 'https://APP.example/cb'],
      ['scheme case', 'HTTPS://app.example/cb'],
      ['trailing slash', 'https://app.example/cb/'],
      ['extra query', 'https://app.example/cb?x=1'],
      ['empty query', 'https://app.example/cb?'],
      ['userinfo', 'https://user@app.example/cb'],
      ['userinfo host confusion', 'https://app.example@evil.example/cb'],
      ['fragment', 'https://app.example/cb#frag'],
      ['empty fragment', 'https://app.example/cb#'],
      ['different port', 'https://app.example:8443/cb'],
      ['explicit default port', 'https://app.example:443/cb'],
      ['http instead of https', 'http://app.example/cb'],
      ['percent-encoded path', 'https://app.example/%63b'],
      ['dot segment', 'https://app.example/x/../cb'],
      ['subdomain', 'https://evil.app.example/cb'],
      ['other host', 'https://evil.example/cb'],
      ['trailing dot host', 'https://app.example./cb'],
      ['relative', '/cb'],
      ['scheme-relative', '//app.example/cb'],
      ['NUL appended', 'https://app.example/cb\u0000'],
      ['space appended', 'https://app.example/cb '],
    ] as const;

    it.each(variants)('%s (%s): 400 HTML page, no redirect, nothing stored', async (_name, redirectUri) => {
      const before = await snapshot(s);
      const anonymous = new InjectBrowser(s.app);
      for (const who of [browser, anonymous]) {
        const res = await who.get(
          authorizeUrl({
            response_type: 'code',
            client_id: app.client.id,
            redirect_uri: redirectUri,
            scope: 'data:read',
            state: 'st',
          }),
        );
        expectErrorPage(res, 400);
        expect(res.body).not.toContain('evil.example/cb?');
      }
      expect(await snapshot(s)).toEqual(before);
    });
  });

  describe('loopback redirect URIs (RFC 8252 §7.3)', () => {
    const query = (redirectUri: string, challenge: string) => ({
      response_type: 'code',
      client_id: loopbackApp.client.id,
      redirect_uri: redirectUri,
      scope: 'data:read',
      state: 'loop',
      code_challenge: challenge,
      code_challenge_method: 'S256',
    });

    it.each([
      'http://127.0.0.1:51234/cb',
      'http://127.0.0.1:1/cb',
      'http://127.0.0.1/cb',
      'http://[::1]:49152/cb',
      'http://[::1]:8080/cb',
      'http://[::1]/cb',
    ])('any port is accepted: %s, and the code redeems with the same URI', async (redirectUri) => {
      const { verifier, challenge } = pkce();
      const res = await authorizeAndAllow(browser, query(redirectUri, challenge));
      expect(res.statusCode).toBe(303);
      const location = String(res.headers['location']);
      expect(location.startsWith(`${redirectUri}?`)).toBe(true);
      const params = locationParams(res);
      expect(params.get('state')).toBe('loop');
      expect(params.get('iss')).toBe(ISSUER);
      const tokens = await tokenRequest(s.app, undefined, {
        grant_type: 'authorization_code',
        client_id: loopbackApp.client.id,
        code: params.get('code') as string,
        redirect_uri: redirectUri,
        code_verifier: verifier,
      });
      expect(tokens.statusCode).toBe(200);
    });

    it.each([
      ['localhost instead of the IP', 'http://localhost:51234/cb'],
      ['other loopback IP', 'http://127.0.0.2:51234/cb'],
      ['short IPv4 form', 'http://127.1:51234/cb'],
      ['long IPv6 form', 'http://[0:0:0:0:0:0:0:1]:51234/cb'],
      ['IPv4-mapped IPv6', 'http://[::ffff:127.0.0.1]:51234/cb'],
      ['other path', 'http://127.0.0.1:51234/other'],
      ['trailing slash', 'http://127.0.0.1:51234/cb/'],
      ['path case', 'http://127.0.0.1:51234/CB'],
      ['extra query', 'http://127.0.0.1:51234/cb?x=1'],
      ['fragment', 'http://127.0.0.1:51234/cb#f'],
      ['userinfo', 'http://u@127.0.0.1:51234/cb'],
      ['https on loopback', 'https://127.0.0.1:51234/cb'],
      ['leading-zero port', 'http://127.0.0.1:051234/cb'],
      ['port out of range', 'http://127.0.0.1:65536/cb'],
      ['IPv6 other path', 'http://[::1]:51234/cb2'],
      ['host case', 'HTTP://127.0.0.1:51234/cb'],
    ])('%s (%s): error page, nothing stored', async (_name, redirectUri) => {
      const before = await snapshot(s);
      const res = await browser.get(authorizeUrl(query(redirectUri, pkce().challenge)));
      expectErrorPage(res, 400);
      expect(await snapshot(s)).toEqual(before);
    });

    it('the loopback exception does not apply to a registered https URI: another port is refused', async () => {
      const res = await browser.get(
        authorizeUrl({
          response_type: 'code',
          client_id: app.client.id,
          redirect_uri: 'https://app.example:4443/cb',
          scope: 'data:read',
        }),
      );
      expectErrorPage(res, 400);
    });
  });

  describe('unknown or missing client_id', () => {
    it.each([
      ['unknown', { client_id: 'no-such-client', redirect_uri: 'https://app.example/cb' }],
      ['missing', { redirect_uri: 'https://app.example/cb' }],
      ['empty', { client_id: '', redirect_uri: 'https://app.example/cb' }],
      ['SQL', { client_id: "' OR 1=1--", redirect_uri: 'https://app.example/cb' }],
      ['NUL', { client_id: 'a\u0000b', redirect_uri: 'https://app.example/cb' }],
      ['10 KB', { client_id: 'x'.repeat(10_000), redirect_uri: 'https://app.example/cb' }],
      ['unicode', { client_id: 'clïent', redirect_uri: 'https://app.example/cb' }],
    ] as const)('%s client_id: HTML error page, no redirect, nothing stored', async (_name, params) => {
      const before = await snapshot(s);
      const res = await browser.get(
        authorizeUrl({ response_type: 'code', scope: 'data:read', state: 's', ...params }),
      );
      expectErrorPage(res, 400);
      expect(await snapshot(s)).toEqual(before);
    });

    it('an app without the authorization code grant and no redirect URIs: error page, no redirect', async () => {
      const res = await browser.get(
        authorizeUrl({
          response_type: 'code',
          client_id: s.credentials.clientId,
          redirect_uri: 'https://app.example/cb',
          scope: 'data:read',
        }),
      );
      expectErrorPage(res, 400);
    });

    it('a repeated client_id is refused with a page, never a redirect', async () => {
      const res = await browser.get(
        `/oauth/authorize?response_type=code&client_id=${app.client.id}&client_id=${publicApp.client.id}&redirect_uri=${encodeURIComponent(app.redirectUri)}`,
      );
      expectErrorPage(res, 400);
    });
  });

  describe('valid client and redirect, bad request: redirect with error, state and iss', () => {
    const base = () => ({
      response_type: 'code',
      client_id: app.client.id,
      redirect_uri: app.redirectUri,
      scope: 'data:read',
      state: 'st@te /&=x',
    });

    it.each([
      ['a scope the app may not use', 'admin'],
      ['an unknown scope', 'photos:delete'],
      ['one bad scope among good ones', 'data:read nope'],
      ['a malformed scope', 'data:read "quoted"'],
    ])('%s → invalid_scope', async (_name, scope) => {
      const before = await snapshot(s);
      for (const who of [browser, new InjectBrowser(s.app)]) {
        const res = await who.get(authorizeUrl({ ...base(), scope }));
        expectRedirectError(res, app.redirectUri, 'invalid_scope', 'st@te /&=x');
      }
      expect(await snapshot(s)).toEqual(before);
    });

    it.each([
      ['token', 'token'],
      ['code id_token', 'code id_token'],
      ['empty', ''],
      ['CODE', 'CODE'],
    ])('response_type=%s → unsupported_response_type', async (_name, responseType) => {
      const res = await browser.get(authorizeUrl({ ...base(), response_type: responseType }));
      expectRedirectError(res, app.redirectUri, 'unsupported_response_type', 'st@te /&=x');
    });

    it('missing response_type → unsupported_response_type', async () => {
      const { response_type: _, ...query } = base();
      const res = await browser.get(authorizeUrl(query));
      expectRedirectError(res, app.redirectUri, 'unsupported_response_type', 'st@te /&=x');
    });

    it('without state the error redirect carries no state, still iss', async () => {
      const { state: _, ...query } = base();
      const res = await browser.get(authorizeUrl({ ...query, scope: 'admin' }));
      expectRedirectError(res, app.redirectUri, 'invalid_scope', undefined);
    });
  });

  describe('PKCE: S256 only, required for public apps', () => {
    const challenge = pkce().challenge;
    const query = (target: ThreeLeggedApp, extra: Record<string, string>) => ({
      response_type: 'code',
      client_id: target.client.id,
      redirect_uri: target.redirectUri,
      scope: 'data:read',
      state: 'pk',
      ...extra,
    });

    it.each([
      ['no challenge', {}],
      ['plain', { code_challenge: challenge, code_challenge_method: 'plain' }],
      ['challenge without method (= plain)', { code_challenge: challenge }],
      ['unknown method', { code_challenge: challenge, code_challenge_method: 'S512' }],
      ['lower-case s256', { code_challenge: challenge, code_challenge_method: 's256' }],
      ['method without challenge', { code_challenge_method: 'S256' }],
      ['short challenge', { code_challenge: 'abc', code_challenge_method: 'S256' }],
    ])('public app, %s → invalid_request', async (_name, extra) => {
      const before = await snapshot(s);
      const res = await browser.get(authorizeUrl(query(publicApp, extra)));
      expectRedirectError(res, publicApp.redirectUri, 'invalid_request', 'pk');
      expect(await snapshot(s)).toEqual(before);
    });

    it.each([
      ['plain', { code_challenge: challenge, code_challenge_method: 'plain' }],
      ['unknown method', { code_challenge: challenge, code_challenge_method: 'S1' }],
      ['challenge without method', { code_challenge: challenge }],
    ])('confidential app, %s → invalid_request', async (_name, extra) => {
      const res = await browser.get(authorizeUrl(query(app, extra)));
      expectRedirectError(res, app.redirectUri, 'invalid_request', 'pk');
    });

    it('public app with S256 works end to end (client_id in the body, no secret)', async () => {
      const { code, verifier } = await getCode(browser, publicApp, { scope: 'data:read' });
      const res = await tokenRequest(s.app, undefined, {
        grant_type: 'authorization_code',
        client_id: publicApp.client.id,
        code,
        redirect_uri: publicApp.redirectUri,
        code_verifier: verifier as string,
      });
      expect(res.statusCode).toBe(200);
    });

    it('confidential app without PKCE works end to end (Lokalise style)', async () => {
      const lokalise = await freshApp();
      const { code, location } = await getCode(browser, lokalise, { withPkce: false, state: 'lok' });
      expect(new URL(location).searchParams.get('state')).toBe('lok');
      const res = await tokenRequest(s.app, lokalise.basic, {
        grant_type: 'authorization_code',
        code,
        redirect_uri: lokalise.redirectUri,
      });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ token_type: 'Bearer', scope: 'data:read data:write' });
      expect(res.json().refresh_token).toMatch(REFRESH_TOKEN_SHAPE);
    });

    it('LATCHKEY_REQUIRE_PKCE=true: a confidential app without PKCE → invalid_request', async () => {
      const strict = await startTestServer(dialect, { LATCHKEY_REQUIRE_PKCE: 'true' });
      try {
        const confidential = await registerThreeLeggedApp(strict);
        const res = await new InjectBrowser(strict.app).get(
          authorizeUrl({
            response_type: 'code',
            client_id: confidential.client.id,
            redirect_uri: confidential.redirectUri,
            scope: 'data:read',
            state: 'strict',
          }),
        );
        expectRedirectError(res, confidential.redirectUri, 'invalid_request', 'strict');
        const ok = await new InjectBrowser(strict.app).get(
          authorizeUrl({
            response_type: 'code',
            client_id: confidential.client.id,
            redirect_uri: confidential.redirectUri,
            scope: 'data:read',
            code_challenge: pkce().challenge,
            code_challenge_method: 'S256',
          }),
        );
        // Valid with PKCE: on to the sign-in page.
        expect(ok.statusCode).toBe(303);
        expect(String(ok.headers['location'])).toMatch(/^\/login\?return_to=/);
      } finally {
        await strict.close();
      }
    });
  });

  describe('return_to off-site is ignored', () => {
    const offSite = [
      'https://evil.example/x',
      '//evil.example',
      '//evil.example/account/apps',
      '/\\evil.example',
      '\\\\evil.example',
      '/\t/evil.example',
      ' //evil.example',
      'javascript:alert(1)',
      'http:evil.example',
      'data:text/html,hi',
      '/\r\nLocation: https://evil.example',
    ];

    it.each(offSite)('login page for %j posts back with the default return_to', async (returnTo) => {
      const anonymous = new InjectBrowser(s.app);
      const page = await anonymous.get(`/login?return_to=${encodeURIComponent(returnTo)}`);
      expect(page.statusCode).toBe(200);
      expect(formAction(page.body)).toBe('/login?return_to=%2Faccount%2Fapps');
      expect(page.body).not.toContain('evil.example');
      const signup = await anonymous.get(`/signup?return_to=${encodeURIComponent(returnTo)}`);
      expect(formAction(signup.body)).toBe('/signup?return_to=%2Faccount%2Fapps');
      // Already signed in: straight to the default.
      const signedIn = await browser.get(`/login?return_to=${encodeURIComponent(returnTo)}`);
      expect(signedIn.statusCode).toBe(303);
      expect(signedIn.headers['location']).toBe('/account/apps');
    });

    it('signing in with an off-site return_to lands on /account/apps', async () => {
      for (const returnTo of offSite.slice(0, 4).concat('javascript:alert(1)')) {
        const anonymous = new InjectBrowser(s.app);
        const page = await anonymous.get('/login');
        // POSTed directly, as an attacker's crafted form would.
        const res = await anonymous.post(`/login?return_to=${encodeURIComponent(returnTo)}`, {
          csrf: csrfOf(page.body),
          email,
          password: PASSWORD,
        });
        expect(res.statusCode).toBe(303);
        expect(res.headers['location']).toBe('/account/apps');
        expect(sessionCookieSet(res)).toBe(true);
      }
    });

    it('a same-origin relative path is honoured', async () => {
      const anonymous = new InjectBrowser(s.app);
      const res = await signIn(anonymous, email, PASSWORD, '/account/apps?tab=all');
      expect(res.statusCode).toBe(303);
      expect(res.headers['location']).toBe('/account/apps?tab=all');
      const signedIn = await browser.get(`/login?return_to=${encodeURIComponent('/oauth/authorize?x=1')}`);
      expect(signedIn.headers['location']).toBe('/oauth/authorize?x=1');
    });
  });

  describe('pages: no framing, no referrer, no third-party resources', () => {
    it('login, sign-up, error, consent, connected apps and failure pages', async () => {
      const anonymous = new InjectBrowser(s.app);
      const login = await anonymous.get('/login');
      expect(login.statusCode).toBe(200);
      expectSecurePage(login);
      const signup = await anonymous.get('/signup');
      expect(signup.statusCode).toBe(200);
      expectSecurePage(signup);
      const wrongPassword = await anonymous.post('/login', {
        csrf: csrfOf(login.body),
        email: 'nobody-pages@example.com',
        password: 'wrong',
      });
      expect(wrongPassword.statusCode).toBe(401);
      expectSecurePage(wrongPassword);
      const forbidden = await anonymous.post('/login', { email, password: PASSWORD });
      expect(forbidden.statusCode).toBe(403);
      expectSecurePage(forbidden);
      const error = await anonymous.get(authorizeUrl({ response_type: 'code', client_id: 'nope' }));
      expectErrorPage(error, 400);
      const consentApp = await freshApp();
      const consent = await browser.get(
        authorizeUrl({
          response_type: 'code',
          client_id: consentApp.client.id,
          redirect_uri: consentApp.redirectUri,
          scope: 'data:read',
        }),
      );
      expect(consent.statusCode).toBe(200);
      expect(consent.body).toContain('Allow');
      expectSecurePage(consent);
      const apps = await browser.get('/account/apps');
      expect(apps.statusCode).toBe(200);
      expectSecurePage(apps);
    });
  });

  describe('anti-CSRF token and Origin on every form POST', () => {
    const FOREIGN = [
      'https://evil.example',
      'http://localhost:4001',
      'https://localhost:4000',
      'http://localhost',
    ];

    it('login: no token / foreign Origin → 403 and no session; Origin: null with the token → 303', async () => {
      const anonymous = new InjectBrowser(s.app);
      const page = await anonymous.get('/login');
      const csrf = csrfOf(page.body);
      const sessions = await s.ctx.db.selectFrom('sessions').select('user_id').execute();
      const noToken = await anonymous.post('/login', { email, password: PASSWORD });
      expectErrorPage(noToken, 403);
      expect(sessionCookieSet(noToken)).toBe(false);
      const wrongToken = await anonymous.post('/login', { csrf: 'x'.repeat(43), email, password: PASSWORD });
      expectErrorPage(wrongToken, 403);
      // A token without its cookie (another browser's page) is refused too.
      const cookieless = await new InjectBrowser(s.app).post('/login', { csrf, email, password: PASSWORD });
      expectErrorPage(cookieless, 403);
      for (const origin of FOREIGN) {
        const res = await anonymous.post('/login', { csrf, email, password: PASSWORD }, { origin });
        expectErrorPage(res, 403);
        expect(sessionCookieSet(res)).toBe(false);
      }
      expect(await s.ctx.db.selectFrom('sessions').select('user_id').execute()).toEqual(sessions);
      const ok = await anonymous.post('/login', { csrf, email, password: PASSWORD }, { origin: 'null' });
      expect(ok.statusCode).toBe(303);
      expect(sessionCookieSet(ok)).toBe(true);
    });

    // Sign-up signs the browser in: without the check, a foreign page could sign a victim into an
    // account the attacker controls (login CSRF).
    it('sign-up: no / wrong token, foreign Origin → 403, no user, no session; Origin: null with the token → 303', async () => {
      // An IP of its own, so these attempts count against no other test's sign-up limit.
      const visitor = new InjectBrowser(s.app, '10.77.0.1');
      const page = await visitor.get('/signup');
      const action = formAction(page.body);
      const csrf = csrfOf(page.body);
      const victim = 'csrf-signup@example.com';
      const form = { name: 'Victim', email: victim, password: 'a long enough passphrase' };
      const users = () => s.ctx.db.selectFrom('users').select('email').orderBy('email').execute();
      const usersBefore = await users();
      const before = await snapshot(s);
      const refused = [
        await visitor.post(action, form),
        await visitor.post(action, { ...form, csrf: 'x'.repeat(43) }),
        // A token without its cookie (another browser's page) is refused too.
        await new InjectBrowser(s.app, '10.77.0.2').post(action, { ...form, csrf }),
      ];
      for (const origin of FOREIGN) refused.push(await visitor.post(action, { ...form, csrf }, { origin }));
      for (const res of refused) {
        expectErrorPage(res, 403);
        expect(sessionCookieSet(res)).toBe(false);
      }
      expect(await users()).toEqual(usersBefore);
      expect(await snapshot(s)).toEqual(before);
      const ok = await visitor.post(action, { ...form, csrf }, { origin: 'null' });
      expect(ok.statusCode).toBe(303);
      expect(sessionCookieSet(ok)).toBe(true);
      expect((await users()).map((u) => u.email)).toContain(victim);
    });

    it('consent: no token / foreign Origin → 403, no code, no consent; Origin: null with the token → 303', async () => {
      const target = await freshApp();
      const page = await browser.get(
        authorizeUrl({
          response_type: 'code',
          client_id: target.client.id,
          redirect_uri: target.redirectUri,
          scope: 'data:read',
          state: 'c',
        }),
      );
      expect(page.statusCode).toBe(200);
      const action = formAction(page.body);
      const csrf = csrfOf(page.body);
      const before = await snapshot(s);
      const noToken = await browser.post(action, { decision: 'allow' });
      expectErrorPage(noToken, 403);
      const wrongToken = await browser.post(action, { decision: 'allow', csrf: 'y'.repeat(43) });
      expectErrorPage(wrongToken, 403);
      for (const origin of FOREIGN) {
        const res = await browser.post(action, { decision: 'allow', csrf }, { origin });
        expectErrorPage(res, 403);
        expect(sessionCookieSet(res)).toBe(false);
      }
      expect(await snapshot(s)).toEqual(before);
      const ok = await browser.post(action, { decision: 'allow', csrf }, { origin: 'null' });
      expect(ok.statusCode).toBe(303);
      expect(locationParams(ok).get('code')).toMatch(/^[\w-]{43}$/);
      expect(await countRows(s, 'authorization_codes')).toBe(before.authorization_codes + 1);
    });

    it('consent: another user cannot submit my consent form', async () => {
      const target = await freshApp();
      const page = await browser.get(
        authorizeUrl({
          response_type: 'code',
          client_id: target.client.id,
          redirect_uri: target.redirectUri,
          scope: 'data:read',
        }),
      );
      const other = await signedInBrowser(s, new InjectBrowser(s.app), otherUserId);
      const otherPage = await other.get('/account/apps');
      const before = await snapshot(s);
      const res = await other.post(formAction(page.body), {
        decision: 'allow',
        csrf: csrfOf(otherPage.body),
      });
      expectErrorPage(res, 400);
      expect(await snapshot(s)).toEqual(before);
    });

    it('revoke app: no token / foreign Origin → 403, grant kept; Origin: null with the token → 303', async () => {
      const target = await freshApp({ name: 'Revocable' });
      const { code, verifier } = await getCode(browser, target);
      const tokens = (
        await tokenRequest(s.app, target.basic, {
          grant_type: 'authorization_code',
          code,
          redirect_uri: target.redirectUri,
          code_verifier: verifier as string,
        })
      ).json();
      const page = await browser.get('/account/apps');
      const action = `/account/apps/${encodeURIComponent(target.client.id)}/revoke`;
      expect(page.body).toContain(`action="${action}"`);
      const csrf = csrfOf(page.body);
      const liveGrants = () =>
        s.ctx.db
          .selectFrom('grants')
          .select('id')
          .where('client_id', '=', target.client.id)
          .where('revoked_at', 'is', null)
          .execute();
      expect(await liveGrants()).toHaveLength(1);
      expectErrorPage(await browser.post(action, {}), 403);
      expectErrorPage(await browser.post(action, { csrf: 'z'.repeat(43) }), 403);
      for (const origin of FOREIGN) expectErrorPage(await browser.post(action, { csrf }, { origin }), 403);
      expect(await liveGrants()).toHaveLength(1);
      const ok = await browser.post(action, { csrf }, { origin: 'null' });
      expect(ok.statusCode).toBe(303);
      expect(ok.headers['location']).toBe('/account/apps?revoked=1');
      expect(await liveGrants()).toHaveLength(0);
      const refreshed = await tokenRequest(s.app, target.basic, {
        grant_type: 'refresh_token',
        refresh_token: tokens.refresh_token,
      });
      expect(refreshed.json().error).toBe('invalid_grant');
    });

    it('logout: no token / foreign Origin → 403, still signed in; Origin: null with the token → 303', async () => {
      const session = await signedInBrowser(s, new InjectBrowser(s.app), userId);
      const page = await session.get('/account/apps');
      expect(page.statusCode).toBe(200);
      const csrf = csrfOf(page.body);
      expectErrorPage(await session.post('/logout', {}), 403);
      for (const origin of FOREIGN) expectErrorPage(await session.post('/logout', { csrf }, { origin }), 403);
      expect((await session.get('/account/apps')).statusCode).toBe(200);
      const ok = await session.post('/logout', { csrf }, { origin: 'null' });
      expect(ok.statusCode).toBe(303);
      expect(ok.headers['location']).toBe('/login');
      const after = await session.get('/account/apps');
      expect(after.statusCode).toBe(303);
      expect(String(after.headers['location'])).toMatch(/^\/login\?/);
    });
  });

  // RFC 9700 §4.7 / RFC 6749 §10.12: a signed-in browser's form token is bound to its session, so
  // neither another session's token nor a cookie an attacker managed to plant (a sibling subdomain, an
  // http:// page of the same host) with a matching field passes; before sign-in it is bound to the
  // browser's pre-session cookie.
  describe('the anti-CSRF token is bound to the session', () => {
    /** The form of a 403 form_expired page. */
    const expectFormExpired = (res: Awaited<ReturnType<InjectBrowser['get']>>) => {
      expectErrorPage(res, 403);
      expect(res.body).toContain('form_expired');
    };

    /** The victim (ada, signed in) with the attacker's csrf cookie planted in her browser. */
    async function victimWithPlantedCookie(value: string) {
      const victim = await signedInBrowser(s, new InjectBrowser(s.app), userId);
      victim.cookies.set('lk_csrf', value);
      return victim;
    }

    /** Bob's own token (and csrf cookie, if any) from a page of his own session. */
    async function bobsToken() {
      const bob = await signedInBrowser(s, new InjectBrowser(s.app), otherUserId);
      const page = await bob.get('/account/apps');
      const csrf = csrfOf(page.body);
      return { csrf, cookie: bob.cookies.get('lk_csrf') ?? csrf };
    }

    it("consent: another user's token (with his csrf cookie planted) is refused; nothing is stored", async () => {
      const target = await freshApp();
      const { csrf, cookie } = await bobsToken();
      const victim = await victimWithPlantedCookie(cookie);
      const page = await victim.get(
        authorizeUrl({
          response_type: 'code',
          client_id: target.client.id,
          redirect_uri: target.redirectUri,
          scope: 'data:read',
        }),
      );
      expect(page.statusCode).toBe(200);
      const before = await snapshot(s);
      expectFormExpired(await victim.post(formAction(page.body), { decision: 'allow', csrf }));
      expect(await snapshot(s)).toEqual(before);
      // Her own page's token still works.
      const ok = await victim.post(formAction(page.body), { decision: 'allow', csrf: csrfOf(page.body) });
      expect(ok.statusCode).toBe(303);
      expect(locationParams(ok).get('code')).toMatch(/^[\w-]{43}$/);
    });

    it("revoke app and sign-out: another user's token (with his csrf cookie planted) is refused", async () => {
      const target = await freshApp({ name: 'Kept' });
      const victim = await signedInBrowser(s, new InjectBrowser(s.app), userId);
      await getCode(victim, target);
      const { csrf, cookie } = await bobsToken();
      victim.cookies.set('lk_csrf', cookie);
      const consents = () =>
        s.ctx.db.selectFrom('consents').select('user_id').where('client_id', '=', target.client.id).execute();
      expect(await consents()).toHaveLength(1);
      const revoke = `/account/apps/${encodeURIComponent(target.client.id)}/revoke`;
      expectFormExpired(await victim.post(revoke, { csrf }));
      expect(await consents()).toHaveLength(1);
      expectFormExpired(await victim.post('/logout', { csrf }));
      expect((await victim.get('/account/apps')).statusCode).toBe(200);
    });

    it('a planted csrf cookie with a matching field is refused, signed in (consent, revoke, sign-out) or not (sign-in, sign-up)', async () => {
      const planted = 'A'.repeat(43);
      const victim = await victimWithPlantedCookie(planted);
      const target = await freshApp();
      const page = await victim.get(
        authorizeUrl({
          response_type: 'code',
          client_id: target.client.id,
          redirect_uri: target.redirectUri,
          scope: 'data:read',
        }),
      );
      expectFormExpired(await victim.post(formAction(page.body), { decision: 'allow', csrf: planted }));
      expectFormExpired(
        await victim.post(`/account/apps/${encodeURIComponent(app.client.id)}/revoke`, { csrf: planted }),
      );
      expectFormExpired(await victim.post('/logout', { csrf: planted }));
      expect((await victim.get('/account/apps')).statusCode).toBe(200);
      // Before sign-in: the attacker's own account must not be signed into the victim's browser.
      const anonymous = new InjectBrowser(s.app, '10.78.0.1');
      anonymous.cookies.set('lk_csrf', planted);
      const signin = await anonymous.post('/login', { csrf: planted, email: otherEmail, password: PASSWORD });
      expectFormExpired(signin);
      expect(sessionCookieSet(signin)).toBe(false);
      const signup = await anonymous.post('/signup', {
        csrf: planted,
        name: 'Planted',
        email: 'planted@example.com',
        password: 'a long enough passphrase',
      });
      expectFormExpired(signup);
      expect(sessionCookieSet(signup)).toBe(false);
    });

    it('one key per database: a form of one server is accepted by another server on the same database', async () => {
      const second = await createServer(s.config, createLogger('silent'));
      try {
        const visitor = new InjectBrowser(s.app, '10.78.0.3');
        const page = await visitor.get('/login');
        const onSecond = new InjectBrowser(second.app, '10.78.0.3');
        for (const [name, value] of visitor.cookies) onSecond.cookies.set(name, value);
        const res = await onSecond.post('/login', { csrf: csrfOf(page.body), email, password: PASSWORD });
        expect(res.statusCode).toBe(303);
        expect(second.ctx.csrfKey.equals(s.ctx.csrfKey)).toBe(true);
        expect(s.ctx.csrfKey).toHaveLength(32);
      } finally {
        await second.close();
      }
    });

    it("a token of the browser's previous session stops working once another user signs in there", async () => {
      const shared = await signedInBrowser(s, new InjectBrowser(s.app, '10.78.0.2'), otherUserId);
      const old = csrfOf((await shared.get('/account/apps')).body);
      expect((await shared.post('/logout', { csrf: old })).statusCode).toBe(303);
      expect((await signIn(shared, email, PASSWORD)).statusCode).toBe(303);
      expectFormExpired(await shared.post('/logout', { csrf: old }));
      const fresh = csrfOf((await shared.get('/account/apps')).body);
      expect(fresh).not.toBe(old);
      expect((await shared.post('/logout', { csrf: fresh })).statusCode).toBe(303);
    });
  });

  describe('every successful POST answers 303', () => {
    it('sign-up, sign-in, allow, deny, revoke app, sign-out', async () => {
      const visitor = new InjectBrowser(s.app);
      const signupPage = await visitor.get('/signup');
      const signedUp = await visitor.post(formAction(signupPage.body), {
        csrf: csrfOf(signupPage.body),
        name: 'Carol',
        email: 'carol@example.com',
        password: 'another long passphrase',
      });
      expect(signedUp.statusCode).toBe(303);
      expect(signedUp.headers['location']).toBe('/account/apps');
      const fresh = new InjectBrowser(s.app);
      const page = await fresh.get('/login');
      const signedIn = await fresh.post(formAction(page.body), {
        csrf: csrfOf(page.body),
        email,
        password: PASSWORD,
      });
      expect(signedIn.statusCode).toBe(303);
      const target = await freshApp();
      const query = {
        response_type: 'code',
        client_id: target.client.id,
        redirect_uri: target.redirectUri,
        scope: 'data:read',
      };
      const consent = await fresh.get(authorizeUrl(query));
      const denied = await fresh.post(formAction(consent.body), {
        csrf: csrfOf(consent.body),
        decision: 'deny',
      });
      expect(denied.statusCode).toBe(303);
      const allowed = await authorizeAndAllow(fresh, query);
      expect(allowed.statusCode).toBe(303);
      const apps = await fresh.get('/account/apps');
      const revoked = await fresh.post(`/account/apps/${encodeURIComponent(target.client.id)}/revoke`, {
        csrf: csrfOf(apps.body),
      });
      expect(revoked.statusCode).toBe(303);
      const out = await fresh.post('/logout', { csrf: csrfOf(apps.body) });
      expect(out.statusCode).toBe(303);
    });
  });

  describe('password brute force (LATCHKEY_LOGIN_MAX_FAILURES=3)', () => {
    async function attempt(ip: string, who: string, password: string) {
      const b = new InjectBrowser(s.app, ip);
      const page = await b.get('/login');
      return b.post('/login', { csrf: csrfOf(page.body), email: who, password });
    }

    // Refusing per account would let anyone lock the owner out: wrong passwords from elsewhere only
    // slow the account's sign-ins down, by at most ACCOUNT_DELAY_MAX_MS.
    it('per account: wrong passwords from other IPs never refuse the right password from another IP; it signs in after a bounded delay', async () => {
      const victim = 'victim@example.com';
      await s.ctx.users.create(victim, PASSWORD);
      for (const ip of ['10.1.0.1', '10.1.0.2', '10.1.0.3', '10.1.0.4']) {
        expect((await attempt(ip, victim, 'guess')).statusCode).toBe(401);
      }
      const started = Date.now();
      const res = await attempt('10.1.0.5', victim, PASSWORD);
      const took = Date.now() - started;
      expect(res.statusCode).toBe(303);
      expect(sessionCookieSet(res)).toBe(true);
      // Four failures with a limit of 3: this attempt waited 500 ms (250 ms doubled), never more than 2 s.
      expect(took).toBeGreaterThanOrEqual(2 * ACCOUNT_DELAY_BASE_MS - 20);
      expect(took).toBeLessThan(ACCOUNT_DELAY_MAX_MS + 1_500);
      // Email case and spaces do not escape the account counter: slowed the same way, still signed in.
      expect((await attempt('10.1.0.6', ' VICTIM@example.com ', PASSWORD)).statusCode).toBe(303);
      // Other accounts are not slowed.
      const other = Date.now();
      expect((await attempt('10.1.0.7', email, PASSWORD)).statusCode).toBe(303);
      expect(Date.now() - other).toBeLessThan(ACCOUNT_DELAY_BASE_MS + 1_000);
    });

    it('per (account, IP): the IP that guessed is refused after the limit, even with the right password; another IP is not', async () => {
      const victim = 'pair-victim@example.com';
      await s.ctx.users.create(victim, PASSWORD);
      for (let i = 0; i < 3; i++) expect((await attempt('10.3.0.1', victim, 'guess')).statusCode).toBe(401);
      const res = await attempt('10.3.0.1', victim, PASSWORD);
      expect(res.statusCode).toBe(429);
      expect(sessionCookieSet(res)).toBe(false);
      const retryAfter = Number(res.headers['retry-after']);
      expect(Number.isInteger(retryAfter)).toBe(true);
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(900);
      expectSecurePage(res);
      expect((await attempt('10.3.0.1', ' PAIR-victim@example.com', PASSWORD)).statusCode).toBe(429);
      expect((await attempt('10.3.0.2', victim, PASSWORD)).statusCode).toBe(303);
    });

    it('per IP: wrong passwords for different emails from one IP, then the right password from that IP is 429', async () => {
      const ipVictim = 'ipvictim@example.com';
      await s.ctx.users.create(ipVictim, PASSWORD);
      for (let i = 0; i < 3 * PER_ADDRESS_LIMIT_FACTOR; i++) {
        expect((await attempt('10.2.0.1', `x${i}@example.com`, 'guess')).statusCode).toBe(401);
      }
      const res = await attempt('10.2.0.1', ipVictim, PASSWORD);
      expect(res.statusCode).toBe(429);
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
      expect(sessionCookieSet(res)).toBe(false);
      // The same account from another IP is fine: the counter was the IP's.
      expect((await attempt('10.2.0.2', ipVictim, PASSWORD)).statusCode).toBe(303);
    });
  });

  describe('consent', () => {
    it('is remembered per user, app and scope set; new scopes ask again', async () => {
      const target = await freshApp();
      const query = (scope: string) =>
        authorizeUrl({
          response_type: 'code',
          client_id: target.client.id,
          redirect_uri: target.redirectUri,
          scope,
          state: 'again',
          code_challenge: pkce().challenge,
          code_challenge_method: 'S256',
        });
      const first = await browser.get(query('data:read'));
      expect(first.statusCode).toBe(200);
      const allowed = await browser.post(formAction(first.body), {
        csrf: csrfOf(first.body),
        decision: 'allow',
      });
      expect(allowed.statusCode).toBe(303);
      const second = await browser.get(query('data:read'));
      expect(second.statusCode).toBe(303);
      const params = locationParams(second);
      expect(params.get('code')).toMatch(/^[\w-]{43}$/);
      expect(params.get('state')).toBe('again');
      expect(params.get('iss')).toBe(ISSUER);
      // Broader: asked again.
      const broader = await browser.get(query('data:read data:write'));
      expect(broader.statusCode).toBe(200);
      expect(broader.body).toContain('Allow');
      // Another user: asked.
      const other = await signedInBrowser(s, new InjectBrowser(s.app), otherUserId);
      expect((await other.get(query('data:read'))).statusCode).toBe(200);
      // Another app of the same user: asked.
      const another = await freshApp();
      const res = await browser.get(
        authorizeUrl({
          response_type: 'code',
          client_id: another.client.id,
          redirect_uri: another.redirectUri,
          scope: 'data:read',
        }),
      );
      expect(res.statusCode).toBe(200);
    });

    it('Deny → redirect with error=access_denied, state and iss; nothing remembered', async () => {
      const target = await freshApp();
      const query = authorizeUrl({
        response_type: 'code',
        client_id: target.client.id,
        redirect_uri: target.redirectUri,
        scope: 'data:read',
        state: 'no-thanks',
      });
      const page = await browser.get(query);
      const codes = await countRows(s, 'authorization_codes');
      const res = await browser.post(formAction(page.body), { csrf: csrfOf(page.body), decision: 'deny' });
      expectRedirectError(res, target.redirectUri, 'access_denied', 'no-thanks');
      expect(await countRows(s, 'authorization_codes')).toBe(codes);
      expect((await browser.get(query)).statusCode).toBe(200);
    });

    it('redirect_uri omitted with exactly one registered: that one is used', async () => {
      const target = await freshApp({ redirectUris: ['https://only.example/callback'] });
      const { code, verifier, location } = await getCode(browser, target, { redirectUri: null });
      expect(location.startsWith('https://only.example/callback?')).toBe(true);
      const res = await tokenRequest(s.app, target.basic, {
        grant_type: 'authorization_code',
        code,
        code_verifier: verifier as string,
      });
      expect(res.statusCode).toBe(200);
    });

    it('redirect_uri omitted with several registered: error page, no redirect', async () => {
      const target = await freshApp({ redirectUris: ['https://one.example/cb', 'https://two.example/cb'] });
      const res = await browser.get(
        authorizeUrl({ response_type: 'code', client_id: target.client.id, scope: 'data:read' }),
      );
      expectErrorPage(res, 400);
    });
  });
});

// RFC 6265bis §4.1.3.2: with an https issuer the page cookies are `__Host-` (Secure, Path=/, no
// Domain), so no sibling subdomain and no http:// page can set them; a same-named cookie without the
// prefix is ignored.
describe('an https issuer: __Host- cookies', () => {
  let s: TestServer;
  let userId: string;
  const email = 'hosted@example.com';
  beforeAll(async () => {
    s = await startTestServer('sqlite', { LATCHKEY_ISSUER: 'https://auth.example' });
    userId = (await s.ctx.users.create(email, PASSWORD)).id;
  });
  afterAll(() => s.close());

  const cookieLines = (res: Awaited<ReturnType<InjectBrowser['get']>>) => {
    const header = res.headers['set-cookie'];
    return header === undefined ? [] : Array.isArray(header) ? header : [header];
  };

  it('the pre-session and session cookies are __Host- and Secure; the forms work with them', async () => {
    const browser = new InjectBrowser(s.app);
    const page = await browser.get('/login');
    const [csrfCookie] = cookieLines(page);
    expect(csrfCookie).toMatch(
      /^__Host-lk_csrf=[\w-]{43}; Path=\/; HttpOnly; SameSite=Lax; Max-Age=\d+; Secure$/,
    );
    const res = await browser.post('/login', { csrf: csrfOf(page.body), email, password: PASSWORD });
    expect(res.statusCode).toBe(303);
    const session = cookieLines(res).find((line) => line.startsWith('__Host-lk_session='));
    expect(session).toMatch(/; Path=\/; .*; Secure$/);
    expect(session).not.toMatch(/Domain=/i);
    const apps = await browser.get('/account/apps');
    expect(apps.statusCode).toBe(200);
    expect((await browser.post('/logout', { csrf: csrfOf(apps.body) })).statusCode).toBe(303);
  });

  it('cookies without the prefix (planted over http:// or by a subdomain) count for nothing', async () => {
    const planted = 'B'.repeat(43);
    const anonymous = new InjectBrowser(s.app);
    anonymous.cookies.set('lk_csrf', planted);
    expectErrorPage(await anonymous.post('/login', { csrf: planted, email, password: PASSWORD }), 403);
    const signedIn = new InjectBrowser(s.app);
    signedIn.cookies.set('lk_session', await s.ctx.users.createSession(userId, 3600));
    expect((await signedIn.get('/account/apps')).statusCode).toBe(303);
  });
});
