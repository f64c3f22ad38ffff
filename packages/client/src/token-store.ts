// The TokenStore interface: where a TokenManager keeps tokens between calls and processes.

import type { TokenResult } from './token-result.js';

/** A token as kept by a store: a {@link TokenResult} without `raw`, JSON-serialisable. */
export type StoredToken = Omit<TokenResult, 'raw'>;

/**
 * Storage for a {@link TokenManager}. Implement it over Redis, SQL, a keychain...; values are
 * JSON-serialisable and contain secrets (refresh tokens), so keep them private.
 *
 * `lock(key, fn)` is optional: a store shared by several processes or machines implements it so that
 * only one of them refreshes a token at a time. It must run `fn` while holding an exclusive lock for
 * `key` (or a coarser one), release it however `fn` ends, and return `fn`'s result. The manager
 * re-reads the store inside the lock, so a process that waited sees the token another one saved.
 * @see https://www.rfc-editor.org/rfc/rfc6819#section-5.1.6
 */
export interface TokenStore {
  /** Returns the token saved under `key`, if any. */
  get(key: string): Promise<StoredToken | undefined> | StoredToken | undefined;
  /** Saves `token` under `key`, replacing what was there. */
  set(key: string, token: StoredToken): Promise<void> | void;
  /** Removes what is saved under `key`. */
  delete(key: string): Promise<void> | void;
  /** Optional cross-process lock: runs `fn` exclusively for `key`. */
  lock?<T>(key: string, fn: () => Promise<T>): Promise<T>;
}
