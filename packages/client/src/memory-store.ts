// MemoryStore: the default in-process TokenStore.

import type { StoredToken, TokenStore } from './token-store.js';

/**
 * Keeps tokens in a `Map` for the life of the process. No lock is needed: the {@link TokenManager}
 * already shares one request per key inside a process.
 * @see https://www.rfc-editor.org/rfc/rfc6819#section-5.1.6
 */
export class MemoryStore implements TokenStore {
  readonly #tokens = new Map<string, StoredToken>();

  /** Returns the token saved under `key`, if any. */
  get(key: string): StoredToken | undefined {
    return this.#tokens.get(key);
  }

  /** Saves `token` under `key`. */
  set(key: string, token: StoredToken): void {
    this.#tokens.set(key, token);
  }

  /** Removes what is saved under `key`. */
  delete(key: string): void {
    this.#tokens.delete(key);
  }
}
