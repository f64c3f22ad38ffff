/**
 * The sign-in and sign-up pages under open-redirect attack through return_to (RFC 9700 §4.11): values
 * that resolve to //host, a backslash, a control character or another scheme never leave the issuer's
 * origin, from safeReturnTo through GET and POST of /login and /signup; and the CSP form-action of the
 * sign-in page (RFC 6749 §3.1.2, RFC 8252 §7.3) admits only the origin of a registered redirect URI.
 */
import type { LightMyRequestResponse } from 'fastify';
import { describe, expect, it } from 'vitest';
import { DEFAULT_RETURN_TO, safeReturnTo } from '../src/http/return-to.js';
import { ISSUER, sessionCookieSet, signedInBrowser, type ThreeLeggedApp } from './support/attacks.js';
import { formAction } from './support/browser.js';
import {
  pageVisitors,
  postLogin,
  postSignup,
  USER_EMAIL,
  usePageAttackServer,
} from './support/page-attack-server.js';
import { dialects } from './support/server.js';

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

describe.each(dialects())('page attacks on %s', (dialect) => {
  const f = usePageAttackServer(dialect);
  const email = USER_EMAIL;
  const { anonymous, freshEmail } = pageVisitors(f);

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

      const signedIn = await signedInBrowser(f.s, anonymous(), f.userId);
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
      const returnTo = returnToFor(f.app, f.app.redirectUri);
      for (const res of [
        await visitor.get(loginFor(returnTo)),
        await visitor.get(`/signup?${new URLSearchParams({ return_to: returnTo })}`),
        await postLogin(visitor, loginFor(returnTo), email, 'wrong password'),
      ]) {
        expect(formActionSources(res)).toEqual(["'self'", 'https://app.example']);
      }
      // redirect_uri omitted: the only registered one.
      expect(formActionSources(await visitor.get(loginFor(returnToFor(f.app))))).toEqual([
        "'self'",
        'https://app.example',
      ]);
      // A loopback redirect with a port: that port's origin (RFC 8252 §7.3).
      expect(
        formActionSources(
          await visitor.get(loginFor(returnToFor(f.loopbackApp, 'http://127.0.0.1:51234/cb'))),
        ),
      ).toEqual(["'self'", 'http://127.0.0.1:51234']);
    });

    it.each([
      ['an unregistered redirect URI', () => returnToFor(f.app, 'https://evil.example/cb')],
      [
        'an unknown client',
        () => '/oauth/authorize?client_id=nope&redirect_uri=https%3A%2F%2Fevil.example%2Fcb',
      ],
      [
        'a repeated client_id',
        () =>
          `/oauth/authorize?client_id=${f.app.client.id}&client_id=${f.app.client.id}&redirect_uri=${encodeURIComponent(f.app.redirectUri)}`,
      ],
      ['another page', () => `/account/apps?redirect_uri=${encodeURIComponent(f.app.redirectUri)}`],
      ['no return_to', () => ''],
    ])('%s: form-action stays self', async (_name, returnTo) => {
      const url = returnTo() === '' ? '/login' : loginFor(returnTo());
      const res = await anonymous().get(url);
      expect(res.statusCode).toBe(200);
      expect(formActionSources(res)).toEqual(["'self'"]);
    });
  });
});
