/**
 * Sign-in throttling (RFC 6819 §5.1.4.2.3) that nobody can turn against an account's owner. Wrong
 * passwords are refused (429) per (account, address) and per address across accounts; per account
 * alone they only slow every further attempt down, the right password included, by a bounded delay.
 * Refusing per account would let anyone lock a user out by typing wrong passwords from anywhere
 * (test/authorize-attacks-brute-force.test.ts, "password brute force"). The counts are one {@link Throttle}'s: this
 * process's on SQLite, shared by every server on PostgreSQL or Redis.
 */
import type { Admitted, Throttle } from '../throttle/throttle.js';

/** An address may fail this many times LATCHKEY_LOGIN_MAX_FAILURES across accounts (a shared NAT). */
export const PER_ADDRESS_LIMIT_FACTOR = 4;

/** The delay once an account has LATCHKEY_LOGIN_MAX_FAILURES failures; it doubles with each further one. */
export const ACCOUNT_DELAY_BASE_MS = 250;

/** The longest an attempt waits for its account's failures. */
export const ACCOUNT_DELAY_MAX_MS = 2_000;

/** A sign-in that may go ahead: wait `delayMs`, check the password, then {@link LoginThrottle.succeeded}. */
export interface LoginAttempt {
  readonly refused: false;
  readonly delayMs: number;
  /** What was counted, to take back on success. */
  readonly admitted: Admitted;
}

/** A sign-in refused: too many failures from this address, for this account or for all. */
export interface RefusedLogin {
  readonly refused: true;
  /** Seconds until the attempt may be made again. */
  readonly retryAfter: number;
}

/** Failed sign-ins per (account, address), per address and per account, in one window. */
export class LoginThrottle {
  /**
   * @param throttle the counts (window: LATCHKEY_LOGIN_FAILURE_WINDOW)
   * @param maxFailures failures per (account, address) before 429 (LATCHKEY_LOGIN_MAX_FAILURES); an
   *   address gets {@link PER_ADDRESS_LIMIT_FACTOR} times as many across accounts, and an account's
   *   attempts are delayed from this many failures on
   */
  constructor(
    private readonly throttle: Throttle,
    private readonly maxFailures: number,
  ) {}

  /**
   * Starts a sign-in of `account` from `address` (an http/ip-key.ts key). Refused if the pair or the
   * address is over its limit (nothing stays recorded); otherwise counted as a failure of all three
   * until {@link LoginThrottle.succeeded}, before the password check awaits, so parallel guesses cannot
   * all slip under a limit, on one server or several, and the delay is the account's failures before
   * this one. Throws CounterStoreUnavailableError (503) while a shared store cannot be reached: the
   * sign-in throttle refuses rather than let each server count alone (server.ts).
   */
  async start(account: string, address: string): Promise<LoginAttempt | RefusedLogin> {
    const attempt = await this.throttle.attempt(
      this.throttle.tally([
        { key: `pair:${JSON.stringify([account, address])}`, max: this.maxFailures },
        { key: `address:${address}`, max: this.maxFailures * PER_ADDRESS_LIMIT_FACTOR },
        // Only counts: an account's failures never refuse, they delay.
        { key: `account:${account}`, max: Number.MAX_SAFE_INTEGER },
      ]),
    );
    if (attempt.refused) return attempt;
    const failures = (attempt.counts[2] ?? 1) - 1;
    return { refused: false, delayMs: this.delayFor(failures), admitted: attempt };
  }

  /** The password was right: the attempt is not a failure after all. */
  async succeeded(attempt: LoginAttempt): Promise<void> {
    await this.throttle.forgive(attempt.admitted);
  }

  /** No delay below the limit, then 250 ms doubling with each failure, at most 2 s. */
  private delayFor(failures: number): number {
    if (failures < this.maxFailures) return 0;
    const doublings = Math.min(failures - this.maxFailures, 16);
    return Math.min(ACCOUNT_DELAY_MAX_MS, ACCOUNT_DELAY_BASE_MS * 2 ** doublings);
  }
}
