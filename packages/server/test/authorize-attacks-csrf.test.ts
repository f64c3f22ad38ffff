/**
 * The form POSTs of the authorization flow under cross-site request forgery (RFC 6749 §10.12,
 * RFC 9700 §4.7): sign-in, sign-up, consent, revoke app and sign-out refuse a missing or wrong anti-CSRF
 * token and a foreign Origin with 403 and store nothing; the token is bound to the session (before
 * sign-in to the pre-session cookie), so neither another user's token nor a planted csrf cookie passes,
 * and one key per database lets every server on it accept the forms of another.
 */
import { describe, expect, it } from 'vitest';
import { createLogger } from '../src/logger.js';
import { createServer } from '../src/server.js';
import {
  countRows,
  expectErrorPage,
  getCode,
  sessionCookieSet,
  signedInBrowser,
  snapshot,
  tokenRequest,
} from './support/attacks.js';
import {
  appRegistrar,
  authorizeUrl,
  OTHER_USER_EMAIL,
  PASSWORD,
  USER_EMAIL,
  useAuthorizeAttackServer,
} from './support/authorize-attack-server.js';
import { csrfOf, formAction, InjectBrowser, locationParams, signIn } from './support/browser.js';
import { dialects } from './support/server.js';

describe.each(dialects())('authorization endpoint attacks on %s', (dialect) => {
  const f = useAuthorizeAttackServer(dialect);
  const email = USER_EMAIL;
  const otherEmail = OTHER_USER_EMAIL;
  const freshApp = appRegistrar(() => f.s);

  describe('anti-CSRF token and Origin on every form POST', () => {
    const FOREIGN = [
      'https://evil.example',
      'http://localhost:4001',
      'https://localhost:4000',
      'http://localhost',
    ];

    it('login: no token / foreign Origin → 403 and no session; Origin: null with the token → 303', async () => {
      const anonymous = new InjectBrowser(f.s.app);
      const page = await anonymous.get('/login');
      const csrf = csrfOf(page.body);
      const sessions = await f.s.ctx.db.selectFrom('sessions').select('user_id').execute();
      const noToken = await anonymous.post('/login', { email, password: PASSWORD });
      expectErrorPage(noToken, 403);
      expect(sessionCookieSet(noToken)).toBe(false);
      const wrongToken = await anonymous.post('/login', { csrf: 'x'.repeat(43), email, password: PASSWORD });
      expectErrorPage(wrongToken, 403);
      // A token without its cookie (another browser's page) is refused too.
      const cookieless = await new InjectBrowser(f.s.app).post('/login', { csrf, email, password: PASSWORD });
      expectErrorPage(cookieless, 403);
      for (const origin of FOREIGN) {
        const res = await anonymous.post('/login', { csrf, email, password: PASSWORD }, { origin });
        expectErrorPage(res, 403);
        expect(sessionCookieSet(res)).toBe(false);
      }
      expect(await f.s.ctx.db.selectFrom('sessions').select('user_id').execute()).toEqual(sessions);
      const ok = await anonymous.post('/login', { csrf, email, password: PASSWORD }, { origin: 'null' });
      expect(ok.statusCode).toBe(303);
      expect(sessionCookieSet(ok)).toBe(true);
    });

    // Sign-up signs the browser in: without the check, a foreign page could sign a victim into an
    // account the attacker controls (login CSRF).
    it('sign-up: no / wrong token, foreign Origin → 403, no user, no session; Origin: null with the token → 303', async () => {
      // An IP of its own, so these attempts count against no other test's sign-up limit.
      const visitor = new InjectBrowser(f.s.app, '10.77.0.1');
      const page = await visitor.get('/signup');
      const action = formAction(page.body);
      const csrf = csrfOf(page.body);
      const victim = 'csrf-signup@example.com';
      const form = { name: 'Victim', email: victim, password: 'a long enough passphrase' };
      const users = () => f.s.ctx.db.selectFrom('users').select('email').orderBy('email').execute();
      const usersBefore = await users();
      const before = await snapshot(f.s);
      const refused = [
        await visitor.post(action, form),
        await visitor.post(action, { ...form, csrf: 'x'.repeat(43) }),
        // A token without its cookie (another browser's page) is refused too.
        await new InjectBrowser(f.s.app, '10.77.0.2').post(action, { ...form, csrf }),
      ];
      for (const origin of FOREIGN) refused.push(await visitor.post(action, { ...form, csrf }, { origin }));
      for (const res of refused) {
        expectErrorPage(res, 403);
        expect(sessionCookieSet(res)).toBe(false);
      }
      expect(await users()).toEqual(usersBefore);
      expect(await snapshot(f.s)).toEqual(before);
      const ok = await visitor.post(action, { ...form, csrf }, { origin: 'null' });
      expect(ok.statusCode).toBe(303);
      expect(sessionCookieSet(ok)).toBe(true);
      expect((await users()).map((u) => u.email)).toContain(victim);
    });

    it('consent: no token / foreign Origin → 403, no code, no consent; Origin: null with the token → 303', async () => {
      const target = await freshApp();
      const page = await f.browser.get(
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
      const before = await snapshot(f.s);
      const noToken = await f.browser.post(action, { decision: 'allow' });
      expectErrorPage(noToken, 403);
      const wrongToken = await f.browser.post(action, { decision: 'allow', csrf: 'y'.repeat(43) });
      expectErrorPage(wrongToken, 403);
      for (const origin of FOREIGN) {
        const res = await f.browser.post(action, { decision: 'allow', csrf }, { origin });
        expectErrorPage(res, 403);
        expect(sessionCookieSet(res)).toBe(false);
      }
      expect(await snapshot(f.s)).toEqual(before);
      const ok = await f.browser.post(action, { decision: 'allow', csrf }, { origin: 'null' });
      expect(ok.statusCode).toBe(303);
      expect(locationParams(ok).get('code')).toMatch(/^[\w-]{43}$/);
      expect(await countRows(f.s, 'authorization_codes')).toBe(before.authorization_codes + 1);
    });

    it('consent: another user cannot submit my consent form', async () => {
      const target = await freshApp();
      const page = await f.browser.get(
        authorizeUrl({
          response_type: 'code',
          client_id: target.client.id,
          redirect_uri: target.redirectUri,
          scope: 'data:read',
        }),
      );
      const other = await signedInBrowser(f.s, new InjectBrowser(f.s.app), f.otherUserId);
      const otherPage = await other.get('/account/apps');
      const before = await snapshot(f.s);
      const res = await other.post(formAction(page.body), {
        decision: 'allow',
        csrf: csrfOf(otherPage.body),
      });
      expectErrorPage(res, 400);
      expect(await snapshot(f.s)).toEqual(before);
    });

    it('revoke app: no token / foreign Origin → 403, grant kept; Origin: null with the token → 303', async () => {
      const target = await freshApp({ name: 'Revocable' });
      const { code, verifier } = await getCode(f.browser, target);
      const tokens = (
        await tokenRequest(f.s.app, target.basic, {
          grant_type: 'authorization_code',
          code,
          redirect_uri: target.redirectUri,
          code_verifier: verifier as string,
        })
      ).json();
      const page = await f.browser.get('/account/apps');
      const action = `/account/apps/${encodeURIComponent(target.client.id)}/revoke`;
      expect(page.body).toContain(`action="${action}"`);
      const csrf = csrfOf(page.body);
      const liveGrants = () =>
        f.s.ctx.db
          .selectFrom('grants')
          .select('id')
          .where('client_id', '=', target.client.id)
          .where('revoked_at', 'is', null)
          .execute();
      expect(await liveGrants()).toHaveLength(1);
      expectErrorPage(await f.browser.post(action, {}), 403);
      expectErrorPage(await f.browser.post(action, { csrf: 'z'.repeat(43) }), 403);
      for (const origin of FOREIGN) expectErrorPage(await f.browser.post(action, { csrf }, { origin }), 403);
      expect(await liveGrants()).toHaveLength(1);
      const ok = await f.browser.post(action, { csrf }, { origin: 'null' });
      expect(ok.statusCode).toBe(303);
      expect(ok.headers['location']).toBe('/account/apps?revoked=1');
      expect(await liveGrants()).toHaveLength(0);
      const refreshed = await tokenRequest(f.s.app, target.basic, {
        grant_type: 'refresh_token',
        refresh_token: tokens.refresh_token,
      });
      expect(refreshed.json().error).toBe('invalid_grant');
    });

    it('logout: no token / foreign Origin → 403, still signed in; Origin: null with the token → 303', async () => {
      const session = await signedInBrowser(f.s, new InjectBrowser(f.s.app), f.userId);
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
      const victim = await signedInBrowser(f.s, new InjectBrowser(f.s.app), f.userId);
      victim.cookies.set('lk_csrf', value);
      return victim;
    }

    /** Bob's own token (and csrf cookie, if any) from a page of his own session. */
    async function bobsToken() {
      const bob = await signedInBrowser(f.s, new InjectBrowser(f.s.app), f.otherUserId);
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
      const before = await snapshot(f.s);
      expectFormExpired(await victim.post(formAction(page.body), { decision: 'allow', csrf }));
      expect(await snapshot(f.s)).toEqual(before);
      // Her own page's token still works.
      const ok = await victim.post(formAction(page.body), { decision: 'allow', csrf: csrfOf(page.body) });
      expect(ok.statusCode).toBe(303);
      expect(locationParams(ok).get('code')).toMatch(/^[\w-]{43}$/);
    });

    it("revoke app and sign-out: another user's token (with his csrf cookie planted) is refused", async () => {
      const target = await freshApp({ name: 'Kept' });
      const victim = await signedInBrowser(f.s, new InjectBrowser(f.s.app), f.userId);
      await getCode(victim, target);
      const { csrf, cookie } = await bobsToken();
      victim.cookies.set('lk_csrf', cookie);
      const consents = () =>
        f.s.ctx.db
          .selectFrom('consents')
          .select('user_id')
          .where('client_id', '=', target.client.id)
          .execute();
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
        await victim.post(`/account/apps/${encodeURIComponent(f.app.client.id)}/revoke`, { csrf: planted }),
      );
      expectFormExpired(await victim.post('/logout', { csrf: planted }));
      expect((await victim.get('/account/apps')).statusCode).toBe(200);
      // Before sign-in: the attacker's own account must not be signed into the victim's browser.
      const anonymous = new InjectBrowser(f.s.app, '10.78.0.1');
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
      const second = await createServer(f.s.config, createLogger('silent'));
      try {
        const visitor = new InjectBrowser(f.s.app, '10.78.0.3');
        const page = await visitor.get('/login');
        const onSecond = new InjectBrowser(second.app, '10.78.0.3');
        for (const [name, value] of visitor.cookies) onSecond.cookies.set(name, value);
        const res = await onSecond.post('/login', { csrf: csrfOf(page.body), email, password: PASSWORD });
        expect(res.statusCode).toBe(303);
        expect(second.ctx.csrfKey.equals(f.s.ctx.csrfKey)).toBe(true);
        expect(f.s.ctx.csrfKey).toHaveLength(32);
      } finally {
        await second.close();
      }
    });

    it("a token of the browser's previous session stops working once another user signs in there", async () => {
      const shared = await signedInBrowser(f.s, new InjectBrowser(f.s.app, '10.78.0.2'), f.otherUserId);
      const old = csrfOf((await shared.get('/account/apps')).body);
      expect((await shared.post('/logout', { csrf: old })).statusCode).toBe(303);
      expect((await signIn(shared, email, PASSWORD)).statusCode).toBe(303);
      expectFormExpired(await shared.post('/logout', { csrf: old }));
      const fresh = csrfOf((await shared.get('/account/apps')).body);
      expect(fresh).not.toBe(old);
      expect((await shared.post('/logout', { csrf: fresh })).statusCode).toBe(303);
    });
  });
});
