// TokenManager: keeps a valid access token at hand, refreshing ahead of expiry, one request per key.

import type { OAuthClient } from './client.js';
import { OAuthResponseError } from './errors.js';
import { MemoryStore } from './memory-store.js';
import { type ScopeInput, scopeSetKey, toScopeList } from './scope.js';
import type { TokenResult } from './token-result.js';
import type { StoredToken, TokenStore } from './token-store.js';

/** Options of {@link TokenManager}. */
export interface TokenManagerOptions {
  /** Where tokens are kept; default a new {@link MemoryStore}. */
  store?: TokenStore | undefined;
  /** Renew this many seconds before expiry (at most half the token's lifetime); default 60. */
  skewSeconds?: number | undefined;
  /**
   * `client_credentials` (default): two-legged tokens, cached per scope set.
   * `refresh_token`: a user's tokens, seeded with {@link TokenManager.setTokens}, renewed by refresh.
   */
  grant?: 'client_credentials' | 'refresh_token' | undefined;
  /** Names the token set in the store for the `refresh_token` grant (e.g. a user id); default `default`. */
  key?: string | undefined;
  /** Extra token request parameters for client credentials, e.g. `{ resource }` (RFC 8707). */
  params?: Record<string, string> | undefined;
}

/** Parameters of {@link TokenManager.getAccessToken}. */
export interface GetTokenOptions {
  /** Scope of a two-legged token; each distinct set (order ignored) is cached on its own. */
  scope?: ScopeInput | undefined;
  /** An access token a resource server rejected: renew unless the store already holds another one. */
  rejectedToken?: string | undefined;
}

function toStored(result: TokenResult, previous: StoredToken | undefined): StoredToken {
  return {
    accessToken: result.accessToken,
    tokenType: result.tokenType,
    expiresIn: result.expiresIn,
    expiresAt: result.expiresAt,
    refreshToken: result.refreshToken,
    // RFC 6749 §5.1: an omitted scope on refresh means the scope is unchanged.
    scope: result.raw['scope'] === undefined && previous ? previous.scope : result.scope,
    // OpenID Connect Core §12.2: a refresh without a new ID token leaves the original one current.
    idToken: result.idToken ?? previous?.idToken,
    idTokenClaims: result.idTokenClaims ?? previous?.idTokenClaims,
  };
}

/**
 * Returns a valid access token, renewing it ahead of expiry. Concurrent callers share one request per
 * key; with a store that has `lock`, processes sharing the store renew once. A rotated refresh token
 * is saved before the new access token is returned.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-6
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.4
 */
export class TokenManager {
  /** The client used to obtain tokens. */
  readonly client: OAuthClient;
  readonly #store: TokenStore;
  readonly #skewMs: number;
  readonly #grant: 'client_credentials' | 'refresh_token';
  readonly #key: string;
  readonly #params: Record<string, string> | undefined;
  readonly #inflight = new Map<string, Promise<StoredToken>>();

  /** @param client an {@link OAuthClient} @param options store, skew, grant; throws `TypeError` naming a bad one */
  constructor(client: OAuthClient, options: TokenManagerOptions = {}) {
    if (typeof client !== 'object' || client === null || typeof client.clientCredentials !== 'function') {
      throw new TypeError('client must be an OAuthClient');
    }
    const { store, skewSeconds = 60, grant = 'client_credentials', key = 'default' } = options;
    if (store !== undefined && (typeof store?.get !== 'function' || typeof store.set !== 'function')) {
      throw new TypeError('store must implement get, set and delete');
    }
    if (typeof skewSeconds !== 'number' || !(skewSeconds >= 0)) {
      throw new TypeError('skewSeconds must be a non-negative number');
    }
    if (grant !== 'client_credentials' && grant !== 'refresh_token') {
      throw new TypeError("grant must be 'client_credentials' or 'refresh_token'");
    }
    if (typeof key !== 'string' || key === '') throw new TypeError('key must be a non-empty string');
    this.client = client;
    this.#store = store ?? new MemoryStore();
    this.#skewMs = skewSeconds * 1000;
    this.#grant = grant;
    this.#key = key;
    this.#params = options.params;
  }

