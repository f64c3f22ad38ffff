import { describe, expect, it } from 'vitest';
import {
  ACCOUNT_DELAY_BASE_MS,
  ACCOUNT_DELAY_MAX_MS,
  type LoginAttempt,
  LoginThrottle,
  PER_ADDRESS_LIMIT_FACTOR,
  type RefusedLogin,
} from './login-throttle.js';

const allowed = (attempt: LoginAttempt | RefusedLogin): LoginAttempt => {
  if (attempt.refused) throw new Error(`refused for ${attempt.retryAfter} s`);
  return attempt;
};

describe('LoginThrottle', () => {
  it('refuses an (account, address) pair after the limit; the account from elsewhere is slowed, never refused', () => {
    const throttle = new LoginThrottle(3, 900);
    for (let i = 0; i < 3; i++) expect(throttle.start('ada', '198.51.100.1', 0).refused).toBe(false);
    expect(throttle.start('ada', '198.51.100.1', 0)).toEqual({ refused: true, retryAfter: 900 });
    // The owner from another address: delayed by the account's failures, not refused.
    expect(allowed(throttle.start('ada', '203.0.113.5', 0)).delayMs).toBe(ACCOUNT_DELAY_BASE_MS);
  });

  it('delays an account from the limit on, doubling, at most ACCOUNT_DELAY_MAX_MS, whatever the addresses', () => {
    const throttle = new LoginThrottle(2, 900);
    const delays = Array.from(
      { length: 10 },
      (_, i) => allowed(throttle.start('ada', `10.0.0.${i}`, 0)).delayMs,
    );
    expect(delays).toEqual([0, 0, 250, 500, 1000, 2000, 2000, 2000, 2000, 2000]);
    expect(Math.max(...delays)).toBe(ACCOUNT_DELAY_MAX_MS);
    // Other accounts are not slowed; the window's end forgets the account.
    expect(allowed(throttle.start('bob', '10.0.0.1', 0)).delayMs).toBe(0);
    expect(allowed(throttle.start('ada', '10.0.0.1', 900_000)).delayMs).toBe(0);
  });

  it('refuses an address across accounts after PER_ADDRESS_LIMIT_FACTOR times the limit', () => {
    const throttle = new LoginThrottle(2, 60);
    for (let i = 0; i < 2 * PER_ADDRESS_LIMIT_FACTOR; i++)
      expect(throttle.start(`user${i}`, '2001:db8::/64', 0).refused).toBe(false);
    expect(throttle.start('someone-else', '2001:db8::/64', 1_000)).toEqual({ refused: true, retryAfter: 59 });
    expect(throttle.start('someone-else', '2001:db9::/64', 1_000).refused).toBe(false);
  });

  it('a right password takes its attempt back everywhere', () => {
    const throttle = new LoginThrottle(2, 60);
    for (let i = 0; i < 10; i++) {
      const attempt = allowed(throttle.start('ada', '10.0.0.1', i));
      expect(attempt.delayMs).toBe(0);
      throttle.succeeded(attempt, i);
    }
  });
});
