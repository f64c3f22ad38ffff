/**
 * The sign-in, sign-up and consent pages and the authorization endpoint under hostile input: repeated
 * query parameters (RFC 6749 §3.1) are an error page or an invalid_request redirect, never a 500; a
 * state outside VSCHAR or over 1024 characters (RFC 6749 Appendix A.5) is refused without being echoed;
 * an email with control characters or over 320 characters never reaches the database.
 */
import { describe, expect, it } from 'vitest';
import { PER_ADDRESS_LIMIT_FACTOR } from '../src/http/login-throttle.js';
import { DEFAULT_RETURN_TO } from '../src/http/return-to.js';
import {
  expectErrorPage,
  expectRedirectError,
  expectSecurePage,
  sessionCookieSet,
  signedInBrowser,
  snapshot,
} from './support/attacks.js';
import { authorizeUrl } from './support/authorize-attack-server.js';
import { csrfOf, formAction, InjectBrowser, locationParams, pkce } from './support/browser.js';
import {
  pageVisitors,
  postLogin,
  postSignup,
  USER_EMAIL,
  usePageAttackServer,
} from './support/page-attack-server.js';
import { dialects } from './support/server.js';

describe.each(dialects())('page attacks on %s', (dialect) => {
  const f = usePageAttackServer(dialect);
  const email = USER_EMAIL;
  const { nextIp, anonymous, consentPageOf, freshEmail } = pageVisitors(f);

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
      const signedIn = await signedInBrowser(f.s, anonymous(), f.userId);
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
      const signedIn = await signedInBrowser(f.s, anonymous(), f.userId);
      expect((await signedIn.get('/account/apps?revoked=1&revoked=1')).statusCode).toBe(200);
    });

    it('authorize: a repeated client_id or redirect_uri is an error page (RFC 6749 §3.1)', async () => {
      const signedIn = await signedInBrowser(f.s, anonymous(), f.userId);
      const redirect = encodeURIComponent(f.app.redirectUri);
      const before = await snapshot(f.s);
      for (const url of [
        `/oauth/authorize?response_type=code&client_id=${f.app.client.id}&client_id=${f.app.client.id}&redirect_uri=${redirect}`,
        `/oauth/authorize?response_type=code&client_id=${f.app.client.id}&redirect_uri=${redirect}&redirect_uri=${redirect}`,
      ]) {
        expectErrorPage(await signedIn.get(url), 400);
        expectErrorPage(await anonymous().get(url), 400);
      }
      expect(await snapshot(f.s)).toEqual(before);
    });

    it.each([
      ['scope', 'scope=data:read&scope=data:write', 'st'],
      ['response_type', 'response_type=code&scope=data:read', 'st'],
      ['code_challenge_method', 'scope=data:read&code_challenge_method=S256', 'st'],
      ['state', 'scope=data:read&state=other', undefined],
    ])('authorize: a repeated %s redirects with invalid_request', async (_name, extra, state) => {
      const signedIn = await signedInBrowser(f.s, anonymous(), f.userId);
      const { challenge } = pkce();
      const url = `/oauth/authorize?response_type=code&client_id=${f.app.client.id}&redirect_uri=${encodeURIComponent(f.app.redirectUri)}&state=st&code_challenge=${challenge}&code_challenge_method=S256&${extra}`;
      const before = await snapshot(f.s);
      for (const who of [signedIn, anonymous()]) {
        expectRedirectError(await who.get(url), f.app.redirectUri, 'invalid_request', state);
      }
      expect(await snapshot(f.s)).toEqual(before);
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
        client_id: f.app.client.id,
        redirect_uri: f.app.redirectUri,
        scope: 'data:read',
        state,
        code_challenge: challenge,
        code_challenge_method: 'S256',
      };
      const before = await snapshot(f.s);
      for (const who of [await signedInBrowser(f.s, anonymous(), f.userId), anonymous()]) {
        const res = await who.get(authorizeUrl(query));
        expectRedirectError(res, f.app.redirectUri, 'invalid_request', undefined);
        expect(String(res.headers['location'])).not.toContain(encodeURIComponent(state).slice(0, 20));
      }
      const after = await snapshot(f.s);
      expect({ ...after, sessions: 0 }).toEqual({ ...before, sessions: 0 });
    });

    it('every printable ASCII character and exactly 1024 characters are accepted and echoed', async () => {
      const printable = Array.from({ length: 0x7f - 0x20 }, (_, i) => String.fromCharCode(0x20 + i)).join('');
      const signedIn = await signedInBrowser(f.s, anonymous(), f.userId);
      for (const state of [printable, 'y'.repeat(1024)]) {
        const res = await signedIn.get(
          authorizeUrl({
            response_type: 'code',
            client_id: f.app.client.id,
            redirect_uri: f.app.redirectUri,
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
        expectRedirectError(decided, f.app.redirectUri, 'access_denied', state);
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
        expect((await postLogin(new InjectBrowser(f.s.app, ip), '/login', who)).statusCode).toBe(401);
      }
      const res = await postLogin(new InjectBrowser(f.s.app, ip), '/login', email);
      expect(res.statusCode).toBe(429);
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    });

    it.each(bad)('sign-up with %s: 400 form error, no account', async (_name, who) => {
      const users = await f.s.ctx.db
        .selectFrom('users')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow();
      const res = await postSignup(anonymous(), '/signup', who);
      expect(res.statusCode).toBe(400);
      expect(res.body).toContain('Enter a valid email address.');
      expect(sessionCookieSet(res)).toBe(false);
      expectSecurePage(res);
      const after = await f.s.ctx.db
        .selectFrom('users')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow();
      expect(Number(after.n)).toBe(Number(users.n));
    });
  });
});
