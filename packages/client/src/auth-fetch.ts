// authFetch: a fetch that sends the manager's Bearer token and renews it once on invalid_token.

import type { FetchLike } from './http.js';
import type { ScopeInput } from './scope.js';
import type { TokenManager } from './token-manager.js';

/** Options of {@link authFetch}. */
export interface AuthFetchOptions {
  /** The underlying `fetch`; default `globalThis.fetch`. */
  fetch?: FetchLike | undefined;
  /** Scope of the two-legged token to send. */
  scope?: ScopeInput | undefined;
}

/**
 * True for a 401 whose `WWW-Authenticate` has a Bearer challenge with `error="invalid_token"`.
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-3.1
 */
export function isInvalidTokenResponse(response: Response): boolean {
  if (response.status !== 401) return false;
  const header = response.headers.get('www-authenticate') ?? '';
  return /\bbearer\b/i.test(header) && /\berror\s*=\s*"?invalid_token\b/i.test(header);
}

/**
 * Returns a `fetch` that adds `Authorization: Bearer <token>` from `manager`; on a 401 with
 * `error="invalid_token"` it renews the token once and retries the request once.
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-2.1
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-3.1
 */
export function authFetch(
  manager: TokenManager,
  options: AuthFetchOptions = {},
): (input: string | URL | Request, init?: RequestInit) => Promise<Response> {
  if (typeof manager?.getAccessToken !== 'function') throw new TypeError('manager must be a TokenManager');
  const fetchFn: FetchLike = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const scope = options.scope;
  return async (input, init) => {
    const base = new Request(input, init);
    const attempt = (token: string): Promise<Response> => {
      const request = new Request(base.clone());
      request.headers.set('authorization', `Bearer ${token}`);
      return fetchFn(request);
    };
    const token = await manager.getAccessToken({ scope });
    const response = await attempt(token);
    if (!isInvalidTokenResponse(response)) return response;
    await response.body?.cancel();
    return attempt(await manager.getAccessToken({ scope, rejectedToken: token }));
  };
}
