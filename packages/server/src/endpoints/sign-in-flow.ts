/**
 * What sign-in and sign-up share: where the browser goes next (`return_to`), the app an authorization
 * request names, the 429 wording, and starting a session.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ServerContext } from '../context.js';
import { setCookie } from '../http/cookies.js';
import { pageCookies } from '../http/page.js';
import { originOf } from '../http/page-security.js';
import { singleQueryValue } from '../http/query.js';
import { safeReturnTo } from '../http/return-to.js';
import { retryAfterValue } from '../oauth/errors.js';
import { requestedRedirectUri } from '../oauth/redirect-uri.js';
import { AUTHORIZE_PATH } from './authorize.js';

/** Path of the sign-in page. */
export const LOGIN_PATH = '/login';

/** What a sign-in or sign-up page shows and allows when it continues an authorization request. */
export interface AuthorizationContinuation {
  /** The app's name, for the heading. */
  appName?: string;
  /**
   * Origins the form may end up at: after sign-in, /oauth/authorize may 303 straight to the app's
   * redirect URI (consent already given), and CSP `form-action` applies to those redirects too.
   */
  formTargets: string[];
}

/**
 * Looks at `returnTo`: when it is an /oauth/authorize request naming one registered app and one of
 * its registered redirect URIs (RFC 6749 §3.1.2.3, the same matching as the endpoint), the app's name
 * and that URI's origin; otherwise nothing, so the page's `form-action` stays `'self'`.
 */
export async function authorizationContinuation(
  ctx: ServerContext,
  returnTo: string,
): Promise<AuthorizationContinuation> {
  if (!returnTo.startsWith(`${AUTHORIZE_PATH}?`)) return { formTargets: [] };
  const query = new URLSearchParams(returnTo.slice(returnTo.indexOf('?') + 1));
  const clientIds = query.getAll('client_id').filter(Boolean);
  const clientId = clientIds.length === 1 ? clientIds[0] : undefined;
  if (!clientId) return { formTargets: [] };
  const client = await ctx.clients.find(clientId);
  if (!client) return { formTargets: [] };
  const redirectUris = query.getAll('redirect_uri').filter(Boolean);
  const redirectUri =
    redirectUris.length <= 1 && client.grantTypes.includes('authorization_code')
      ? requestedRedirectUri(client.redirectUris, redirectUris[0])
      : undefined;
  return { appName: client.name, formTargets: redirectUri ? originOf(redirectUri) : [] };
}

/** The page's `return_to`, safe to redirect to; a repeated one counts as absent (RFC 6749 §3.1). */
export function returnToOf(ctx: ServerContext, request: FastifyRequest): string {
  return safeReturnTo(singleQueryValue(request, 'return_to'), ctx.config.issuer);
}

/**
 * For a 429 page (sign-in, sign-up): sets `Retry-After` and returns "Try again in N minutes." for the
 * page's message.
 */
export function throttled(reply: FastifyReply, waitSeconds: number): string {
  reply.header('retry-after', retryAfterValue(waitSeconds));
  const minutes = Math.max(1, Math.ceil(waitSeconds / 60));
  return `Try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`;
}

/** Signs the user in: a new session cookie, then 303 to where they were going. */
export async function startSession(
  ctx: ServerContext,
  reply: FastifyReply,
  userId: string,
  returnTo: string,
) {
  const names = pageCookies(ctx);
  const token = await ctx.users.createSession(userId, ctx.config.sessionTtl);
  setCookie(reply, names, names.session, token, ctx.config.sessionTtl);
  return reply.redirect(returnTo, 303);
}
