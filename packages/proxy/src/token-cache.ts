// Token cache per scope set: served until expiry minus skew, refreshed ahead, one upstream call per key.

import type { UpstreamToken, UpstreamTokenFetcher } from './upstream-token.js';

/** Most scope sets kept at once; the oldest is dropped beyond it. */
const MAX_ENTRIES = 1000;

/**
 * A cached token and the moments that govern it.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.1
 */
export interface CacheEntry {
  /** The token. */
  readonly token: UpstreamToken;
  /** From then on (epoch ms) a background refresh starts while this token is still served. */
  readonly refreshAt: number;
  /** From then on (epoch ms) this token is no longer handed out: callers wait for a new one. */
  readonly staleAt: number;
  /** Serialized answer for `bodyExpiresIn` (reused within one second). */
  body?: string;
  /** The `expires_in` that `body` was made for. */
  bodyExpiresIn?: number;
}

/**
 * Computes when to refresh and when to stop serving: skew `s = min(skewMs, lifetime / 3)`, stale at
 * `exp - s`, refresh ahead from `exp - 2s`.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.1
 */
export function toCacheEntry(token: UpstreamToken, skewMs: number): CacheEntry {
  const lifetime = Math.max(0, token.expiresAt - token.receivedAt);
  const skew = Math.min(skewMs, lifetime / 3);
  return { token, staleAt: token.expiresAt - skew, refreshAt: token.expiresAt - 2 * skew };
}

/**
 * Caches tokens per normalised scope key. `get` answers synchronously with a fresh entry (starting a
 * background refresh inside the refresh-ahead window) or returns the one in-flight upstream request
 * for the key, so N concurrent callers with an empty cache cause one upstream call.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.4
 */
export class TokenCache {
  readonly #entries = new Map<string, CacheEntry>();
  readonly #inflight = new Map<string, Promise<CacheEntry>>();
  readonly #fetch: UpstreamTokenFetcher;
  readonly #skewMs: number;

  /** @param fetcher gets a token from the upstream @param skewSeconds see {@link toCacheEntry} */
  constructor(fetcher: UpstreamTokenFetcher, skewSeconds: number) {
    this.#fetch = fetcher;
    this.#skewMs = skewSeconds * 1000;
  }

  /**
   * A token for `key` (the sorted scope set) fetched with `scope` when needed.
   * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.4.3
   */
  get(key: string, scope: readonly string[], now = Date.now()): CacheEntry | Promise<CacheEntry> {
    const entry = this.#entries.get(key);
    if (entry !== undefined && now < entry.staleAt) {
      if (now >= entry.refreshAt && !this.#inflight.has(key)) {
        // Failures are logged by the fetcher; the current token stays in use until it goes stale.
        this.#start(key, scope).catch(() => undefined);
      }
      return entry;
    }
    return this.#inflight.get(key) ?? this.#start(key, scope);
  }

  /** Drops every cached token (in-flight requests still complete and are stored). */
  clear(): void {
    this.#entries.clear();
  }

  /** Number of scope sets cached. */
  get size(): number {
    return this.#entries.size;
  }

  #start(key: string, scope: readonly string[]): Promise<CacheEntry> {
    const pending = this.#fetch(scope).then((token) => {
      const entry = toCacheEntry(token, this.#skewMs);
      this.#entries.delete(key);
      if (this.#entries.size >= MAX_ENTRIES) {
        const oldest = this.#entries.keys().next().value;
        if (oldest !== undefined) this.#entries.delete(oldest);
      }
      this.#entries.set(key, entry);
      return entry;
    });
    this.#inflight.set(key, pending);
    const done = () => {
      if (this.#inflight.get(key) === pending) this.#inflight.delete(key);
    };
    pending.then(done, done);
    return pending;
  }
}
