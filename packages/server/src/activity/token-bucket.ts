/** Token buckets: how many recent errors may be written, per app and in all, whatever fails. */

/** One bucket: holds up to `capacity` tokens, refilled at `perSecond`. */
export class TokenBucket {
  private tokens: number;
  private at: number;

  constructor(
    private readonly capacity: number,
    private readonly perSecond: number,
    now = Date.now(),
  ) {
    this.tokens = capacity;
    this.at = now;
  }

  /** Takes one token: `false` when the bucket is empty (nothing taken). */
  take(now = Date.now()): boolean {
    if (now > this.at) {
      this.tokens = Math.min(this.capacity, this.tokens + ((now - this.at) / 1000) * this.perSecond);
      this.at = now;
    }
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

/**
 * A bucket per key, at most `maxKeys` of them (the oldest goes first). A key gets a bucket only when
 * a caller says it may ({@link TokenBuckets.take} with `create`), so keys nobody vouched for (a client
 * ID that names no app) never take memory.
 */
export class TokenBuckets {
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(
    private readonly capacity: number,
    private readonly perSecond: number,
    private readonly maxKeys = 10_000,
  ) {}

  /** Whether `key` has a bucket. */
  has(key: string): boolean {
    return this.buckets.has(key);
  }

  /**
   * Takes a token from `key`'s bucket; a key without one gets a full bucket if `create`, else the
   * answer is `false`.
   */
  take(key: string, create: boolean, now = Date.now()): boolean {
    let bucket = this.buckets.get(key);
    if (bucket === undefined) {
      if (!create) return false;
      if (this.buckets.size >= this.maxKeys) {
        const oldest = this.buckets.keys().next();
        if (!oldest.done) this.buckets.delete(oldest.value);
      }
      bucket = new TokenBucket(this.capacity, this.perSecond, now);
      this.buckets.set(key, bucket);
    }
    return bucket.take(now);
  }
}
