/**
 * The server the token endpoint attack suites (RFC 6749 §4.1.3, §5.2, §6; RFC 7009; RFC 7662) start
 * from: a user, two confidential apps sharing a redirect URI and a browser signed in as the user; plus
 * code redemption, introspection and the one invalid_grant answer every refused code or refresh token
 * gets.
 */
import type { LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import { INVALID_GRANT_DESCRIPTION } from '../../src/grants/user-tokens.js';
import { introspect, signedInBrowser, type ThreeLeggedApp, tokenRequest } from './attacks.js';
import { InjectBrowser, registerThreeLeggedApp } from './browser.js';
import { type DialectName, ISSUED_SECRET, startTestServer, type TestServer } from './server.js';
import { closingOnFailure, serverSuiteFixture } from './suite-fixture.js';

/** The password of the user of these suites. */
export const PASSWORD = 'correct horse battery';

/** The one RFC 6749 §5.2 description every failed code or refresh token gets, whatever the reason. */
export function expectGenericInvalidGrant(res: LightMyRequestResponse) {
  expect({ status: res.statusCode, body: res.json() }).toEqual({
    status: 400,
    body: { error: 'invalid_grant', error_description: INVALID_GRANT_DESCRIPTION },
  });
}

/** What `startGrantAttackServer` sets up. */
export interface GrantAttackServer {
  s: TestServer;
  /** Confidential, two redirect URIs. */
  appA: ThreeLeggedApp;
  /** Confidential, same first redirect URI as A (a would-be code thief). */
  appB: ThreeLeggedApp;
  /** Signed in as the user (session created directly: no scrypt). */
  browser: InjectBrowser;
}

/** Starts a test server on `dialect` with its user, apps A and B and a signed-in browser; the caller closes `s`. */
export async function startGrantAttackServer(dialect: DialectName): Promise<GrantAttackServer> {
  const s = await startTestServer(dialect);
  return closingOnFailure(s, async () => {
    const user = await s.ctx.users.create('ada@example.com', PASSWORD);
    const appA = await registerThreeLeggedApp(s, {
      name: 'App A',
      redirectUris: ['https://a.example/cb', 'https://a.example/other'],
    });
    const appB = await registerThreeLeggedApp(s, { name: 'App B', redirectUris: ['https://a.example/cb'] });
    const browser = await signedInBrowser(s, new InjectBrowser(s.app), user.id);
    return { s, appA, appB, browser };
  });
}

/**
 * Starts the server of `startGrantAttackServer` in the calling describe block's `beforeAll` and, in its
 * `afterAll`, checks that no JWT and no issued code, client secret or refresh token reached the logs
 * (RFC 6749 §10.3 to §10.5: they are credentials), then closes it; returns getters over what started.
 */
export function useGrantAttackServer(dialect: DialectName): GrantAttackServer {
  return serverSuiteFixture(
    () => startGrantAttackServer(dialect),
    (s) => {
      expect(s.logs.text).not.toMatch(/eyJ[\w-]+\.eyJ/);
      // Codes, client secrets and refresh tokens (43 characters; 64 in the current refresh format).
      expect(s.logs.text).not.toMatch(ISSUED_SECRET);
    },
  );
}

/**
 * Token endpoint and introspection calls on the server `server()` returns (read at each call: the
 * server starts in `beforeAll`).
 */
export function grantRequests(server: () => TestServer) {
  return {
    /** An authorization_code grant request (RFC 6749 §4.1.3) by `app`; undefined fields are left out. */
    redeemCode: (app: ThreeLeggedApp, form: Record<string, string | undefined>) =>
      tokenRequest(
        server().app,
        app.basic,
        Object.fromEntries(
          Object.entries({ grant_type: 'authorization_code', ...form }).filter(([, v]) => v !== undefined),
        ) as Record<string, string>,
      ),
    /** Whether introspection (RFC 7662 §2.2) by `app` calls `token` active. */
    active: async (app: ThreeLeggedApp, token: string) => {
      const res = await introspect(server().app, app.basic, token);
      expect(res.statusCode).toBe(200);
      return res.json().active as boolean;
    },
  };
}
