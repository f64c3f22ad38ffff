// The RP-Initiated Logout request URL, sent to the provider's end_session_endpoint.

import { checkUrl } from '../options.js';

/** Parameters of {@link OAuthClient.endSessionUrl}. */
export interface EndSessionOptions {
  /** The ID token last issued to the client for this user: tells the provider whose session ends. */
  idTokenHint?: string | undefined;
  /** Where the provider sends the user after logout; must be registered for the client. */
  postLogoutRedirectUri?: string | undefined;
  /** Returned on the redirect to `postLogoutRedirectUri`. */
  state?: string | undefined;
  /** Extra parameters (`logout_hint`, `ui_locales`, ...); they never override the ones above. */
  params?: Record<string, string> | undefined;
}

/**
 * Builds the logout URL: the endpoint's own query kept, `params` added, then `client_id`,
 * `id_token_hint`, `post_logout_redirect_uri` and `state` set when given.
 * @see https://openid.net/specs/openid-connect-rpinitiated-1_0.html#RPLogout
 */
export function buildEndSessionUrl(endpoint: string, clientId: string, options: EndSessionOptions): string {
  checkUrl(options.postLogoutRedirectUri, 'postLogoutRedirectUri');
  const url = new URL(endpoint);
  for (const [name, value] of Object.entries(options.params ?? {})) url.searchParams.set(name, value);
  const fields: Record<string, string | undefined> = {
    client_id: clientId,
    id_token_hint: options.idTokenHint,
    post_logout_redirect_uri: options.postLogoutRedirectUri,
    state: options.state,
  };
  for (const [name, value] of Object.entries(fields)) {
    if (value !== undefined) url.searchParams.set(name, value);
  }
  return url.href;
}
