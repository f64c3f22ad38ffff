/**
 * Sign-in throttling (RFC 6819 §5.1.4.2.3) that nobody can turn against an account's owner. Wrong
 * passwords are refused (429) per (account, address) and per address across accounts; per account
 * alone they only slow every further attempt down, the right password included, by a bounded delay.
 * Refusing per account would let anyone lock a user out by typing wrong passwords from anywhere
 * (test/authorize-attacks.test.ts, "password brute force").
 */
import { FailureLimiter } from './rate-limit.js';

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
  readonly pair: string;
  readonly address: string;
  readonly account: string;
}

/** A sign-in refused: too many failures from this address, for this account or for all. */
export interface RefusedLogin {
  readonly refused: true;
  /** Seconds until the attempt may be made again. */
  readonly retryAfter: number;
}

/** Failed sign-ins per (account, address), per address and per account, in one window. */
export class LoginThrottle {
  private readonly pairs: FailureLimiter;
  private readonly addresses: FailureLimiter;
  /** Only counts: an account's failures never refuse, they delay. */
  private readonly accounts: FailureLimiter;

  /**
   * @param maxFailures failures per (account, address) before 429 (LATCHKEY_LOGIN_MAX_FAILURES); an
   *   address gets {@link PER_ADDRESS_LIMIT_FACTOR} times as many across accounts, and an account's
   *   attempts are delayed from this many failures on
   * @param windowSeconds LATCHKEY_LOGIN_FAILURE_WINDOW
   */
  constructor(
    private readonly maxFailures: number,
    windowSeconds: number,
  ) {
    this.pairs = new FailureLimiter(maxFailures, windowSeconds);
    this.addresses = new FailureLimiter(maxFailures * PER_ADDRESS_LIMIT_FACTOR, windowSeconds);
    this.accounts = new FailureLimiter(Number.MAX_SAFE_INTEGER, windowSeconds);
  }

  /**
   * Starts a sign-in of `account` from `address` (an http/ip-key.ts key). Refused if the pair or the
   * address is over its limit (nothing recorded); otherwise counted as a failure of all three until
   * {@link LoginThrottle.succeeded}, before the password check awaits, so parallel guesses cannot all
   * slip under a limit, and the delay is the account's failures before this one.
   */
  start(account: string, address: string, now = Date.now()): LoginAttempt | RefusedLogin {
    const pair = JSON.stringify([account, address]);
    const wait = Math.max(
      this.pairs.retryAfter([pair], now) ?? -1,
      this.addresses.retryAfter([address], now) ?? -1,
    );
    if (wait >= 0) return { refused: true, retryAfter: wait };
    const failures = this.accounts.failures(account, now);
    this.pairs.fail([pair], now);
    this.addresses.fail([address], now);
    this.accounts.fail([account], now);
    return { refused: false, delayMs: this.delayFor(failures), pair, address, account };
  }

  /** The password was right: the attempt is not a failure after all. */
  succeeded(attempt: LoginAttempt, now = Date.now()): void {
    this.pairs.forgive([attempt.pair], now);
    this.addresses.forgive([attempt.address], now);
    this.accounts.forgive([attempt.account], now);
  }

  /** No delay below the limit, then 250 ms doubling with each failure, at most 2 s. */
  private delayFor(failures: number): number {
    if (failures < this.maxFailures) return 0;
    const doublings = Math.min(failures - this.maxFailures, 16);
    return Math.min(ACCOUNT_DELAY_MAX_MS, ACCOUNT_DELAY_BASE_MS * 2 ** doublings);
  }
}
