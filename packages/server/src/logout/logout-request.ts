/**
 * Reading an RP-Initiated Logout 1.0 request (§2): `id_token_hint`, `client_id`,
 * `post_logout_redirect_uri` and `state` (`logout_hint` and `ui_locales` are accepted and ignored).
 * Everything that could send the browser somewhere is checked here; a request that fails a check is an
 * error page, never a redirect (§3, §4).
 */
import { pageError } from '../http/page-errors.js';
import { parseQueryWithRepeats } from '../http/query.js';
import type { KeyManager } from '../keys/key-manager.js';
import { OAuthError } from '../oauth/errors.js';
import { type IdTokenHint, verifyIdTokenHint } from '../oidc/id-token-hint.js';
import { subjectFor } from '../oidc/subject.js';
import type { Client } from '../storage/clients.js';
import type { Session } from '../storage/users.js';

/** The parameters of a logout request that are read. */
const PARAMETERS = ['id_token_hint', 'client_id', 'post_logout_redirect_uri', 'state'] as const;

/** What a logout request asks for, once checked. */
export interface LogoutRequest {
  /** The app the request names, by `client_id` or by the hint's `aud`; `undefined` when none. */
  app?: Client;
  /**
   * Where the browser goes once signed out: a URI registered for `app`, exactly as requested, and only
   * when nothing failed (a hint that does not verify means no redirect, §4).
   */
  redirectUri?: string;
  /** Echoed to `redirectUri` (§2). */
  state?: string;
  /** The verified `id_token_hint`: whom the app believes is signed in. */
  hint?: IdTokenHint;
}

/** What checking a request needs. */
export interface LogoutRequestChecks {
  issuer: string;
  keys: KeyManager;
  clients: { find(id: string): Promise<Client | undefined> };
}

/**
 * The parameters of a query string or form body: each at most once (RFC 6749 §3.1, which OIDC
 * requests follow), strictly decoded; a repeat or a bad encoding is the malformed-link page.
 */
export function logoutParameters(raw: string): Map<string, string> {
  let parsed: ReturnType<typeof parseQueryWithRepeats>;
  try {
    parsed = parseQueryWithRepeats(raw);
  } catch (error) {
    if (error instanceof OAuthError) throw pageError('LOGOUT_MALFORMED_REQUEST');
    throw error;
  }
  if (PARAMETERS.some((name) => parsed.repeated.has(name))) throw pageError('LOGOUT_MALFORMED_REQUEST');
  return new Map(
    PARAMETERS.flatMap((name) =>
      parsed.params.has(name) ? [[name, parsed.params.get(name) as string]] : [],
    ),
  );
}

/**
 * Checks a logout request (RP-Initiated Logout 1.0 §2-§4):
 * - `client_id` must be a registered app (else the unknown-app page);
 * - with a hint that verifies, its `aud` must contain `client_id` (else an error page), and without
 *   `client_id` the hint's `aud` names the app;
 * - `post_logout_redirect_uri` must be one the app registered, by exact string comparison, and needs an
 *   app to compare with (else an error page: never a redirect to an unregistered URI);
 * - a hint that does not verify (not ours, tampered, signed by a key no longer published) is ignored,
 *   the user is asked to confirm, and the browser is not sent back (§4).
 */
export async function checkLogoutRequest(
  checks: LogoutRequestChecks,
  params: ReadonlyMap<string, string>,
): Promise<LogoutRequest> {
  const rawHint = params.get('id_token_hint');
  const hint = rawHint === undefined ? undefined : verifyIdTokenHint(checks.keys, checks.issuer, rawHint);
  const clientId = params.get('client_id');
  let app: Client | undefined;
  if (clientId !== undefined) {
    app = await checks.clients.find(clientId);
    if (!app) throw pageError('LOGOUT_UNKNOWN_CLIENT');
    if (hint && !hint.aud.includes(clientId)) throw pageError('LOGOUT_CLIENT_MISMATCH');
  } else if (hint) {
    app = await checks.clients.find(hint.aud[0] as string);
  }
  const requested = params.get('post_logout_redirect_uri');
  if (requested !== undefined) {
    // No app to compare with: none named, or the hint's app was deleted since.
    if (!app) throw pageError(hint === undefined ? 'LOGOUT_MISSING_CLIENT' : 'LOGOUT_UNKNOWN_CLIENT');
    // §3: "exactly match one of the previously registered post_logout_redirect_uris values".
    if (!app.postLogoutRedirectUris.includes(requested)) throw pageError('LOGOUT_REDIRECT_URI_MISMATCH');
  }
  const state = params.get('state');
  const redirect = requested !== undefined && (rawHint === undefined || hint !== undefined);
  return {
    ...(app && { app }),
    ...(redirect && { redirectUri: requested, ...(state !== undefined && { state }) }),
    ...(hint && { hint }),
  };
}

/**
 * Whether the request may end `session` without asking: its hint verified, names the app, and is about
 * this session's user (`sub` as that app knows them, pairwise or not) and, when it names a session,
 * this one (§4: a hint of another session is treated as suspect).
 */
export function hintMatchesSession(request: LogoutRequest, session: Session, pairwiseKey: Buffer): boolean {
  const { hint, app } = request;
  if (!hint || !app) return false;
  if (hint.sub !== subjectFor(app, session.user.id, pairwiseKey)) return false;
  return hint.sid === undefined || hint.sid === session.sid;
}

/** The redirect to the app after the logout: its URI with `state` appended when there is one (§2). */
export function postLogoutLocation(request: LogoutRequest): string | undefined {
  const uri = request.redirectUri;
  if (uri === undefined) return undefined;
  if (request.state === undefined) return uri;
  return `${uri}${uri.includes('?') ? '&' : '?'}state=${encodeURIComponent(request.state)}`;
}
