/** GET/POST /signup: self-service accounts (LATCHKEY_SIGNUP, on by default). */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ServerContext } from '../context.js';
import { signupPage } from '../pages/signup.js';
import { cookieNames } from '../shared/cookies.js';
import { checkCsrf, csrfToken } from '../shared/csrf.js';
import { parseForm } from '../shared/form.js';
import { newNonce, sendPage } from '../shared/page-security.js';
import { passwordProblem } from '../shared/password.js';
import { safeReturnTo } from '../shared/return-to.js';
import { EmailTakenError, isEmail, normalizeEmail } from '../storage/users.js';
import { LOGIN_PATH, startSession } from './login.js';

function render(
  ctx: ServerContext,
  request: FastifyRequest,
  reply: FastifyReply,
  returnTo: string,
  status: number,
  extra: { email?: string; error?: string } = {},
) {
  const nonce = newNonce();
  const query = new URLSearchParams({ return_to: returnTo });
  const body = signupPage({
    nonce,
    csrf: csrfToken(request, reply, cookieNames(ctx.config.issuer)),
    action: `/signup?${query}`,
    loginHref: `${LOGIN_PATH}?${query}`,
    ...extra,
  });
  return sendPage(reply, status, nonce, body);
}

/** Registers the sign-up routes when sign-up is enabled. */
export function signupEndpoints(app: FastifyInstance, ctx: ServerContext): void {
  if (!ctx.config.signupEnabled) return;
  const returnToOf = (request: FastifyRequest) =>
    safeReturnTo((request.query as Record<string, string | undefined>)['return_to'], ctx.config.issuer);

  app.get('/signup', async (request, reply) => render(ctx, request, reply, returnToOf(request), 200));

  app.post('/signup', async (request, reply) => {
    const params = parseForm(typeof request.body === 'string' ? request.body : '');
    checkCsrf(request, params, cookieNames(ctx.config.issuer), ctx.config.issuer);
    const returnTo = returnToOf(request);
    const email = normalizeEmail(params.get('email') ?? '');
    const password = params.get('password') ?? '';
    if (!isEmail(email))
      return render(ctx, request, reply, returnTo, 400, { email, error: 'Enter a valid email address.' });
    const problem = passwordProblem(password);
    if (problem) return render(ctx, request, reply, returnTo, 400, { email, error: problem });
    try {
      const user = await ctx.users.create(email, password);
      return startSession(ctx, reply, user.id, returnTo);
    } catch (error) {
      if (error instanceof EmailTakenError) {
        return render(ctx, request, reply, returnTo, 409, {
          email,
          error: 'That email is already registered. Sign in instead.',
        });
      }
      throw error;
    }
  });
}
