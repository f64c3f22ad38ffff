/** Counts failed authentications per key (client ID, IP) in a fixed window; bounded in memory. */

/** A failure counter: after `maxFailures` within `windowSeconds`, a key is refused until the window ends. */
export class FailureLimiter {
  private readonly entries = new Map<string, { count: number; resetAt: number }>();

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
      const entry = this.entries.get(key);
      if (!entry) continue;
      if (entry.resetAt <= now) {
        this.entries.delete(key);
        continue;
      }
      if (entry.count >= this.maxFailures) wait = Math.max(wait ?? 0, (entry.resetAt - now) / 1000);
    }
    return wait;
  }

  /** Records one failure for every key. */
  fail(keys: readonly string[], now = Date.now()): void {
    for (const key of keys) {
      const entry = this.entries.get(key);
      if (entry && entry.resetAt > now) {
        entry.count += 1;
        continue;
      }
      this.entries.delete(key);
      if (this.entries.size >= this.maxEntries) {
        const oldest = this.entries.keys().next();
        if (!oldest.done) this.entries.delete(oldest.value);
      }
      this.entries.set(key, { count: 1, resetAt: now + this.windowSeconds * 1000 });
    }
  }
}
