/** GET/POST /login, POST /logout: password sign-in, throttled per account and per IP; 303 after every POST. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ServerContext } from '../context.js';
import { loginPage } from '../pages/login.js';
import { cookieNames, readCookie, setCookie } from '../shared/cookies.js';
import { checkCsrf, csrfToken } from '../shared/csrf.js';
import { parseForm } from '../shared/form.js';
import { newNonce, sendPage } from '../shared/page-security.js';
import { safeReturnTo } from '../shared/return-to.js';
import { currentUser } from '../shared/session.js';
import { normalizeEmail } from '../storage/users.js';

/** Path of the sign-in page. */
export const LOGIN_PATH = '/login';

/** The app name to show when the sign-in continues an authorization request. */
async function appNameFor(ctx: ServerContext, returnTo: string): Promise<string | undefined> {
  if (!returnTo.startsWith('/oauth/authorize?')) return undefined;
  const clientId = new URLSearchParams(returnTo.slice(returnTo.indexOf('?') + 1)).get('client_id');
  return clientId && /^[\x21-\x7e]{1,255}$/.test(clientId)
    ? (await ctx.clients.find(clientId))?.name
    : undefined;
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
  const body = loginPage({
    nonce,
    csrf: csrfToken(request, reply, cookieNames(ctx.config.issuer)),
    action: `${LOGIN_PATH}?${query}`,
    appName: await appNameFor(ctx, returnTo),
    signupHref: ctx.config.signupEnabled ? `/signup?${query}` : undefined,
    ...extra,
  });
  return sendPage(reply, status, nonce, body);
}

function returnToOf(ctx: ServerContext, request: FastifyRequest): string {
  return safeReturnTo((request.query as Record<string, string | undefined>)['return_to'], ctx.config.issuer);
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
    const params = parseForm(typeof request.body === 'string' ? request.body : '');
    checkCsrf(request, params, cookieNames(ctx.config.issuer), ctx.config.issuer);
    const returnTo = returnToOf(ctx, request);
    const email = normalizeEmail(params.get('email') ?? '').slice(0, 320);
    const password = params.get('password') ?? '';
    const keys = [`ip:${request.ip}`, `account:${email}`];
    // Counted before the password check awaits, so parallel guesses cannot all slip under the limit.
    const wait = ctx.loginLimiter.attempt(keys);
    if (wait !== undefined) {
      reply.header('retry-after', String(Math.ceil(wait)));
      const minutes = Math.max(1, Math.ceil(wait / 60));
      return renderLogin(ctx, request, reply, returnTo, 429, {
        email,
        error: `Too many attempts. Try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`,
      });
    }
    const user = email && password ? await ctx.users.verify(email, password) : undefined;
    if (!user) {
      return renderLogin(ctx, request, reply, returnTo, 401, { email, error: 'Wrong email or password.' });
    }
    ctx.loginLimiter.forgive(keys);
    return startSession(ctx, reply, user.id, returnTo);
  });

  app.post('/logout', async (request, reply) => {
    const names = cookieNames(ctx.config.issuer);
    checkCsrf(
      request,
      parseForm(typeof request.body === 'string' ? request.body : ''),
      names,
      ctx.config.issuer,
    );
    const token = readCookie(request, names.session);
    if (token) await ctx.users.deleteSession(token);
    setCookie(reply, names, names.session, '', 0);
    return reply.redirect(LOGIN_PATH, 303);
  });
}
