// The provider's JSON Web Key Set: fetched from jwks_uri, cached, refetched once for an unknown key.

import { OpenIdError } from '../errors.js';
import { type FetchLike, invalidResponse, isObject, parseOAuthJson, send } from '../http.js';
import { quoteValue } from '../message-text.js';
import type { JwsAlgorithm } from './jws.js';

/** How long a fetched key set is used before it is fetched again, in milliseconds. */
const MAX_AGE_MS = 10 * 60_000;

/**
 * The key set at the provider's `jwks_uri`. Keys are cached for ten minutes; a JWS whose key is not in
 * the cache makes one fresh fetch (the provider may have rotated its keys), shared by concurrent callers.
 * @see https://openid.net/specs/openid-connect-core-1_0.html#RotateSigKeys
 * @see https://www.rfc-editor.org/rfc/rfc7517#section-5
 */
export class KeySet {
  /** The `jwks_uri`. */
  readonly uri: string;
  readonly #fetch: FetchLike;
  readonly #timeoutMs: number;
  #keys: JsonWebKey[] | undefined;
  #fetchedAt = 0;
  #pending: Promise<JsonWebKey[]> | undefined;

  /** @param uri the `jwks_uri` @param fetchFn the client's fetch @param timeoutMs per request */
  constructor(uri: string, fetchFn: FetchLike, timeoutMs: number) {
    this.uri = uri;
    this.#fetch = fetchFn;
    this.#timeoutMs = timeoutMs;
  }

  /**
   * The one key that can verify a JWS with this header and algorithm: same `kid` when the header has
   * one, the key type (and curve) the algorithm needs, `use` `sig` and `alg` equal when the key states
   * them. Unknown in the cache: fetched once more. Still none, or several without a `kid` to choose:
   * `OIDC_ID_TOKEN_KEY_NOT_FOUND`.
   * @see https://www.rfc-editor.org/rfc/rfc7515#section-4.1.4
   * @see https://www.rfc-editor.org/rfc/rfc7517#section-4
   */
  async find(header: Record<string, unknown>, algorithm: JwsAlgorithm): Promise<JsonWebKey> {
    const kid = header['kid'];
    const matching = (keys: JsonWebKey[]) =>
      keys.filter(
        (key) =>
          key.kty === algorithm.kty &&
          key.crv === algorithm.crv &&
          (kid === undefined || (key as { kid?: unknown }).kid === kid) &&
          (key.use ?? 'sig') === 'sig' &&
          (key.alg ?? header['alg']) === header['alg'],
      );
    let found = matching(await this.#load(false));
    if (found.length === 0) found = matching(await this.#load(true));
    if (found.length !== 1) {
      throw new OpenIdError(
        'OIDC_ID_TOKEN_KEY_NOT_FOUND',
        `ID token key: ${found.length} keys at jwks_uri match kid ${quoteValue(kid)}`,
      );
    }
    return found[0]!;
  }

  async #load(fresh: boolean): Promise<JsonWebKey[]> {
    if (!fresh && this.#keys && Date.now() - this.#fetchedAt < MAX_AGE_MS) return this.#keys;
    this.#pending ??= this.#fetchKeys().finally(() => {
      this.#pending = undefined;
    });
    return this.#pending;
  }

  async #fetchKeys(): Promise<JsonWebKey[]> {
    const response = await send(
      this.#fetch,
      this.uri,
      { headers: { accept: 'application/json' } },
      this.#timeoutMs,
      'JWKS request',
    );
    const keys = parseOAuthJson(response, 'JWKS request')['keys'];
    if (!Array.isArray(keys)) throw invalidResponse(response, 'the JWK Set has no keys array');
    this.#keys = keys.filter(isObject);
    this.#fetchedAt = Date.now();
    return this.#keys;
  }
}
