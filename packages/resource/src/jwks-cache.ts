// Remote JWKS held in memory: refreshed when stale, refetched at most once per cooldown on an unknown kid.
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
  /** Minimum milliseconds between two refetches caused by a key that is not in the set. */
  cooldownMs: number;
  /** Refetch on use when the set in memory is older than this (milliseconds). */
  maxAgeMs: number;
  now?: () => number;
}

/**
 * A JWKS fetched from the authorization server and kept in memory. Keys are chosen only by the
 * token's `kid` / `alg` among the fetched keys: the token's `jku`, `x5u`, `jwk` and `x5c` headers are
 * never read. An unknown `kid` causes one refetch, at most once per cooldown (a flood of forged
 * `kid`s costs the authorization server one request per cooldown).
 * @see https://www.rfc-editor.org/rfc/rfc8725#section-3.10
 * @see https://www.rfc-editor.org/rfc/rfc7517#section-5
 */
export class JwksCache {
  private keySet: LocalKeySet | undefined;
  private fetchedAt = Number.NEGATIVE_INFINITY;
  private lastRefetchAt = Number.NEGATIVE_INFINITY;
  private pending: Promise<LocalKeySet> | undefined;
  private readonly now: () => number;

  constructor(private readonly options: JwksCacheOptions) {
    this.now = options.now ?? Date.now;
  }

  /** jose key resolver: pass it to `jwtVerify`. */
  readonly getKey = async (header: JWSHeaderParameters, token: FlattenedJWSInput): Promise<CryptoKey> => {
    let keySet = await this.current();
    try {
      return await keySet(header, token);
    } catch (error) {
      if (!(error instanceof joseErrors.JWKSNoMatchingKey)) throw error;
      if (this.pending !== undefined) {
        keySet = await this.pending.catch(() => keySet);
      } else {
        const now = this.now();
        if (now - this.lastRefetchAt < this.options.cooldownMs) throw error;
        this.lastRefetchAt = now;
        try {
          keySet = await this.refresh();
        } catch {
          throw error; // the set we hold is still good; the token's key is just not in it
        }
      }
      return keySet(header, token);
    }
  };

  private async current(): Promise<LocalKeySet> {
    const keySet = this.keySet;
    if (keySet !== undefined && this.now() - this.fetchedAt <= this.options.maxAgeMs) return keySet;
    if (keySet === undefined) return this.refresh();
    // Stale: refresh, but keep serving the old set if the authorization server is down.
    return this.refresh().catch(() => keySet);
  }

  private refresh(): Promise<LocalKeySet> {
    this.pending ??= this.load().finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  private async load(): Promise<LocalKeySet> {
    const uri = await this.options.jwksUri();
    const document = await fetchJsonObject(
      this.options.fetch,
      uri,
      { headers: { accept: 'application/jwk-set+json, application/json' } },
      this.options.timeoutMs,
    );
    let keySet: LocalKeySet;
    try {
      keySet = createLocalJWKSet(document as unknown as JSONWebKeySet);
    } catch (cause) {
      throw new UpstreamError(`${uri} is not a JSON Web Key Set`, { cause });
    }
    this.keySet = keySet;
    this.fetchedAt = this.now();
    return keySet;
  }
}
