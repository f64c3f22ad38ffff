/** Counts failed authentications per key (client ID, IP, account) in a fixed window; bounded in memory. */

interface Entry {
  count: number;
  resetAt: number;
}

/**
 * A failure counter: after `maxFailures` within `windowSeconds`, a key is refused until the window ends.
 *
 * Callers {@link FailureLimiter.attempt} before they check a credential and {@link FailureLimiter.forgive}
 * when it was right: the attempt counts as a failure while the check is in flight, so N guesses sent in
 * parallel cannot all pass the limit before the first one is recorded (RFC 6819 §5.1.4.2.3, §5.2.3.7).
 * A check that does not await (a SHA-256 comparison) may instead call {@link FailureLimiter.retryAfter},
 * compare and {@link FailureLimiter.fail} in one synchronous step: just as safe, and right credentials
 * in flight are never counted.
 */
export class FailureLimiter {
  private readonly entries = new Map<string, Entry>();

  /**
   * @param maxFailures failures allowed per window
   * @param windowSeconds window length
   * @param maxEntries memory bound; the oldest entries go first
   */
  constructor(
    private readonly maxFailures: number,
    private readonly windowSeconds: number,
    private readonly maxEntries = 100_000,
  ) {}

  /** Seconds to wait if any of the keys is over its limit, else `undefined`. */
  retryAfter(keys: readonly string[], now = Date.now()): number | undefined {
    let wait: number | undefined;
    for (const key of keys) {
      const entry = this.live(key, now);
      if (entry && entry.count >= this.maxFailures) wait = Math.max(wait ?? 0, (entry.resetAt - now) / 1000);
    }
    return wait;
  }

  /**
   * Starts one attempt: if a key is over its limit, returns the seconds to wait and records nothing;
   * otherwise records the attempt as a failure of every key and returns `undefined`.
   */
  attempt(keys: readonly string[], now = Date.now()): number | undefined {
    const wait = this.retryAfter(keys, now);
    if (wait === undefined) this.fail(keys, now);
    return wait;
  }

  /** Takes back the failure an {@link FailureLimiter.attempt} recorded, once the credential proved right. */
  forgive(keys: readonly string[], now = Date.now()): void {
    for (const key of keys) {
      const entry = this.live(key, now);
      if (!entry) continue;
      entry.count -= 1;
      if (entry.count <= 0) this.entries.delete(key);
    }
  }

  /** The failures of `key` in its current window. */
  failures(key: string, now = Date.now()): number {
    return this.live(key, now)?.count ?? 0;
  }

  /** Records one failure for every key. */
  fail(keys: readonly string[], now = Date.now()): void {
    for (const key of keys) {
      const entry = this.live(key, now);
      if (entry) {
        entry.count += 1;
        continue;
      }
      if (this.entries.size >= this.maxEntries) {
        const oldest = this.entries.keys().next();
        if (!oldest.done) this.entries.delete(oldest.value);
      }
      this.entries.set(key, { count: 1, resetAt: now + this.windowSeconds * 1000 });
    }
  }

  /** The key's entry if its window is still open; an expired one is dropped. */
  private live(key: string, now: number): Entry | undefined {
    const entry = this.entries.get(key);
    if (entry && entry.resetAt <= now) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }
}
