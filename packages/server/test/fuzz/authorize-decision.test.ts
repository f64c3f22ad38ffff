/**
 * Fuzzing the authorization endpoint's consent decision (POST /oauth/authorize/decision, RFC 6749
 * §4.1.2, §4.1.2.1): with any query, body, cookies and origin, the answer is a redirect only to the
 * registered redirect URI of a pending request of the signed-in user (a code or access_denied, `iss`
 * and its state), or a catalogued error page. Never a 5xx, never a redirect anywhere else.
 */

import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { expectSecurePage, ISSUER, type ThreeLeggedApp } from '../support/attacks.js';
import { startAuthorizeFuzzServer } from '../support/authorize-fuzz.js';
import { csrfOf, formAction, type InjectBrowser } from '../support/browser.js';
import type { TestServer } from '../support/server.js';
import { anyText, paramString } from './arbitraries.js';
import { fuzzTest } from './budget.js';
import { expectNoServerError, expectPageAnswer } from './oracle.js';

describe('fuzz: the authorization endpoint', () => {
  let s: TestServer;
  /** Two redirect URIs, never consented (a signed-in request gets the consent page). */
  let twoUris: ThreeLeggedApp;
  let browser: InjectBrowser;

  beforeAll(async () => {
    ({ s, twoUris, browser } = await startAuthorizeFuzzServer());
  });
  afterAll(() => s?.close());

  fuzzTest(
    'the consent decision with any query, body and cookies: a redirect to the pending request’s registered URI, or a catalogued page',
    'authorize: decision',
    200,
    async () => {
      // Pending requests of the signed-in user (consent pages of the unconsented app), and its form value.
      const handles: string[] = [];
      let csrf = '';
      for (let i = 0; i < 40; i++) {
        const page = await browser.get(
          `/oauth/authorize?${new URLSearchParams({ client_id: twoUris.client.id, redirect_uri: twoUris.redirectUri, response_type: 'code', state: `s${i}` })}`,
        );
        expect(page.statusCode).toBe(200);
        handles.push(new URL(formAction(page.body), ISSUER).searchParams.get('request') as string);
        csrf = csrfOf(page.body);
      }
      const session = `lk_session=${browser.cookies.get('lk_session')}`;
      const cases = fc.record({
        query: paramString(
          fc.constantFrom('request', 'x'),
          fc.oneof(fc.constantFrom(...handles), anyText(10)),
          2,
        ),
        body: paramString(
          fc.constantFrom('csrf', 'decision', 'request', 'x'),
          fc.oneof(fc.constantFrom(csrf, 'allow', 'deny', 'ALLOW', ...handles), anyText(10)),
          4,
        ),
        cookie: fc.constantFrom(session, '', `${session}; lk_session=other`, 'lk_session=x'),
        origin: fc.constantFrom(undefined, ISSUER, 'null', 'https://evil.example'),
      });
      return fc.asyncProperty(cases, async ({ query, body, cookie, origin }) => {
        const res = await s.app.inject({
          method: 'POST',
          url: `/oauth/authorize/decision?${query}`,
          headers: {
            'content-type': 'application/x-www-form-urlencoded',
            ...(cookie ? { cookie } : {}),
            ...(origin ? { origin } : {}),
          },
          payload: body,
        });
        expectNoServerError(res);
        const location = res.headers['location'];
        if (location === undefined) {
          expectPageAnswer(res);
          expectSecurePage(res);
          expect(res.statusCode).toBeGreaterThanOrEqual(400);
          return;
        }
        // Only a pending request of this user answers, and only to its own redirect URI.
        expect(res.statusCode).toBe(303);
        const target = new URL(String(location));
        expect(`${target.origin}${target.pathname}`).toBe(twoUris.redirectUri);
        expect(target.searchParams.getAll('iss')).toEqual([ISSUER]);
        expect(target.searchParams.get('state')).toMatch(/^s\d+$/);
        const error = target.searchParams.get('error');
        if (error === null) expect(target.searchParams.get('code')).toMatch(/^[\w-]{43}$/);
        else expect(error).toBe('access_denied');
      });
    },
  );
});
