/**
 * The server the page attack suites (sign-in, sign-up and consent pages) start from: a user, a
 * confidential app, a public SPA and an app with a loopback redirect URI (RFC 8252 §7.3), with low
 * sign-in and sign-up limits; plus visitors from fresh IPs and the sign-in and sign-up form posts.
 */
import { expect } from 'vitest';
import { signedInBrowser, type ThreeLeggedApp } from './attacks.js';
import { authorizeUrl } from './authorize-attack-server.js';
import { csrfOf, InjectBrowser, registerThreeLeggedApp } from './browser.js';
import { type DialectName, startTestServer, type TestServer } from './server.js';
import { closingOnFailure, serverSuiteFixture } from './suite-fixture.js';

/** The password of the user of these suites (never to appear in the logs). */
export const PASSWORD = 'correct horse battery';

/** The user of these suites. */
export const USER_EMAIL = 'ada@example.com';

/** What `startPageAttackServer` sets up. */
export interface PageAttackServer {
  s: TestServer;
  /** Confidential, redirect URI https://app.example/cb. */
  app: ThreeLeggedApp;
  /** Public, redirect URI https://spa.example/cb. */
  publicApp: ThreeLeggedApp;
  /** Confidential, redirect URI http://127.0.0.1/cb. */
  loopbackApp: ThreeLeggedApp;
  userId: string;
}

/**
 * Starts a test server on `dialect` with LATCHKEY_LOGIN_MAX_FAILURES=5 and LATCHKEY_SIGNUP_MAX_PER_IP=3,
 * its user and three apps; the caller closes `s`.
 */
export async function startPageAttackServer(dialect: DialectName): Promise<PageAttackServer> {
  const s = await startTestServer(dialect, {
    LATCHKEY_LOGIN_MAX_FAILURES: '5',
    LATCHKEY_SIGNUP_MAX_PER_IP: '3',
  });
  return closingOnFailure(s, async () => {
    const userId = (await s.ctx.users.create(USER_EMAIL, PASSWORD)).id;
    const app = await registerThreeLeggedApp(s, { redirectUris: ['https://app.example/cb'] });
    const publicApp = await registerThreeLeggedApp(s, {
      name: 'SPA',
      isPublic: true,
      redirectUris: ['https://spa.example/cb'],
    });
    const loopbackApp = await registerThreeLeggedApp(s, {
      name: 'Desktop',
      redirectUris: ['http://127.0.0.1/cb'],
    });
    return { s, app, publicApp, loopbackApp, userId };
  });
}

/**
 * Starts the server of `startPageAttackServer` in the calling describe block's `beforeAll` and, in its
 * `afterAll`, checks that no password and no unexpected error reached the logs, then closes it; returns
 * getters over what started.
 */
export function usePageAttackServer(dialect: DialectName): PageAttackServer {
  return serverSuiteFixture(
    () => startPageAttackServer(dialect),
    (s) => {
      expect(s.logs.text).not.toContain(PASSWORD);
      expect(s.logs.text).not.toContain('unexpected error');
    },
  );
}

/**
 * Visitors of the fixture's server, signed in as its user where asked (both read at each call: the
 * server starts in `beforeAll`).
 */
export function pageVisitors(fixture: Pick<PageAttackServer, 's' | 'userId'>) {
  const server = () => fixture.s;
  const user = () => fixture.userId;
  let ipCounter = 0;
  let emailCounter = 0;
  /** A fresh client IP, so the per-IP sign-in and sign-up limits of one test do not touch another. */
  const nextIp = () => `10.${Math.floor(ipCounter / 250)}.${ipCounter++ % 250}.7`;
  /** A browser, signed out, from a fresh IP. */
  const anonymous = () => new InjectBrowser(server().app, nextIp());
  return {
    nextIp,
    anonymous,
    /** An email no account has yet. */
    freshEmail: () => `new${emailCounter++}@example.com`,
    /** A signed-in browser on the consent page of a newly registered app, the request not yet answered. */
    async consentPageOf(name: string, extra: Record<string, string> = {}) {
      const signedIn = await signedInBrowser(server(), anonymous(), user());
      const target = await registerThreeLeggedApp(server(), { name });
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
    },
  };
}

/** Posts the sign-in form of a fresh /login page to `url`. */
export async function postLogin(browser: InjectBrowser, url: string, who: string, password = PASSWORD) {
  const page = await browser.get('/login');
  return browser.post(url, { csrf: csrfOf(page.body), email: who, password });
}

/** Posts the sign-up form of a fresh /signup page to `url`. */
export async function postSignup(browser: InjectBrowser, url: string, who: string, password = PASSWORD) {
  const page = await browser.get('/signup');
  return browser.post(url, { csrf: csrfOf(page.body), name: 'Ada Lovelace', email: who, password });
}
