/**
 * What the sign-in page reads from the authorization request it continues (its `return_to`): whether
 * the request asked for a fresh sign-in (oidc/prompt.ts), and the `login_hint` (OIDC Core §3.1.2.1)
 * that fills in the email.
 */
import { isEmail } from '../storage/users.js';
import { FRESH_SIGN_IN_PARAM, freshSignInStamp } from './prompt.js';

/** The query of `returnTo` when it is an authorization request, else `undefined`. */
function authorizationQuery(returnTo: string, authorizePath: string): URLSearchParams | undefined {
  if (!returnTo.startsWith(`${authorizePath}?`)) return undefined;
  return new URLSearchParams(returnTo.slice(returnTo.indexOf('?') + 1));
}

/** The one value of `name`, or `undefined` when absent or repeated (RFC 6749 §3.1). */
function single(query: URLSearchParams, name: string): string | undefined {
  const values = query.getAll(name);
  return values.length === 1 ? values[0] : undefined;
}

/**
 * Whether `returnTo` is an authorization request that asked for a fresh sign-in lately: the sign-in
 * page then shows its form to a signed-in browser instead of sending it straight back.
 */
export function asksFreshSignIn(returnTo: string, authorizePath: string, now: number): boolean {
  const query = authorizationQuery(returnTo, authorizePath);
  return query !== undefined && freshSignInStamp(single(query, FRESH_SIGN_IN_PARAM), now) !== undefined;
}

/**
 * The `login_hint` of the authorization request, when it is an email address (the only identifier a
 * user signs in with here); it only fills in the field, the user may change it.
 */
export function loginHintOf(returnTo: string, authorizePath: string): string | undefined {
  const query = authorizationQuery(returnTo, authorizePath);
  const hint = query && single(query, 'login_hint')?.trim();
  return hint !== undefined && hint.length <= 254 && isEmail(hint) ? hint : undefined;
}
