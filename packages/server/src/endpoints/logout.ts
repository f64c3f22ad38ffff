/**
 * RP-Initiated Logout 1.0 at the `end_session_endpoint`, GET and POST /oauth/logout (§2): an app sends
 * the browser here to sign the user out of Latchkey, and names where it comes back to. The request is
 * checked first (logout/logout-request.ts: an unregistered return address is an error page, never a
 * redirect). With an `id_token_hint` about this very session the session ends at once; otherwise the
 * user is asked ("Sign out of Latchkey?") and only the page's anti-CSRF-protected form ends it, so no
 * GET alone ever does. Ending a session tells the apps it signed in to (Back-Channel Logout 1.0).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ServerContext } from '../context.js';
import { readCookie, setCookie } from '../http/cookies.js';
import { pageCookies, readCheckedForm, startPage } from '../http/page.js';
import { rejectOtherPageMethods } from '../http/page-methods.js';
import { newNonce, originOf, sendPage } from '../http/page-security.js';
import { singleQueryValue } from '../http/query.js';
import { currentSession } from '../http/session.js';
import {
  checkLogoutRequest,
  hintMatchesSession,
  type LogoutRequest,
  type LogoutRequestChecks,
  logoutParameters,
  postLogoutLocation,
} from '../logout/logout-request.js';
import { logoutConfirmPage, signedOutPage } from '../pages/logout.js';
import { ACCOUNT_APPS_PATH } from './account.js';
import { LOGIN_PATH } from './sign-in-flow.js';

/** The `end_session_endpoint` (OIDC Discovery 1.0 §3, RP-Initiated Logout 1.0 §2.1). */
export const END_SESSION_PATH = '/oauth/logout';
/** Where the confirmation page's form posts. */
export const LOGOUT_CONFIRM_PATH = '/oauth/logout/confirm';
/** The "You are signed out" page, after a confirmation that sends the browser nowhere else. */
export const SIGNED_OUT_PATH = '/oauth/logout/done';

/** The request's query string, undecoded. */
function queryOf(request: FastifyRequest): string {
  const q = request.url.indexOf('?');
  return q === -1 ? '' : request.url.slice(q + 1);
}

function checksOf(ctx: ServerContext): LogoutRequestChecks {
  return { issuer: ctx.config.issuer, keys: ctx.keys, clients: ctx.clients };
}

/** Ends this browser's session, if it has one (telling the apps), and deletes its cookie. */
async function signOut(ctx: ServerContext, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const names = pageCookies(ctx);
  const token = readCookie(request, names.session);
  if (token) await ctx.logout.endSession(token);
  setCookie(reply, names, names.session, '', 0);
}

/** "You are signed out", naming the app when the request named one. */
function sendSignedOut(reply: FastifyReply, appName: string | undefined) {
  const nonce = newNonce();
  const body = signedOutPage({ nonce, loginHref: LOGIN_PATH, ...(appName !== undefined && { appName }) });
  return sendPage(reply, 200, nonce, body);
}

/** After a logout: back to the app (its registered URI, `state` appended), or the signed-out page. */
function afterLogout(reply: FastifyReply, request: LogoutRequest) {
  const location = postLogoutLocation(request);
  if (location !== undefined) return reply.redirect(location, 303);
  return sendSignedOut(reply, request.app?.name);
}

/** Answers a logout request: end the session at once, ask, or (no session) only send the browser on. */
async function answer(
  ctx: ServerContext,
  request: FastifyRequest,
  reply: FastifyReply,
  params: ReadonlyMap<string, string>,
) {
  const logout = await checkLogoutRequest(checksOf(ctx), params);
  const session = await currentSession(ctx, request);
  // A HEAD (a link checker) never ends a session.
  const silent = request.method !== 'HEAD' && session && hintMatchesSession(logout, session, ctx.pairwiseKey);
  if (!session || silent) {
    // No session: nothing to end, the user is signed out already. A hint about this session: §2 lets
    // the OP end it without asking.
    await signOut(ctx, request, reply);
    return afterLogout(reply, logout);
  }
  const { nonce, csrf } = startPage(ctx, request, reply);
  const carried: Record<string, string> = {
    ...(logout.app && { client_id: logout.app.id }),
    ...(logout.redirectUri !== undefined && { post_logout_redirect_uri: logout.redirectUri }),
    ...(logout.state !== undefined && { state: logout.state }),
  };
  const body = logoutConfirmPage({
    nonce,
    csrf,
    action: LOGOUT_CONFIRM_PATH,
    userEmail: session.user.email,
    carried,
    stayHref: ACCOUNT_APPS_PATH,
    ...(logout.app && { appName: logout.app.name }),
  });
  // CSP form-action covers the 303 that follows the form: the app's return address may be its target.
  return sendPage(reply, 200, nonce, body, logout.redirectUri ? originOf(logout.redirectUri) : []);
}

/** Registers the end-session endpoint, its confirmation and the signed-out page. */
export function logoutEndpoints(app: FastifyInstance, ctx: ServerContext): void {
  app.get(END_SESSION_PATH, async (request, reply) =>
    answer(ctx, request, reply, logoutParameters(queryOf(request))),
  );

  app.post(END_SESSION_PATH, async (request, reply) => {
    const params = logoutParameters(typeof request.body === 'string' ? request.body : '');
    // The session cookie is SameSite=Lax: an app's cross-site form POST arrives without it, and would
    // look signed out. The same request as a GET navigation carries it (RP-Initiated Logout 1.0 §2
    // accepts both methods).
    if (!readCookie(request, pageCookies(ctx).session)) {
      const query = new URLSearchParams([...params]).toString();
      return reply.redirect(query === '' ? END_SESSION_PATH : `${END_SESSION_PATH}?${query}`, 303);
    }
    return answer(ctx, request, reply, params);
  });

  app.post(LOGOUT_CONFIRM_PATH, async (request, reply) => {
    const form = readCheckedForm(ctx, request);
    // What the confirmation page carried, checked again as a request without a hint.
    const names = ['client_id', 'post_logout_redirect_uri', 'state'];
    const params = new Map(
      names.flatMap((name) => (form.has(name) ? [[name, form.get(name) as string]] : [])),
    );
    const logout = await checkLogoutRequest(checksOf(ctx), params);
    await signOut(ctx, request, reply);
    const location = postLogoutLocation(logout);
    if (location !== undefined) return reply.redirect(location, 303);
    const query = logout.app ? `?${new URLSearchParams({ client_id: logout.app.id })}` : '';
    return reply.redirect(`${SIGNED_OUT_PATH}${query}`, 303);
  });

  app.get(SIGNED_OUT_PATH, async (request, reply) => {
    // Still signed in (a link to this page): ask, rather than say what is not so.
    if (await currentSession(ctx, request)) return reply.redirect(END_SESSION_PATH, 303);
    const clientId = singleQueryValue(request, 'client_id');
    const app = clientId === undefined ? undefined : await ctx.clients.find(clientId);
    return sendSignedOut(reply, app?.name);
  });

  rejectOtherPageMethods(app, END_SESSION_PATH, ['GET', 'POST']);
  rejectOtherPageMethods(app, LOGOUT_CONFIRM_PATH, ['POST']);
  rejectOtherPageMethods(app, SIGNED_OUT_PATH, ['GET']);
}