  /**
   * Returns a valid access token.
   * @see https://www.rfc-editor.org/rfc/rfc6750#section-2.1
   */
  async getAccessToken(options: GetTokenOptions = {}): Promise<string> {
    return (await this.getToken(options)).accessToken;
  }

  /**
   * Returns the whole valid token (access token, type, expiry, scope).
   * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.1
   */
  async getToken(options: GetTokenOptions = {}): Promise<StoredToken> {
    if (typeof options !== 'object' || options === null) throw new TypeError('options must be an object');
    const scope = toScopeList(options.scope, 'scope');
    const key = this.storeKey(scope);
    const current = await this.#store.get(key);
    if (current && this.#isUsable(current, options.rejectedToken)) return current;
    const running = this.#inflight.get(key);
    if (running) return running;
    const renewal = this.#renewLocked(key, scope, options.rejectedToken).finally(() =>
      this.#inflight.delete(key),
    );
    this.#inflight.set(key, renewal);
    return renewal;
  }

  /**
   * Seeds the `refresh_token` grant with tokens from {@link OAuthClient.handleCallback} or `exchangeCode`.
   * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.4
   */
  async setTokens(tokens: TokenResult): Promise<void> {
    if (typeof tokens?.accessToken !== 'string') throw new TypeError('tokens must be a TokenResult');
    await this.#store.set(this.storeKey([]), toStored(tokens, undefined));
  }

  /** Forgets the stored token for a scope set (or the user's token set). */
  async clear(options: { scope?: ScopeInput | undefined } = {}): Promise<void> {
    await this.#store.delete(this.storeKey(toScopeList(options.scope, 'scope')));
  }

  /** The store key used for a scope set: per client, per grant, per sorted scope set or user key. */
  storeKey(scope: readonly string[]): string {
    const id = encodeURIComponent(this.client.clientId);
    return this.#grant === 'refresh_token'
      ? `latchkey:${id}:user:${this.#key}`
      : `latchkey:${id}:cc:${scopeSetKey(scope)}`;
  }

  #isUsable(token: StoredToken, rejectedToken: string | undefined): boolean {
    if (token.accessToken === rejectedToken) return false;
    if (token.expiresAt === undefined) return true;
    const skew = Math.min(this.#skewMs, ((token.expiresIn ?? Number.POSITIVE_INFINITY) * 1000) / 2);
    return Date.now() < token.expiresAt - skew;
  }

  #renewLocked(key: string, scope: string[], rejectedToken: string | undefined): Promise<StoredToken> {
    const run = async (): Promise<StoredToken> => {
      // Re-read inside the lock: another process may have renewed while this one waited.
      const current = await this.#store.get(key);
      if (current && this.#isUsable(current, rejectedToken)) return current;
      const next = await this.#obtain(key, current, scope);
      await this.#store.set(key, next);
      return next;
    };
    return this.#store.lock ? this.#store.lock(key, run) : run();
  }

  async #obtain(key: string, current: StoredToken | undefined, scope: string[]): Promise<StoredToken> {
    if (this.#grant === 'client_credentials') {
      return toStored(await this.client.clientCredentials({ scope, params: this.#params }), undefined);
    }
    if (!current?.refreshToken) {
      throw new TypeError('no refresh token is stored for this key; call setTokens() first');
    }
    try {
      const refreshed = await this.client.refresh(current.refreshToken, { idToken: current.idToken });
      return toStored(refreshed, current);
    } catch (error) {
      // RFC 6749 §5.2: invalid_grant means the refresh token is dead; do not try it again.
      if (error instanceof OAuthResponseError && error.error === 'invalid_grant')
        await this.#store.delete(key);
      throw error;
    }
  }
}
