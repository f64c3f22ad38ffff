import { describe, expect, it } from 'vitest';
import { MemoryCounterStore } from '../throttle/memory.js';
import { Throttle } from '../throttle/throttle.js';
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

/** A sign-in throttle counting in this process, on a clock the test moves. */
function throttleAt(maxFailures: number, windowSeconds: number) {
  const clock = { now: 0 };
  const now = () => clock.now;
  const throttle = new Throttle(
    undefined,
    { name: 'login', windowSeconds, onOutage: 'refuse', clock: now },
    new MemoryCounterStore(100, now),
  );
  return { clock, login: new LoginThrottle(throttle, maxFailures) };
}

describe('LoginThrottle', () => {
  it('refuses an (account, address) pair after the limit; the account from elsewhere is slowed, never refused', async () => {
    const { login } = throttleAt(3, 900);
    for (let i = 0; i < 3; i++) expect((await login.start('ada', '198.51.100.1')).refused).toBe(false);
    expect(await login.start('ada', '198.51.100.1')).toEqual({ refused: true, retryAfter: 900 });
    // The owner from another address: delayed by the account's failures, not refused.
    expect(allowed(await login.start('ada', '203.0.113.5')).delayMs).toBe(ACCOUNT_DELAY_BASE_MS);
  });

  it('delays an account from the limit on, doubling, at most ACCOUNT_DELAY_MAX_MS, whatever the addresses', async () => {
    const { login, clock } = throttleAt(2, 900);
    const delays: number[] = [];
    for (let i = 0; i < 10; i++) delays.push(allowed(await login.start('ada', `10.0.0.${i}`)).delayMs);
    expect(delays).toEqual([0, 0, 250, 500, 1000, 2000, 2000, 2000, 2000, 2000]);
    expect(Math.max(...delays)).toBe(ACCOUNT_DELAY_MAX_MS);
    // Other accounts are not slowed; the window's end forgets the account.
    expect(allowed(await login.start('bob', '10.0.0.1')).delayMs).toBe(0);
    clock.now = 900_000;
    expect(allowed(await login.start('ada', '10.0.0.1')).delayMs).toBe(0);
  });

  it('refuses an address across accounts after PER_ADDRESS_LIMIT_FACTOR times the limit', async () => {
    const { login, clock } = throttleAt(2, 60);
    for (let i = 0; i < 2 * PER_ADDRESS_LIMIT_FACTOR; i++)
      expect((await login.start(`user${i}`, '2001:db8::/64')).refused).toBe(false);
    clock.now = 1_000;
    expect(await login.start('someone-else', '2001:db8::/64')).toEqual({ refused: true, retryAfter: 59 });
    expect((await login.start('someone-else', '2001:db9::/64')).refused).toBe(false);
  });

  it('a refused attempt counts nothing: not for the account, not against the pair', async () => {
    const { login } = throttleAt(1, 60);
    allowed(await login.start('ada', '10.0.0.1'));
    for (let i = 0; i < 5; i++) expect((await login.start('ada', '10.0.0.1')).refused).toBe(true);
    // One failure of the account so far: the limit (1) is reached, so the next attempt waits the base delay.
    expect(allowed(await login.start('ada', '10.0.0.2')).delayMs).toBe(ACCOUNT_DELAY_BASE_MS);
  });

  it('a right password takes its attempt back everywhere', async () => {
    const { login } = throttleAt(2, 60);
    for (let i = 0; i < 10; i++) {
      const attempt = allowed(await login.start('ada', '10.0.0.1'));
      expect(attempt.delayMs).toBe(0);
      await login.succeeded(attempt);
    }
  });
});
