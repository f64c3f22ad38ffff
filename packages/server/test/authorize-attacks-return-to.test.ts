/**
 * The sign-in and sign-up pages under open-redirect attack through return_to (RFC 9700 §4.11): an
 * off-site value is ignored on the page, when signed in already and when signing in; a same-origin
 * relative path is honoured.
 */
import { describe, expect, it } from 'vitest';
import { sessionCookieSet } from './support/attacks.js';
import { PASSWORD, USER_EMAIL, useAuthorizeAttackServer } from './support/authorize-attack-server.js';
import { csrfOf, formAction, InjectBrowser, signIn } from './support/browser.js';
import { dialects } from './support/server.js';

describe.each(dialects())('authorization endpoint attacks on %s', (dialect) => {
  const f = useAuthorizeAttackServer(dialect);
  const email = USER_EMAIL;

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
      const anonymous = new InjectBrowser(f.s.app);
      const page = await anonymous.get(`/login?return_to=${encodeURIComponent(returnTo)}`);
      expect(page.statusCode).toBe(200);
      expect(formAction(page.body)).toBe('/login?return_to=%2Faccount%2Fapps');
      expect(page.body).not.toContain('evil.example');
      const signup = await anonymous.get(`/signup?return_to=${encodeURIComponent(returnTo)}`);
      expect(formAction(signup.body)).toBe('/signup?return_to=%2Faccount%2Fapps');
      // Already signed in: straight to the default.
      const signedIn = await f.browser.get(`/login?return_to=${encodeURIComponent(returnTo)}`);
      expect(signedIn.statusCode).toBe(303);
      expect(signedIn.headers['location']).toBe('/account/apps');
    });

    it('signing in with an off-site return_to lands on /account/apps', async () => {
      for (const returnTo of offSite.slice(0, 4).concat('javascript:alert(1)')) {
        const anonymous = new InjectBrowser(f.s.app);
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
      const anonymous = new InjectBrowser(f.s.app);
      const res = await signIn(anonymous, email, PASSWORD, '/account/apps?tab=all');
      expect(res.statusCode).toBe(303);
      expect(res.headers['location']).toBe('/account/apps?tab=all');
      const signedIn = await f.browser.get(`/login?return_to=${encodeURIComponent('/oauth/authorize?x=1')}`);
      expect(signedIn.headers['location']).toBe('/oauth/authorize?x=1');
    });
  });
});
