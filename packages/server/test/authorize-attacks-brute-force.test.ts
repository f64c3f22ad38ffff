/**
 * The sign-in form under password brute force (RFC 6749 §10.10), with LATCHKEY_LOGIN_MAX_FAILURES=3:
 * wrong passwords from elsewhere only slow an account's sign-ins down (a bounded delay, never a lockout
 * of its owner), while the (account, IP) pair and the IP that guessed are refused with 429 and
 * Retry-After.
 */
import { describe, expect, it } from 'vitest';
import {
  ACCOUNT_DELAY_BASE_MS,
  ACCOUNT_DELAY_MAX_MS,
  PER_ADDRESS_LIMIT_FACTOR,
} from '../src/http/login-throttle.js';
import { expectSecurePage, sessionCookieSet } from './support/attacks.js';
import { PASSWORD, USER_EMAIL, useAuthorizeAttackServer } from './support/authorize-attack-server.js';
import { csrfOf, InjectBrowser } from './support/browser.js';
import { dialects } from './support/server.js';

describe.each(dialects())('authorization endpoint attacks on %s', (dialect) => {
  const f = useAuthorizeAttackServer(dialect);
  const email = USER_EMAIL;

  describe('password brute force (LATCHKEY_LOGIN_MAX_FAILURES=3)', () => {
    async function attempt(ip: string, who: string, password: string) {
      const b = new InjectBrowser(f.s.app, ip);
      const page = await b.get('/login');
      return b.post('/login', { csrf: csrfOf(page.body), email: who, password });
    }

    // Refusing per account would let anyone lock the owner out: wrong passwords from elsewhere only
    // slow the account's sign-ins down, by at most ACCOUNT_DELAY_MAX_MS.
    it('per account: wrong passwords from other IPs never refuse the right password from another IP; it signs in after a bounded delay', async () => {
      const victim = 'victim@example.com';
      await f.s.ctx.users.create(victim, PASSWORD);
      for (const ip of ['10.1.0.1', '10.1.0.2', '10.1.0.3', '10.1.0.4']) {
        expect((await attempt(ip, victim, 'guess')).statusCode).toBe(401);
      }
      const started = Date.now();
      const res = await attempt('10.1.0.5', victim, PASSWORD);
      const took = Date.now() - started;
      expect(res.statusCode).toBe(303);
      expect(sessionCookieSet(res)).toBe(true);
      // Four failures with a limit of 3: this attempt waited 500 ms (250 ms doubled), never more than 2 s.
      expect(took).toBeGreaterThanOrEqual(2 * ACCOUNT_DELAY_BASE_MS - 20);
      expect(took).toBeLessThan(ACCOUNT_DELAY_MAX_MS + 1_500);
      // Email case and spaces do not escape the account counter: slowed the same way, still signed in.
      expect((await attempt('10.1.0.6', ' VICTIM@example.com ', PASSWORD)).statusCode).toBe(303);
      // Other accounts are not slowed.
      const other = Date.now();
      expect((await attempt('10.1.0.7', email, PASSWORD)).statusCode).toBe(303);
      expect(Date.now() - other).toBeLessThan(ACCOUNT_DELAY_BASE_MS + 1_000);
    });

    it('per (account, IP): the IP that guessed is refused after the limit, even with the right password; another IP is not', async () => {
      const victim = 'pair-victim@example.com';
      await f.s.ctx.users.create(victim, PASSWORD);
      for (let i = 0; i < 3; i++) expect((await attempt('10.3.0.1', victim, 'guess')).statusCode).toBe(401);
      const res = await attempt('10.3.0.1', victim, PASSWORD);
      expect(res.statusCode).toBe(429);
      expect(sessionCookieSet(res)).toBe(false);
      const retryAfter = Number(res.headers['retry-after']);
      expect(Number.isInteger(retryAfter)).toBe(true);
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(900);
      expectSecurePage(res);
      expect((await attempt('10.3.0.1', ' PAIR-victim@example.com', PASSWORD)).statusCode).toBe(429);
      expect((await attempt('10.3.0.2', victim, PASSWORD)).statusCode).toBe(303);
    });

    it('per IP: wrong passwords for different emails from one IP, then the right password from that IP is 429', async () => {
      const ipVictim = 'ipvictim@example.com';
      await f.s.ctx.users.create(ipVictim, PASSWORD);
      for (let i = 0; i < 3 * PER_ADDRESS_LIMIT_FACTOR; i++) {
        expect((await attempt('10.2.0.1', `x${i}@example.com`, 'guess')).statusCode).toBe(401);
      }
      const res = await attempt('10.2.0.1', ipVictim, PASSWORD);
      expect(res.statusCode).toBe(429);
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
      expect(sessionCookieSet(res)).toBe(false);
      // The same account from another IP is fine: the counter was the IP's.
      expect((await attempt('10.2.0.2', ipVictim, PASSWORD)).statusCode).toBe(303);
    });
  });
});
