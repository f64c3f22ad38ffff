/** GET/POST /login, POST /logout: password sign-in, throttled per account and per IP; 303 after every POST. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ServerContext } from '../context.js';
import { cookieNames, readCookie, setCookie } from '../http/cookies.js';
import { checkCsrf, csrfToken } from '../http/csrf.js';
import { emailInput, MAX_EMAIL_LENGTH } from '../http/email-input.js';
import { ipKey } from '../http/ip-key.js';
import { readPageForm } from '../http/page-form.js';
import { newNonce, originOf, sendPage } from '../http/page-security.js';
import { singleQueryValue } from '../http/query.js';
import { safeReturnTo } from '../http/return-to.js';
import { currentUser } from '../http/session.js';
import { retryAfterValue } from '../oauth/errors.js';
import { requestedRedirectUri } from '../oauth/redirect-uri.js';
import { loginPage } from '../pages/login.js';
import { normalizeEmail } from '../storage/users.js';
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

async function renderLogin(
  ctx: ServerContext,
  request: FastifyRequest,
  reply: FastifyReply,
  returnTo: string,
  status: number,
  extra: { email?: string; error?: string } = {},
) {
  const nonce = newNonce();
  const query = new URLSearchParams({ return_to: returnTo });
  const { appName, formTargets } = await authorizationContinuation(ctx, returnTo);
  const body = loginPage({
    nonce,
    csrf: csrfToken(request, reply, cookieNames(ctx.config.issuer)),
    action: `${LOGIN_PATH}?${query}`,
    appName,
    signupHref: ctx.config.signupEnabled ? `/signup?${query}` : undefined,
    ...extra,
  });
  return sendPage(reply, status, nonce, body, formTargets);
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
  const names = cookieNames(ctx.config.issuer);
  const token = await ctx.users.createSession(userId, ctx.config.sessionTtl);
  setCookie(reply, names, names.session, token, ctx.config.sessionTtl);
  return reply.redirect(returnTo, 303);
}

/** Registers the sign-in and sign-out routes. */
export function loginEndpoints(app: FastifyInstance, ctx: ServerContext): void {
  app.get(LOGIN_PATH, async (request, reply) => {
    const returnTo = returnToOf(ctx, request);
    if (await currentUser(ctx, request)) return reply.redirect(returnTo, 303);
    return renderLogin(ctx, request, reply, returnTo, 200);
  });

  app.post(LOGIN_PATH, async (request, reply) => {
    const params = readPageForm(request);
    checkCsrf(request, params, cookieNames(ctx.config.issuer), ctx.config.issuer);
    const returnTo = returnToOf(ctx, request);
    const typed = params.get('email') ?? '';
    // Control characters or an overlong value: wrong credentials, never a database query.
    const email = emailInput(typed);
    const password = params.get('password') ?? '';
    const account = email ?? normalizeEmail(typed).slice(0, MAX_EMAIL_LENGTH);
    // RFC 6819 §5.1.4.2.3: per account and per client network (IPv6 /64, http/ip-key.ts).
    const keys = [`ip:${ipKey(request.ip)}`, `account:${account}`];
    // Counted before the password check awaits, so parallel guesses cannot all slip under the limit.
    const wait = ctx.loginLimiter.attempt(keys);
    if (wait !== undefined) {
      return renderLogin(ctx, request, reply, returnTo, 429, {
        email: email ?? '',
        error: `Too many attempts. ${throttled(reply, wait)}`,
      });
    }
    const user = email && password ? await ctx.users.verify(email, password) : undefined;
    if (!user) {
      return renderLogin(ctx, request, reply, returnTo, 401, {
        email: email ?? '',
        error: 'Wrong email or password.',
      });
    }
    ctx.loginLimiter.forgive(keys);
    return startSession(ctx, reply, user.id, returnTo);
  });

  app.post('/logout', async (request, reply) => {
    const names = cookieNames(ctx.config.issuer);
    checkCsrf(request, readPageForm(request), names, ctx.config.issuer);
    const token = readCookie(request, names.session);
    if (token) await ctx.users.deleteSession(token);
    setCookie(reply, names, names.session, '', 0);
    return reply.redirect(LOGIN_PATH, 303);
  });
}
