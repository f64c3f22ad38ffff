/**
 * What an authorization request needs of the user before a code can be issued (OIDC Core §3.1.2.1,
 * §3.1.2.3): a session, a fresh sign-in (`prompt=login`, `max_age`, an `id_token_hint` naming someone
 * else), the sign-up page (`prompt=create`), or, for `prompt=none`, none of these: an error instead.
 *
 * A fresh sign-in is one after the request: the authorization endpoint sends the browser to the
 * sign-in (or sign-up) page with its own URL as `return_to`, stamped with when it asked
 * ({@link FRESH_SIGN_IN_PARAM}); back there, a session whose `auth_time` is not older than the stamp
 * satisfies the request. The stamp only tightens what the app asked for (an app that wanted less
 * would send no `prompt=login`), and is honoured for {@link FRESH_SIGN_IN_WINDOW} seconds only.
 */
import { RedirectError } from '../oauth/redirect-error.js';
import type { Session } from '../storage/users.js';
import type { OpenIdRequest } from './authorize-params.js';

/** The query parameter of `return_to` stamping when a fresh sign-in was asked for (epoch seconds). */
export const FRESH_SIGN_IN_PARAM = 'lk_sign_in_after';
/** How long a stamp is honoured: the time a sign-in page stays useful (s). */
export const FRESH_SIGN_IN_WINDOW = 600;

/**
 * What to do next: show the sign-in page (even to a signed-in browser) or the sign-up page
 * (`prompt=create`), then come back with a stamp; or go on with the session.
 */
export type SignInStep = { next: 'sign-in' } | { next: 'sign-up' } | { next: 'continue'; session: Session };

/** A stamp from the request's own query, if it is one we could have set lately; else `undefined`. */
export function freshSignInStamp(raw: string | undefined, now: number): number | undefined {
  if (raw === undefined || !/^\d{1,12}$/.test(raw)) return undefined;
  const stamp = Number(raw);
  return stamp <= now && now - stamp <= FRESH_SIGN_IN_WINDOW ? stamp : undefined;
}

/**
 * Decides the sign-in step. `subjectOf` maps a user ID to the app's subject identifier (OIDC Core §8),
 * to compare with an `id_token_hint`. `prompt=none` never shows a page: what would need one is
 * `login_required` (OIDC Core §3.1.2.6).
 */
export function signInStep(
  request: OpenIdRequest,
  session: Session | undefined,
  stamp: number | undefined,
  now: number,
  subjectOf: (userId: string) => string,
): SignInStep {
  const none = request.prompt.has('none');
  // Signed in since the authorization endpoint asked for it: nothing more to ask.
  if (session && stamp !== undefined && session.authTime >= stamp) return { next: 'continue', session };
  if (!session) {
    if (none) throw new RedirectError('LOGIN_REQUIRED', 'the user is not signed in', undefined, false);
    return request.prompt.has('create') ? { next: 'sign-up' } : { next: 'sign-in' };
  }
  const tooOld = request.maxAge !== undefined && now - session.authTime > request.maxAge;
  const someoneElse =
    request.idTokenHint !== undefined && request.idTokenHint.sub !== subjectOf(session.user.id);
  if (none) {
    if (tooOld)
      throw new RedirectError(
        'LOGIN_REQUIRED',
        'the user signed in longer ago than max_age',
        undefined,
        false,
      );
    if (someoneElse)
      throw new RedirectError(
        'LOGIN_REQUIRED',
        'the signed-in user is not the one id_token_hint names',
        undefined,
        false,
      );
    return { next: 'continue', session };
  }
  if (request.prompt.has('create')) return { next: 'sign-up' };
  // select_account: the sign-in page is where another account is chosen.
  const again = request.prompt.has('login') || request.prompt.has('select_account');
  if (again || tooOld || someoneElse) return { next: 'sign-in' };
  return { next: 'continue', session };
}

/**
 * Whether the consent page is shown (`consented`: what the user allowed the app before covers the
 * request, for a confidential app), refusing with `consent_required` under `prompt=none`
 * (OIDC Core §3.1.2.6). `prompt=consent` shows it even when consented (§3.1.2.1).
 */
export function showsConsent(request: OpenIdRequest, consented: boolean): boolean {
  const shows = request.prompt.has('consent') || !consented;
  if (shows && request.prompt.has('none'))
    throw new RedirectError(
      'CONSENT_REQUIRED',
      'the user has not allowed this app these scopes',
      undefined,
      false,
    );
  return shows;
}

/**
 * Whether coming back from the sign-in or sign-up page needs a stamp: a request that asks for a sign-in
 * after it (prompt login, select_account, create; max_age; id_token_hint). Any other request only
 * needs a session, and comes back as it was sent.
 */
export function needsStamp(request: OpenIdRequest): boolean {
  const { prompt } = request;
  return (
    prompt.has('login') ||
    prompt.has('select_account') ||
    prompt.has('create') ||
    request.maxAge !== undefined ||
    request.idTokenHint !== undefined
  );
}

/**
 * The authorization request's query with a fresh stamp (`now`), as `return_to` of the sign-in or
 * sign-up page: every other pair kept as sent, any earlier stamp replaced.
 */
export function stampedQuery(query: string, now: number): string {
  const kept = query
    .split('&')
    .filter((pair) => pair !== '' && pair.split('=', 1)[0] !== FRESH_SIGN_IN_PARAM);
  return [...kept, `${FRESH_SIGN_IN_PARAM}=${now}`].join('&');
}
