/**
 * Attacks on the sign-in, sign-up and consent pages and on the authorization endpoint's input:
 * open redirects through return_to, repeated parameters, hostile state and email values, the CSP
 * form-action of the sign-in page, consent decisions, public clients and sign-up throttling.
 */
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { PER_ADDRESS_LIMIT_FACTOR } from '../src/http/login-throttle.js';
import { DEFAULT_RETURN_TO, safeReturnTo } from '../src/http/return-to.js';
import {
  countRows,
  expectErrorPage,
  expectRedirectError,
  expectSecurePage,
  ISSUER,
  sessionCookieSet,
  signedInBrowser,
  snapshot,
  type ThreeLeggedApp,
} from './support/attacks.js';
import {
  csrfOf,
  formAction,
  InjectBrowser,
  locationParams,
  pkce,
  registerThreeLeggedApp,
} from './support/browser.js';
import { dialects, startTestServer, type TestServer } from './support/server.js';

const PASSWORD = 'correct horse battery';

/** return_to values a browser would follow to another host if they were echoed as a Location. */
const OFF_SITE = [
  '/..//evil.example',
  '/.//evil.example',
  '/%2e%2e//evil.example',
  '/%2E%2E//evil.example',
  '/.%2e//evil.example',
  '/a/..//evil.example',
  '/a/../..//evil.example/x?y=1',
  '/\\evil.example',
  '/%5cevil.example',
  '/%5c%5cevil.example',
  '/\t/evil.example',
  '/\n/evil.example',
  '/\r\n/evil.example',
  '//evil.example',
  'javascript:alert(1)',
  '/javascript:alert(1)',
  'https://evil.example/',
];

/** A path that a browser resolves against the sign-in page stays on the issuer's origin. */
function expectSameOriginPath(location: string) {
  expect(location.startsWith('/')).toBe(true);
  expect(location.startsWith('//')).toBe(false);
  expect(location).not.toContain('\\');
  expect(new URL(location, `${ISSUER}/login`).origin).toBe(ISSUER);
}

/** A 303 whose Location stays on the issuer's origin. */
function expectOnIssuer(res: LightMyRequestResponse) {
  expect(res.statusCode).toBe(303);
  expectSameOriginPath(String(res.headers['location']));
}

/** The `form-action` sources of a page's CSP. */
function formActionSources(res: LightMyRequestResponse): string[] {
  const csp = String(res.headers['content-security-policy']);
  const directive = csp.split(';').find((d) => d.trim().startsWith('form-action '));
  return (directive ?? '').trim().split(/\s+/).slice(1);
}

describe('safeReturnTo', () => {
  it.each(OFF_SITE)('%j never resolves to another origin or a protocol-relative path', (value) => {
    const result = safeReturnTo(value, ISSUER);
    expect(result.startsWith('/')).toBe(true);
    expect(result.startsWith('//')).toBe(false);
    expect(result).not.toContain('\\');
    expect(new URL(result, ISSUER).origin).toBe(ISSUER);
  });

  it.each(['/..//evil.example', '/.//evil.example', '/%2e%2e//evil.example', '/a/..//evil.example'])(
    '%j (resolves to //host) falls back to the default',
    (value) => {
      expect(safeReturnTo(value, ISSUER)).toBe(DEFAULT_RETURN_TO);
    },
  );

  it('keeps an ordinary same-origin path with its query', () => {
    expect(safeReturnTo('/oauth/authorize?client_id=a&state=b', ISSUER)).toBe(
      '/oauth/authorize?client_id=a&state=b',
    );
    expect(safeReturnTo('/a/../account/apps', ISSUER)).toBe('/account/apps');
  });
});

describe('LATCHKEY_SIGNUP_MAX_PER_IP and LATCHKEY_SIGNUP_WINDOW', () => {
  it('default to 10 per hour and are read from the environment', () => {
    const defaults = loadConfig({}, '/tmp');
    expect({ max: defaults.signupMaxPerIp, window: defaults.signupWindow }).toEqual({
      max: 10,
      window: 3600,
    });
    const set = loadConfig({ LATCHKEY_SIGNUP_MAX_PER_IP: '2', LATCHKEY_SIGNUP_WINDOW: '15m' }, '/tmp');
    expect({ max: set.signupMaxPerIp, window: set.signupWindow }).toEqual({ max: 2, window: 900 });
    expect(() => loadConfig({ LATCHKEY_SIGNUP_MAX_PER_IP: '0' }, '/tmp')).toThrow(/SIGNUP_MAX_PER_IP/);
  });
});

