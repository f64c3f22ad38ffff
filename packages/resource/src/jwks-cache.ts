// Remote JWKS held in memory: served while stale and refreshed in the background with backoff; an unknown
// kid waits for a fetch at most once per cooldown.
import {
  createLocalJWKSet,
  type FlattenedJWSInput,
  type JSONWebKeySet,
  type JWSHeaderParameters,
  errors as joseErrors,
} from 'jose';
import { fetchJsonObject, UpstreamError } from './http-json.js';
import type { FetchLike } from './types.js';

type LocalKeySet = ReturnType<typeof createLocalJWKSet>;

/** Settings of a {@link JwksCache}. */
export interface JwksCacheOptions {
  /** Resolves the JWKS URL (configured, or discovered through RFC 8414). */
  jwksUri: () => Promise<string>;
  fetch: FetchLike;
  timeoutMs: number;
  /**
   * Minimum milliseconds between two waits for a fetch caused by a key that is not in the set, and
   * between two background refetches; the first delay of the backoff.
   */
  cooldownMs: number;
  /** Refetch in the background when the set in memory is older than this (milliseconds). */
  maxAgeMs: number;
  /** Longest delay between two background refetches after failures (never below `cooldownMs`). */
  maxBackoffMs: number;
  now?: () => number;
}

/**
 * A JWKS fetched from the authorization server and kept in memory. Keys are chosen only by the
 * token's `kid` / `alg` among the fetched keys: the token's `jku`, `x5u`, `jwk` and `x5c` headers are
 * never read.
 *
 * - Only the first use waits for the set; afterwards a token whose key is in the set never waits on
 *   the network: a set older than the max age is still used while one refetch runs in the background
 *   (stale-while-revalidate; the authorization server may be down or hanging).
 * - One fetch is in flight at a time. After a fetch a background refetch waits at least the cooldown;
 *   after n failures in a row it waits min(cooldown × 2^(n−1), max backoff).
 * - A token whose key is not in the set waits for one fetch (the one in flight, or a new one), at most
 *   once per cooldown: requests arriving while that fetch runs share it, later ones within the cooldown
 *   are refused at once, so a flood of forged `kid`s costs the authorization server one request per
 *   cooldown and costs the API one timeout per cooldown.
 * @see https://www.rfc-editor.org/rfc/rfc8725#section-3.10
 * @see https://www.rfc-editor.org/rfc/rfc7517#section-5
 */
export class JwksCache {
  private keySet: LocalKeySet | undefined;
  private fetchedAt = Number.NEGATIVE_INFINITY;
  /** The one fetch in flight, whatever started it. */
  private inFlight: Promise<LocalKeySet> | undefined;
  /** No background refetch starts before this time (cooldown after a fetch, backoff after failures). */
  private nextRefreshAt = Number.NEGATIVE_INFINITY;
  private failures = 0;
  /** When a token with an unknown key last started waiting for a fetch. */
  private unknownKeyWaitAt = Number.NEGATIVE_INFINITY;
  /** The fetch that tokens with an unknown key share until it settles. */
  private unknownKeyWait: Promise<LocalKeySet> | undefined;
  private readonly now: () => number;

  constructor(private readonly options: JwksCacheOptions) {
    this.now = options.now ?? (() => Date.now());
  }

  /** jose key resolver: pass it to `jwtVerify`. */
  readonly getKey = async (header: JWSHeaderParameters, token: FlattenedJWSInput): Promise<CryptoKey> => {
    // No set yet: nothing to serve with, so wait (sharing the fetch in flight).
    const keySet = this.keySet ?? (await (this.inFlight ?? this.fetchKeys()));
    if (this.now() - this.fetchedAt > this.options.maxAgeMs) this.refreshInBackground();
    try {
      return await keySet(header, token);
    } catch (error) {
      if (!(error instanceof joseErrors.JWKSNoMatchingKey)) throw error;
      const fetched = this.fetchForUnknownKey();
      if (fetched === undefined) throw error;
      let refreshed: LocalKeySet;
      try {
        refreshed = await fetched;
      } catch {
        throw error; // the set we hold is still good; the token's key is just not in it
      }
      return refreshed(header, token);
    }
  };

  private refreshInBackground(): void {
    if (this.inFlight !== undefined || this.now() < this.nextRefreshAt) return;
    // Served with the old set meanwhile; a failure only pushes the next try back.
    this.fetchKeys().catch(() => {});
  }

  /** The fetch a token with an unknown key may wait for, or `undefined`: refuse it at once. */
  private fetchForUnknownKey(): Promise<LocalKeySet> | undefined {
    if (this.unknownKeyWait !== undefined) return this.unknownKeyWait;
    const now = this.now();
    if (now - this.unknownKeyWaitAt < this.options.cooldownMs) return undefined;
    this.unknownKeyWaitAt = now;
    const wait = this.inFlight ?? this.fetchKeys();
    this.unknownKeyWait = wait;
    const done = () => {
      if (this.unknownKeyWait === wait) this.unknownKeyWait = undefined;
    };
    wait.then(done, done);
    return wait;
  }

  private fetchKeys(): Promise<LocalKeySet> {
    const fetched = this.load().then(
      (keySet) => {
        this.inFlight = undefined;
        this.keySet = keySet;
        this.fetchedAt = this.now();
        this.failures = 0;
        this.nextRefreshAt = this.fetchedAt + this.options.cooldownMs;
        return keySet;
      },
      (error: unknown) => {
        this.inFlight = undefined;
        this.failures++;
        this.nextRefreshAt = this.now() + this.backoffMs();
        throw error;
      },
    );
    this.inFlight = fetched;
    return fetched;
  }

  /** min(cooldown × 2^(failures−1), max backoff), never below the cooldown. */
  private backoffMs(): number {
    const { cooldownMs, maxBackoffMs } = this.options;
    const doubled = cooldownMs * 2 ** Math.min(this.failures - 1, 30); // 2^30 × any cooldown > any cap
    return Math.min(doubled, Math.max(maxBackoffMs, cooldownMs));
  }

  private async load(): Promise<LocalKeySet> {
    const uri = await this.options.jwksUri();
    const document = await fetchJsonObject(
      this.options.fetch,
      uri,
      { headers: { accept: 'application/jwk-set+json, application/json' } },
      this.options.timeoutMs,
    );
    try {
      return createLocalJWKSet(document as unknown as JSONWebKeySet);
    } catch (cause) {
      throw new UpstreamError(`${uri} is not a JSON Web Key Set`, { cause });
    }
  }
}
