/**
 * What an app registers for logout: `post_logout_redirect_uris` (RP-Initiated Logout 1.0 §3.1), the
 * exact addresses a logout may send the browser back to, checked like redirect URIs; and
 * `backchannel_logout_uri` (Back-Channel Logout 1.0 §2.2), the app's server endpoint logout tokens
 * are posted to: https, or http on a loopback address, without a fragment, and with private networks
 * denied (LATCHKEY_BACKCHANNEL_PRIVATE_NETWORKS) not at a private address. Refusals name their member,
 * so registration (oauth/app-registration.ts) can report each beside its field.
 */
import { privateHost } from '../http/private-address.js';
import { RedirectUriError, validateRedirectUri } from '../oauth/redirect-uri.js';
import type { PrivateNetworks } from './settings.js';

/** The members this file checks, by their RFC 7591 / management API names. */
export type LogoutField = 'post_logout_redirect_uris' | 'backchannel_logout_uri';

/** One refusal: the member at fault and what is wrong, for the developer. */
export interface LogoutProblem {
  field: LogoutField;
  detail: string;
}

/** What a registration or an update asks for (absent: unchanged; a blank receiver removes it). */
export interface LogoutRequestMembers {
  postLogoutRedirectUris?: readonly string[];
  backchannelLogoutUri?: string;
}

/** The checked values to store: `undefined` keeps, `null` removes the receiver. */
export interface LogoutRegistration {
  postLogoutRedirectUris?: string[];
  backchannelLogoutUri?: string | null;
}

/** The most post-logout redirect URIs an app may register (as redirect URIs: manage/body.ts). */
export const MAX_POST_LOGOUT_REDIRECT_URIS = 50;
/** The longest URI either member may hold, in characters. */
export const MAX_LOGOUT_URI = 2000;

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]', 'localhost']);

/**
 * Why a back-channel logout URI is refused, or `undefined` when it may be registered. With private
 * networks denied, a URI whose host is `localhost` or a private IP literal is refused: the server would
 * POST into its own network (server-side request forgery; Back-Channel Logout 1.0 §2.5 has the OP send
 * to whatever the RP registered). A host name is judged when the token is sent
 * (logout/post-logout-token.ts), against what it resolves to then.
 * @see https://cheatsheetseries.owasp.org/cheatsheets/Server_Side_Request_Forgery_Prevention_Cheat_Sheet.html
 */
function backchannelFault(uri: string, privateNetworks: PrivateNetworks): string | undefined {
  if (uri.length > MAX_LOGOUT_URI) return `must be at most ${MAX_LOGOUT_URI} characters`;
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return 'is not an absolute URI';
  }
  // §2.2: "This URL ... MUST NOT include a fragment component."
  if (uri.includes('#')) return 'must not contain a fragment (Back-Channel Logout 1.0 §2.2)';
  if (/[\s\\\p{Cc}]/u.test(uri)) return 'must not contain spaces, backslashes or control characters';
  if (url.username || url.password) return 'must not contain userinfo';
  if (!(url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname))))
    return 'must use https (plain http is allowed only for loopback)';
  const host = privateNetworks === 'deny' ? privateHost(url.hostname) : undefined;
  if (host !== undefined) return `must not point to a private or loopback address (${host})`;
  return undefined;
}

/**
 * Checks the logout members of a registration or an update. `signsUsersIn`: the app has the
 * authorization code grant; an app that signs no user in has no session to log out of, so it may
 * register neither member. `privateNetworks`: LATCHKEY_BACKCHANNEL_PRIVATE_NETWORKS.
 */
export function checkLogoutRegistration(
  request: LogoutRequestMembers,
  signsUsersIn: boolean,
  privateNetworks: PrivateNetworks,
): { registration: LogoutRegistration; problems: LogoutProblem[] } {
  const problems: LogoutProblem[] = [];
  const registration: LogoutRegistration = {};
  const uris = request.postLogoutRedirectUris;
  if (uris !== undefined) {
    const field = 'post_logout_redirect_uris';
    if (uris.length > 0 && !signsUsersIn)
      problems.push({ field, detail: 'an app that signs no user in has no post-logout redirect URIs' });
    if (uris.length > MAX_POST_LOGOUT_REDIRECT_URIS)
      problems.push({
        field,
        detail: `list at most ${MAX_POST_LOGOUT_REDIRECT_URIS} post-logout redirect URIs`,
      });
    for (const uri of uris) {
      try {
        if (uri.length > MAX_LOGOUT_URI)
          throw new RedirectUriError(`redirect URI must be at most ${MAX_LOGOUT_URI} characters`);
        validateRedirectUri(uri);
      } catch (error) {
        if (!(error instanceof RedirectUriError)) throw error;
        problems.push({ field, detail: `post-logout ${error.message}` });
      }
    }
    registration.postLogoutRedirectUris = [...new Set(uris)];
  }
  const receiver = request.backchannelLogoutUri?.trim();
  if (receiver !== undefined) {
    const field = 'backchannel_logout_uri';
    const fault = receiver === '' ? undefined : backchannelFault(receiver, privateNetworks);
    if (receiver !== '' && !signsUsersIn)
      problems.push({ field, detail: 'an app that signs no user in has no back-channel logout URI' });
    else if (fault !== undefined) problems.push({ field, detail: `back-channel logout URI ${fault}` });
    registration.backchannelLogoutUri = receiver === '' ? null : receiver;
  }
  return { registration, problems };
}
