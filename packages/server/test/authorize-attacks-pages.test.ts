/**
 * The pages of the authorization flow under attack: login, sign-up, error, consent, connected apps and
 * failure pages cannot be framed (RFC 6749 §10.13, RFC 9700 §4.16), send no referrer (RFC 9700 §4.2)
 * and load no third-party resource; every successful form POST answers 303, never 307 (RFC 9700 §4.12):
 * sign-up, sign-in, allow, deny, revoke app, sign-out.
 */
import { describe, expect, it } from 'vitest';
import { expectErrorPage, expectSecurePage } from './support/attacks.js';
import {
  appRegistrar,
  authorizeUrl,
  PASSWORD,
  USER_EMAIL,
  useAuthorizeAttackServer,
} from './support/authorize-attack-server.js';
import { authorizeAndAllow, csrfOf, formAction, InjectBrowser } from './support/browser.js';
import { dialects } from './support/server.js';

describe.each(dialects())('authorization endpoint attacks on %s', (dialect) => {
  const f = useAuthorizeAttackServer(dialect);
  const email = USER_EMAIL;
  const freshApp = appRegistrar(() => f.s);

  describe('pages: no framing, no referrer, no third-party resources', () => {
    it('login, sign-up, error, consent, connected apps and failure pages', async () => {
      const anonymous = new InjectBrowser(f.s.app);
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
      const consent = await f.browser.get(
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
      const apps = await f.browser.get('/account/apps');
      expect(apps.statusCode).toBe(200);
      expectSecurePage(apps);
    });
  });

  describe('every successful POST answers 303', () => {
    it('sign-up, sign-in, allow, deny, revoke app, sign-out', async () => {
      const visitor = new InjectBrowser(f.s.app);
      const signupPage = await visitor.get('/signup');
      const signedUp = await visitor.post(formAction(signupPage.body), {
        csrf: csrfOf(signupPage.body),
        name: 'Carol',
        email: 'carol@example.com',
        password: 'another long passphrase',
      });
      expect(signedUp.statusCode).toBe(303);
      expect(signedUp.headers['location']).toBe('/account/apps');
      const fresh = new InjectBrowser(f.s.app);
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
});
