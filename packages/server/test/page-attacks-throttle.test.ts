/**
 * The sign-up and sign-in forms under volume attacks (RFC 6749 §10.10): sign-up is throttled per IP
 * (LATCHKEY_SIGNUP_MAX_PER_IP, LATCHKEY_SIGNUP_WINDOW), every attempt counting and parallel attempts
 * included; parallel wrong passwords from one IP get at most LATCHKEY_LOGIN_MAX_FAILURES answers
 * before 429, without locking the account's owner out from elsewhere.
 */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { expectSecurePage, sessionCookieSet } from './support/attacks.js';
import { csrfOf, InjectBrowser } from './support/browser.js';
import {
  PASSWORD,
  pageVisitors,
  postLogin,
  postSignup,
  usePageAttackServer,
} from './support/page-attack-server.js';
import { dialects } from './support/server.js';

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
  const f = usePageAttackServer(dialect);
  const { nextIp, anonymous, freshEmail } = pageVisitors(f);

  describe('M7: sign-up is throttled per IP (LATCHKEY_SIGNUP_MAX_PER_IP=3)', () => {
    it('every attempt counts; the 4th from one IP is a 429 page with Retry-After and creates nothing', async () => {
      const ip = nextIp();
      const from = () => new InjectBrowser(f.s.app, ip);
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
        await f.s.ctx.db.selectFrom('users').select('id').where('email', '=', blocked).executeTakeFirst(),
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
      await f.s.ctx.users.create(victim, PASSWORD);
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