describe.each(dialects())('page attacks on %s', (dialect) => {
  let s: TestServer;
  let app: ThreeLeggedApp;
  let publicApp: ThreeLeggedApp;
  let loopbackApp: ThreeLeggedApp;
  let userId: string;
  const email = 'ada@example.com';
  let ipCounter = 0;
  /** A fresh client IP, so the per-IP sign-in and sign-up limits of one test do not touch another. */
  const nextIp = () => `10.${Math.floor(ipCounter / 250)}.${ipCounter++ % 250}.7`;
  const anonymous = () => new InjectBrowser(s.app, nextIp());
  const authorizeUrl = (query: Record<string, string>) => `/oauth/authorize?${new URLSearchParams(query)}`;

  /** A signed-in browser on the consent page of a newly registered app, the request not yet answered. */
  async function consentPageOf(name: string, extra: Record<string, string> = {}) {
    const signedIn = await signedInBrowser(s, anonymous(), userId);
    const target = await registerThreeLeggedApp(s, { name });
    const page = await signedIn.get(
      authorizeUrl({
        response_type: 'code',
        client_id: target.client.id,
        redirect_uri: target.redirectUri,
        scope: 'data:read',
        ...extra,
      }),
    );
    expect(page.statusCode).toBe(200);
    return { signedIn, page };
  }
  let emailCounter = 0;
  const freshEmail = () => `new${emailCounter++}@example.com`;

  beforeAll(async () => {
    s = await startTestServer(dialect, {
      LATCHKEY_LOGIN_MAX_FAILURES: '5',
      LATCHKEY_SIGNUP_MAX_PER_IP: '3',
    });
    userId = (await s.ctx.users.create(email, PASSWORD)).id;
    app = await registerThreeLeggedApp(s, { redirectUris: ['https://app.example/cb'] });
    publicApp = await registerThreeLeggedApp(s, {
      name: 'SPA',
      isPublic: true,
      redirectUris: ['https://spa.example/cb'],
    });
    loopbackApp = await registerThreeLeggedApp(s, { name: 'Desktop', redirectUris: ['http://127.0.0.1/cb'] });
  });
  afterAll(async () => {
    expect(s.logs.text).not.toContain(PASSWORD);
    expect(s.logs.text).not.toContain('unexpected error');
    await s?.close();
  });

  async function postLogin(browser: InjectBrowser, url: string, who: string, password = PASSWORD) {
    const page = await browser.get('/login');
    return browser.post(url, { csrf: csrfOf(page.body), email: who, password });
  }

  async function postSignup(browser: InjectBrowser, url: string, who: string, password = PASSWORD) {
    const page = await browser.get('/signup');
    return browser.post(url, { csrf: csrfOf(page.body), name: 'Ada Lovelace', email: who, password });
  }

  describe('H1: return_to that resolves to //host is refused end to end', () => {
    it.each(OFF_SITE)('%j: GET/POST /login and /signup stay on the issuer', async (returnTo) => {
      const query = `return_to=${encodeURIComponent(returnTo)}`;
      const visitor = anonymous();
      const loginPage = await visitor.get(`/login?${query}`);
      expect(loginPage.statusCode).toBe(200);
      expect(loginPage.body).not.toContain('evil.example');
      const loginReturnTo = new URLSearchParams(formAction(loginPage.body).split('?')[1]).get('return_to');
      expectSameOriginPath(String(loginReturnTo));
      const signupPage = await visitor.get(`/signup?${query}`);
      expect(signupPage.statusCode).toBe(200);
      expect(signupPage.body).not.toContain('evil.example');
      expect(new URLSearchParams(formAction(signupPage.body).split('?')[1]).get('return_to')).toBe(
        loginReturnTo,
      );

      const signedIn = await signedInBrowser(s, anonymous(), userId);
      expectOnIssuer(await signedIn.get(`/login?${query}`));

      const loggedIn = await postLogin(anonymous(), `/login?${query}`, email);
      expectOnIssuer(loggedIn);
      expect(sessionCookieSet(loggedIn)).toBe(true);

      const signedUp = await postSignup(anonymous(), `/signup?${query}`, freshEmail());
      expectOnIssuer(signedUp);
      expect(sessionCookieSet(signedUp)).toBe(true);
    });

    it('/..//evil.example lands exactly on the default page', async () => {
      const res = await postLogin(
        anonymous(),
        `/login?return_to=${encodeURIComponent('/..//evil.example')}`,
        email,
      );
      expect(res.headers['location']).toBe(DEFAULT_RETURN_TO);
    });
  });

  describe('M3: repeated query parameters never give a 500', () => {
    const twice = 'return_to=%2Fa&return_to=%2Fb';

    it('login and sign-up treat a repeated return_to as absent', async () => {
      const visitor = anonymous();
      const login = await visitor.get(`/login?${twice}`);
      expect(login.statusCode).toBe(200);
      expect(formAction(login.body)).toBe('/login?return_to=%2Faccount%2Fapps');
      const signup = await visitor.get(`/signup?${twice}`);
      expect(signup.statusCode).toBe(200);
      expect(formAction(signup.body)).toBe('/signup?return_to=%2Faccount%2Fapps');
      const signedIn = await signedInBrowser(s, anonymous(), userId);
      const already = await signedIn.get(`/login?${twice}`);
      expect(already.statusCode).toBe(303);
      expect(already.headers['location']).toBe(DEFAULT_RETURN_TO);
      const posted = await postLogin(anonymous(), `/login?${twice}`, email);
      expect(posted.statusCode).toBe(303);
      expect(posted.headers['location']).toBe(DEFAULT_RETURN_TO);
      const wrong = await postLogin(anonymous(), `/login?${twice}`, email, 'wrong password');
      expect(wrong.statusCode).toBe(401);
      const signedUp = await postSignup(anonymous(), `/signup?${twice}`, freshEmail());
      expect(signedUp.statusCode).toBe(303);
      expect(signedUp.headers['location']).toBe(DEFAULT_RETURN_TO);
    });

    it('connected apps with a repeated flag renders', async () => {
      const signedIn = await signedInBrowser(s, anonymous(), userId);
      expect((await signedIn.get('/account/apps?revoked=1&revoked=1')).statusCode).toBe(200);
    });

    it('authorize: a repeated client_id or redirect_uri is an error page (RFC 6749 §3.1)', async () => {
      const signedIn = await signedInBrowser(s, anonymous(), userId);
      const redirect = encodeURIComponent(app.redirectUri);
      const before = await snapshot(s);
      for (const url of [
        `/oauth/authorize?response_type=code&client_id=${app.client.id}&client_id=${app.client.id}&redirect_uri=${redirect}`,
        `/oauth/authorize?response_type=code&client_id=${app.client.id}&redirect_uri=${redirect}&redirect_uri=${redirect}`,
      ]) {
        expectErrorPage(await signedIn.get(url), 400);
        expectErrorPage(await anonymous().get(url), 400);
      }
      expect(await snapshot(s)).toEqual(before);
    });

    it.each([
      ['scope', 'scope=data:read&scope=data:write', 'st'],
      ['response_type', 'response_type=code&scope=data:read', 'st'],
      ['code_challenge_method', 'scope=data:read&code_challenge_method=S256', 'st'],
      ['state', 'scope=data:read&state=other', undefined],
    ])('authorize: a repeated %s redirects with invalid_request', async (_name, extra, state) => {
      const signedIn = await signedInBrowser(s, anonymous(), userId);
      const { challenge } = pkce();
      const url = `/oauth/authorize?response_type=code&client_id=${app.client.id}&redirect_uri=${encodeURIComponent(app.redirectUri)}&state=st&code_challenge=${challenge}&code_challenge_method=S256&${extra}`;
      const before = await snapshot(s);
      for (const who of [signedIn, anonymous()]) {
        expectRedirectError(await who.get(url), app.redirectUri, 'invalid_request', state);
      }
      expect(await snapshot(s)).toEqual(before);
    });

    it('consent decision: a repeated request handle is a 400 page and the request stays usable', async () => {
      const { signedIn, page } = await consentPageOf('Repeated handle');
      const action = formAction(page.body);
      const handle = new URLSearchParams(action.split('?')[1]).get('request') as string;
      const res = await signedIn.post(`${action}&request=${encodeURIComponent(handle)}`, {
        csrf: csrfOf(page.body),
        decision: 'allow',
      });
      expectErrorPage(res, 400);
      const ok = await signedIn.post(action, { csrf: csrfOf(page.body), decision: 'allow' });
      expect(ok.statusCode).toBe(303);
      expect(locationParams(ok).get('code')).toMatch(/^[\w-]{43}$/);
    });
  });

  describe('state must be VSCHAR, at most 1024 characters (RFC 6749 Appendix A.5)', () => {
    it.each([
      ['NUL', 'a\u0000b'],
      ['newline', 'a\nb'],
      ['carriage return', 'a\rb'],
      ['tab', 'a\tb'],
      ['DEL', 'a\u007fb'],
      ['non-ASCII', 'état'],
      ['emoji', 'a😀'],
      ['1025 characters', 'x'.repeat(1025)],
    ])('%s: invalid_request with iss, the bad state not echoed, nothing stored', async (_name, state) => {
      const { challenge } = pkce();
      const query = {
        response_type: 'code',
        client_id: app.client.id,
        redirect_uri: app.redirectUri,
        scope: 'data:read',
        state,
        code_challenge: challenge,
        code_challenge_method: 'S256',
      };
      const before = await snapshot(s);
      for (const who of [await signedInBrowser(s, anonymous(), userId), anonymous()]) {
        const res = await who.get(authorizeUrl(query));
        expectRedirectError(res, app.redirectUri, 'invalid_request', undefined);
        expect(String(res.headers['location'])).not.toContain(encodeURIComponent(state).slice(0, 20));
      }
      const after = await snapshot(s);
      expect({ ...after, sessions: 0 }).toEqual({ ...before, sessions: 0 });
    });

    it('every printable ASCII character and exactly 1024 characters are accepted and echoed', async () => {
      const printable = Array.from({ length: 0x7f - 0x20 }, (_, i) => String.fromCharCode(0x20 + i)).join('');
      const signedIn = await signedInBrowser(s, anonymous(), userId);
      for (const state of [printable, 'y'.repeat(1024)]) {
        const res = await signedIn.get(
          authorizeUrl({
            response_type: 'code',
            client_id: app.client.id,
            redirect_uri: app.redirectUri,
            scope: 'data:read',
            state,
            code_challenge: pkce().challenge,
            code_challenge_method: 'S256',
          }),
        );
        expect(res.statusCode).toBe(200);
        const decided = await signedIn.post(formAction(res.body), {
          csrf: csrfOf(res.body),
          decision: 'deny',
        });
        expectRedirectError(decided, app.redirectUri, 'access_denied', state);
      }
    });
  });

  describe('email input with control characters or over 320 characters never reaches the database', () => {
    const bad = [
      ['NUL', 'ada\u0000@example.com'],
      ['NUL at the end', 'ada@example.com\u0000'],
      ['SOH', 'ada\u0001@example.com'],
      ['escape', 'ada\u001b[31m@example.com'],
      ['DEL', 'ada\u007f@example.com'],
      ['C1 control', 'ada\u0085@example.com'],
      ['321 characters', `${'a'.repeat(64)}@${'b'.repeat(252)}.com`],
      ['10 KB', `${'a'.repeat(10_000)}@example.com`],
    ] as const;

    it.each(bad)('login with %s: 401 wrong credentials page', async (_name, who) => {
      const res = await postLogin(anonymous(), '/login', who);
      expect(res.statusCode).toBe(401);
      expect(res.body).toContain('Wrong email or password.');
      expect(sessionCookieSet(res)).toBe(false);
      expectSecurePage(res);
    });

    it('login: such attempts are counted by the throttle', async () => {
      const ip = nextIp();
      for (let i = 0; i < 5 * PER_ADDRESS_LIMIT_FACTOR; i++) {
        const [, who] = bad[i % bad.length] as (typeof bad)[number];
        expect((await postLogin(new InjectBrowser(s.app, ip), '/login', who)).statusCode).toBe(401);
      }
      const res = await postLogin(new InjectBrowser(s.app, ip), '/login', email);
      expect(res.statusCode).toBe(429);
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    });

    it.each(bad)('sign-up with %s: 400 form error, no account', async (_name, who) => {
      const users = await s.ctx.db
        .selectFrom('users')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow();
      const res = await postSignup(anonymous(), '/signup', who);
      expect(res.statusCode).toBe(400);
      expect(res.body).toContain('Enter a valid email address.');
      expect(sessionCookieSet(res)).toBe(false);
      expectSecurePage(res);
      const after = await s.ctx.db
        .selectFrom('users')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow();
      expect(Number(after.n)).toBe(Number(users.n));
    });
  });

  describe('L1: the sign-in page lets its form end at a registered redirect URI', () => {
    const returnToFor = (target: ThreeLeggedApp, redirectUri?: string) =>
      `/oauth/authorize?${new URLSearchParams({
        response_type: 'code',
        client_id: target.client.id,
        ...(redirectUri === undefined ? {} : { redirect_uri: redirectUri }),
        scope: 'data:read',
      })}`;
    const loginFor = (returnTo: string) => `/login?${new URLSearchParams({ return_to: returnTo })}`;

    it('a valid, registered redirect URI adds its origin to form-action on /login and /signup', async () => {
      const visitor = anonymous();
      const returnTo = returnToFor(app, app.redirectUri);
      for (const res of [
        await visitor.get(loginFor(returnTo)),
        await visitor.get(`/signup?${new URLSearchParams({ return_to: returnTo })}`),
        await postLogin(visitor, loginFor(returnTo), email, 'wrong password'),
      ]) {
        expect(formActionSources(res)).toEqual(["'self'", 'https://app.example']);
      }
      // redirect_uri omitted: the only registered one.
      expect(formActionSources(await visitor.get(loginFor(returnToFor(app))))).toEqual([
        "'self'",
        'https://app.example',
      ]);
      // A loopback redirect with a port: that port's origin (RFC 8252 §7.3).
      expect(
        formActionSources(await visitor.get(loginFor(returnToFor(loopbackApp, 'http://127.0.0.1:51234/cb')))),
      ).toEqual(["'self'", 'http://127.0.0.1:51234']);
    });

    it.each([
      ['an unregistered redirect URI', () => returnToFor(app, 'https://evil.example/cb')],
      [
        'an unknown client',
        () => '/oauth/authorize?client_id=nope&redirect_uri=https%3A%2F%2Fevil.example%2Fcb',
      ],
      [
        'a repeated client_id',
        () =>
          `/oauth/authorize?client_id=${app.client.id}&client_id=${app.client.id}&redirect_uri=${encodeURIComponent(app.redirectUri)}`,
      ],
      ['another page', () => `/account/apps?redirect_uri=${encodeURIComponent(app.redirectUri)}`],
      ['no return_to', () => ''],
    ])('%s: form-action stays self', async (_name, returnTo) => {
      const url = returnTo() === '' ? '/login' : loginFor(returnTo());
      const res = await anonymous().get(url);
      expect(res.statusCode).toBe(200);
      expect(formActionSources(res)).toEqual(["'self'"]);
    });
  });

  describe('L6: a consent decision other than allow or deny', () => {
    it.each([['maybe'], ['ALLOW'], ['']])(
      '%j: 400 page, the pending request stays usable',
      async (decision) => {
        const { signedIn, page } = await consentPageOf('Undecided', { state: 'undecided' });
        const before = await snapshot(s);
        const res = await signedIn.post(formAction(page.body), { csrf: csrfOf(page.body), decision });
        expectErrorPage(res, 400);
        expect(await snapshot(s)).toEqual(before);
        const ok = await signedIn.post(formAction(page.body), { csrf: csrfOf(page.body), decision: 'allow' });
        expect(ok.statusCode).toBe(303);
        expect(locationParams(ok).get('state')).toBe('undecided');
        expect(locationParams(ok).get('code')).toMatch(/^[\w-]{43}$/);
      },
    );
  });

  describe('L7: remembered consent (RFC 8252 §8.6, RFC 6749 §10.2)', () => {
    const query = (target: ThreeLeggedApp) =>
      authorizeUrl({
        response_type: 'code',
        client_id: target.client.id,
        redirect_uri: target.redirectUri,
        scope: 'data:read',
        code_challenge: pkce().challenge,
        code_challenge_method: 'S256',
      });

    it('a public client gets the consent page every time', async () => {
      const signedIn = await signedInBrowser(s, anonymous(), userId);
      const first = await signedIn.get(query(publicApp));
      expect(first.statusCode).toBe(200);
      const allowed = await signedIn.post(formAction(first.body), {
        csrf: csrfOf(first.body),
        decision: 'allow',
      });
      expect(allowed.statusCode).toBe(303);
      const codes = await countRows(s, 'authorization_codes');
      const again = await signedIn.get(query(publicApp));
      expect(again.statusCode).toBe(200);
      expect(again.body).toContain('Allow');
      expect(again.headers['location']).toBeUndefined();
      expect(await countRows(s, 'authorization_codes')).toBe(codes);
    });

    it('a confidential client still reuses the remembered consent', async () => {
      const signedIn = await signedInBrowser(s, anonymous(), userId);
      const target = await registerThreeLeggedApp(s, { name: 'Remembered' });
      const first = await signedIn.get(query(target));
      await signedIn.post(formAction(first.body), { csrf: csrfOf(first.body), decision: 'allow' });
      const again = await signedIn.get(query(target));
      expect(again.statusCode).toBe(303);
      expect(locationParams(again).get('code')).toMatch(/^[\w-]{43}$/);
    });
  });

  describe('M7: sign-up is throttled per IP (LATCHKEY_SIGNUP_MAX_PER_IP=3)', () => {
    it('every attempt counts; the 4th from one IP is a 429 page with Retry-After and creates nothing', async () => {
      const ip = nextIp();
      const from = () => new InjectBrowser(s.app, ip);
      expect((await postSignup(from(), '/signup', 'not-an-email')).statusCode).toBe(400);
      expect((await postSignup(from(), '/signup', freshEmail(), 'short')).statusCode).toBe(400);
      expect((await postSignup(from(), '/signup', freshEmail())).statusCode).toBe(303);
      const blocked = freshEmail();
      const res = await postSignup(from(), '/signup', blocked);
      expect(res.statusCode).toBe(429);
      const retryAfter = Number(res.headers['retry-after']);
      expect(Number.isInteger(retryAfter)).toBe(true);
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(3600);
      expect(res.body).toContain('Too many');
      expect(sessionCookieSet(res)).toBe(false);
      expectSecurePage(res);
      expect(
        await s.ctx.db.selectFrom('users').select('id').where('email', '=', blocked).executeTakeFirst(),
      ).toBeUndefined();
      // Another IP is unaffected.
      expect((await postSignup(anonymous(), '/signup', blocked)).statusCode).toBe(303);
    });

    it('parallel sign-ups from one IP: at most 3 get through', async () => {
      const browser = anonymous();
      const page = await browser.get('/signup');
      const csrf = csrfOf(page.body);
      const results = await Promise.all(
        Array.from({ length: 10 }, () =>
          browser.post('/signup', { csrf, name: 'Ada', email: freshEmail(), password: PASSWORD }),
        ),
      );
      const statuses = results.map((r) => r.statusCode);
      expect(statuses.filter((c) => c === 303).length).toBe(3);
      expect(statuses.filter((c) => c === 429).length).toBe(7);
    });
  });

  describe('parallel wrong passwords (LATCHKEY_LOGIN_MAX_FAILURES=5)', () => {
    it('20 at once for one account from one IP: at most 5 answers 401, the rest 429', async () => {
      const victim = 'parallel@example.com';
      await s.ctx.users.create(victim, PASSWORD);
      const browser = anonymous();
      const page = await browser.get('/login');
      const csrf = csrfOf(page.body);
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          browser.post('/login', { csrf, email: victim, password: `guess ${i}` }),
        ),
      );
      const statuses = results.map((r) => r.statusCode);
      expect(statuses.filter((c) => c === 401).length).toBeLessThanOrEqual(5);
      expect(statuses.filter((c) => c === 429).length).toBe(20 - statuses.filter((c) => c === 401).length);
      expect(statuses.filter((c) => c === 429).length).toBeGreaterThanOrEqual(15);
      // From that IP the right password is refused too; from another it signs in (after a bounded
      // delay): failures from one address never lock the account's owner out.
      expect((await postLogin(browser, '/login', victim)).statusCode).toBe(429);
      expect((await postLogin(anonymous(), '/login', victim)).statusCode).toBe(303);
    });
  });
});
