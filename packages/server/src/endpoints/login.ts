/**
 * GET/POST /login, POST /logout: password sign-in, throttled per (account, IP) and per IP, slowed down
 * per account; sign-out, which tells the apps the session signed in to; 303 after every POST.
 */
import { setTimeout } from 'node:timers/promises';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { FORGOT_PASSWORD_PATH } from '../accounts/link-tokens.js';
import type { ServerContext } from '../context.js';
import { readCookie, setCookie } from '../http/cookies.js';
import { emailInput, MAX_EMAIL_LENGTH } from '../http/email-input.js';
import { ipKey } from '../http/ip-key.js';
import { pageCookies, readCheckedForm, startPage } from '../http/page.js';
import { sendPage } from '../http/page-security.js';
import { currentUser } from '../http/session.js';
import { asksFreshSignIn, loginHintOf } from '../oidc/sign-in-page.js';
import { loginPage } from '../pages/login.js';
import { unixNow } from '../storage/columns.js';
import { normalizeEmail } from '../storage/users.js';
import { AUTHORIZE_PATH } from './authorize.js';
import {
  authorizationContinuation,
  LOGIN_PATH,
  returnToOf,
  startSession,
  throttled,
} from './sign-in-flow.js';

async function renderLogin(
  ctx: ServerContext,
  request: FastifyRequest,
  reply: FastifyReply,
  returnTo: string,
  status: number,
  extra: { email?: string; error?: string } = {},
) {
  const { nonce, csrf } = startPage(ctx, request, reply);
  const query = new URLSearchParams({ return_to: returnTo });
  const { appName, formTargets } = await authorizationContinuation(ctx, returnTo);
  const body = loginPage({
    nonce,
    csrf,
    action: `${LOGIN_PATH}?${query}`,
    appName,
    signupHref: ctx.config.signupEnabled ? `/signup?${query}` : undefined,
    forgotHref: FORGOT_PASSWORD_PATH,
    ...extra,
  });
  return sendPage(reply, status, nonce, body, formTargets);
}

/** Registers the sign-in and sign-out routes. */
export function loginEndpoints(app: FastifyInstance, ctx: ServerContext): void {
  app.get(LOGIN_PATH, async (request, reply) => {
    const returnTo = returnToOf(ctx, request);
    // OIDC Core §3.1.2.1 prompt=login, max_age: an authorization request may ask for the password again.
    const again = asksFreshSignIn(returnTo, AUTHORIZE_PATH, unixNow());
    if (!again && (await currentUser(ctx, request))) return reply.redirect(returnTo, 303);
    const email = loginHintOf(returnTo, AUTHORIZE_PATH);
    return renderLogin(ctx, request, reply, returnTo, 200, email === undefined ? {} : { email });
  });

  app.post(LOGIN_PATH, async (request, reply) => {
    const params = readCheckedForm(ctx, request);
    const returnTo = returnToOf(ctx, request);
    const typed = params.get('email') ?? '';
    // Control characters or an overlong value: wrong credentials, never a database query.
    const email = emailInput(typed);
    const password = params.get('password') ?? '';
    const account = email ?? normalizeEmail(typed).slice(0, MAX_EMAIL_LENGTH);
    // RFC 6819 §5.1.4.2.3: refused per (account, client network) and per network (IPv6 /64,
    // http/ip-key.ts); per account only slowed down, so wrong passwords from elsewhere never lock the
    // owner out (http/login-throttle.ts). Counted before the password check awaits, so parallel
    // guesses cannot all slip under a limit, on this server or any other sharing its counts.
    const attempt = await ctx.loginThrottle.start(account, ipKey(request.ip));
    if (attempt.refused) {
      ctx.metrics.throttleRefused('sign_in');
      return renderLogin(ctx, request, reply, returnTo, 429, {
        email: email ?? '',
        error: `Too many attempts. ${throttled(reply, attempt.retryAfter)}`,
      });
    }
    if (attempt.delayMs > 0) await setTimeout(attempt.delayMs);
    const user = email && password ? await ctx.users.verify(email, password) : undefined;
    if (!user) {
      return renderLogin(ctx, request, reply, returnTo, 401, {
        email: email ?? '',
        error: 'Wrong email or password.',
      });
    }
    await ctx.loginThrottle.succeeded(attempt);
    return startSession(ctx, reply, user.id, returnTo);
  });

  app.post('/logout', async (request, reply) => {
    readCheckedForm(ctx, request);
    const names = pageCookies(ctx);
    const token = readCookie(request, names.session);
    // Back-Channel Logout 1.0: the apps this session signed in to are told (logout/end-session.ts).
    if (token) await ctx.logout.endSession(token);
    setCookie(reply, names, names.session, '', 0);
    return reply.redirect(LOGIN_PATH, 303);
  });
}
