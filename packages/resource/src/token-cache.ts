// Bounded LRU of verified tokens, keyed by the exact token string, never served past expiry.

interface Entry<V> {
  value: V;
  expiresAtMs: number;
}

/**
 * Least-recently-used cache with a per-entry deadline. `get` never returns an entry at or past its
 * deadline (the caller sets it to the token's `exp`, without leeway, or sooner).
 * @see https://www.rfc-editor.org/rfc/rfc9068#section-4
 */
export class TokenCache<V> {
  private readonly entries = new Map<string, Entry<V>>();

  constructor(
    private readonly maxEntries: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Number of entries held (expired ones included until touched or evicted). */
  get size(): number {
    return this.entries.size;
  }

  /** The value cached for `key` if its deadline has not passed; refreshes its recency. */
  get(key: string): V | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (this.now() >= entry.expiresAtMs) {
      this.entries.delete(key);
      return undefined;
    }
    // Map keeps insertion order: re-inserting makes this the most recently used entry.
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.value;
  }

  /** Stores `value` until `expiresAtMs`, evicting the least recently used entry when full. */
  set(key: string, value: V, expiresAtMs: number): void {
    if (!(expiresAtMs > this.now())) return;
    this.entries.delete(key);
    this.entries.set(key, { value, expiresAtMs });
    if (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done !== true) this.entries.delete(oldest.value);
    }
  }

  /** Drops every entry. */
  clear(): void {
    this.entries.clear();
  }
}
