/**
 * The server the authorization endpoint attack suites (RFC 6749 §4.1) start from: two users, a
 * confidential app, a public app with loopback redirect URIs (RFC 8252 §7.3), a public SPA and a browser
 * signed in as the first user; plus the authorize URL and a registrar of further apps.
 */
import { expect } from 'vitest';
import { signedInBrowser, type ThreeLeggedApp } from './attacks.js';
import { InjectBrowser, registerThreeLeggedApp } from './browser.js';
import { type DialectName, startTestServer, type TestServer } from './server.js';
import { closingOnFailure, serverSuiteFixture } from './suite-fixture.js';

/** The password of every user of these suites (never to appear in the logs). */
export const PASSWORD = 'correct horse battery';

/** The user the suites' browser is signed in as. */
export const USER_EMAIL = 'ada@example.com';

/** A second user, for requests made as someone else. */
export const OTHER_USER_EMAIL = 'bob@example.com';

/** What `startAuthorizeAttackServer` sets up. */
export interface AuthorizeAttackServer {
  s: TestServer;
  /** Confidential, redirect URI https://app.example/cb. */
  app: ThreeLeggedApp;
  /** Public, redirect URIs http://127.0.0.1/cb and http://[::1]:8080/cb. */
  loopbackApp: ThreeLeggedApp;
  /** Public, the default redirect URI. */
  publicApp: ThreeLeggedApp;
  userId: string;
  otherUserId: string;
  /** Signed in as USER_EMAIL (session created directly: no scrypt per test). */
  browser: InjectBrowser;
}

/**
 * Starts a test server on `dialect` with LATCHKEY_LOGIN_MAX_FAILURES=3, its two users and three apps;
 * the caller closes `s`.
 */
export async function startAuthorizeAttackServer(dialect: DialectName): Promise<AuthorizeAttackServer> {
  const s = await startTestServer(dialect, { LATCHKEY_LOGIN_MAX_FAILURES: '3' });
  return closingOnFailure(s, async () => {
    const userId = (await s.ctx.users.create(USER_EMAIL, PASSWORD)).id;
    const otherUserId = (await s.ctx.users.create(OTHER_USER_EMAIL, PASSWORD)).id;
    const app = await registerThreeLeggedApp(s, { redirectUris: ['https://app.example/cb'] });
    const loopbackApp = await registerThreeLeggedApp(s, {
      name: 'Desktop tool',
      redirectUris: ['http://127.0.0.1/cb', 'http://[::1]:8080/cb'],
      isPublic: true,
    });
    const publicApp = await registerThreeLeggedApp(s, { name: 'SPA', isPublic: true });
    const browser = await signedInBrowser(s, new InjectBrowser(s.app), userId);
    return { s, app, loopbackApp, publicApp, userId, otherUserId, browser };
  });
}

/**
 * Starts the server of `startAuthorizeAttackServer` in the calling describe block's `beforeAll` and, in
 * its `afterAll`, checks that no password reached the logs, then closes it; returns getters over what
 * started.
 */
export function useAuthorizeAttackServer(dialect: DialectName): AuthorizeAttackServer {
  return serverSuiteFixture(
    () => startAuthorizeAttackServer(dialect),
    (s) => {
      expect(s.logs.text).not.toContain(PASSWORD);
    },
  );
}

/** The authorization endpoint's URL with `query` (RFC 6749 §4.1.1). */
export const authorizeUrl = (query: Record<string, string>) =>
  `/oauth/authorize?${new URLSearchParams(query)}`;

/**
 * A function that registers a new three-legged app, named `App 0`, `App 1`, ... unless `options` names
 * it, on the server `server()` returns (read at each call: the server starts in `beforeAll`).
 */
export function appRegistrar(server: () => TestServer) {
  let appCounter = 0;
  return (options: Parameters<typeof registerThreeLeggedApp>[1] = {}) =>
    registerThreeLeggedApp(server(), { name: `App ${appCounter++}`, ...options });
}
