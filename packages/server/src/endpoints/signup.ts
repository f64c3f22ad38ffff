/**
 * GET/POST /signup: self-service accounts (LATCHKEY_SIGNUP, on by default), throttled per IP; a name,
 * an email and a password. The new account is sent a verification link (accounts/account-mail.ts).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { nameInput } from '../accounts/name.js';
import type { ServerContext } from '../context.js';
import { emailInput } from '../http/email-input.js';
import { ipKey } from '../http/ip-key.js';
import { readCheckedForm, startPage } from '../http/page.js';
import { sendPage } from '../http/page-security.js';
import { signupPage } from '../pages/signup.js';
import { EmailTakenError, isEmail, type User } from '../storage/users.js';
import { passwordProblem } from '../tokens/password.js';
import {
  authorizationContinuation,
  LOGIN_PATH,
  returnToOf,
  startSession,
  throttled,
} from './sign-in-flow.js';

async function render(
  ctx: ServerContext,
  request: FastifyRequest,
  reply: FastifyReply,
  returnTo: string,
  status: number,
  extra: { name?: string; email?: string; error?: string } = {},
) {
  const { nonce, csrf } = startPage(ctx, request, reply);
  const query = new URLSearchParams({ return_to: returnTo });
  const body = signupPage({
    nonce,
    csrf,
    action: `/signup?${query}`,
    loginHref: `${LOGIN_PATH}?${query}`,
    ...extra,
  });
  // The new account 303s to return_to, which may 303 on to the app (CSP form-action covers redirects).
  const { formTargets } = await authorizationContinuation(ctx, returnTo);
  return sendPage(reply, status, nonce, body, formTargets);
}

/** Registers the sign-up routes when sign-up is enabled. */
export function signupEndpoints(app: FastifyInstance, ctx: ServerContext): void {
  if (!ctx.config.signupEnabled) return;

  app.get('/signup', async (request, reply) => render(ctx, request, reply, returnToOf(ctx, request), 200));

  app.post('/signup', async (request, reply) => {
    const params = readCheckedForm(ctx, request);
    const returnTo = returnToOf(ctx, request);
    // Every attempt counts, successful or not: account creation is not a credential to forgive
    // (RFC 6819 §5.1.4.2.3, LATCHKEY_SIGNUP_MAX_PER_IP per LATCHKEY_SIGNUP_WINDOW); IPv6 per /64.
    // Counted on every server at once where the counts are shared (PostgreSQL, Redis).
    const attempt = await ctx.signupThrottle.attempt(
      ctx.signupThrottle.tally([{ key: `ip:${ipKey(request.ip)}`, max: ctx.config.signupMaxPerIp }]),
    );
    if (attempt.refused) {
      ctx.metrics.throttleRefused('sign_up');
      return render(ctx, request, reply, returnTo, 429, {
        error: `Too many new accounts from your network. ${throttled(reply, attempt.retryAfter)}`,
      });
    }
    // Control characters (PostgreSQL refuses NUL) or an overlong value never reach the database.
    const named = nameInput(params.get('name') ?? '');
    // Kept on a refused form, like the email.
    const name = 'name' in named ? named.name : named.kept;
    const email = emailInput(params.get('email') ?? '');
    const password = params.get('password') ?? '';
    if ('problem' in named)
      return render(ctx, request, reply, returnTo, 400, { name, email: email ?? '', error: named.problem });
    if (email === undefined || !isEmail(email))
      return render(ctx, request, reply, returnTo, 400, {
        name,
        email: email ?? '',
        error: 'Enter a valid email address.',
      });
    const problem = passwordProblem(password);
    if (problem) return render(ctx, request, reply, returnTo, 400, { name, email, error: problem });
    let user: User;
    try {
      user = await ctx.users.create(email, password, { name: named.name });
    } catch (error) {
      if (error instanceof EmailTakenError) {
        return render(ctx, request, reply, returnTo, 409, {
          name,
          email,
          error: 'That email is already registered. Sign in instead.',
        });
      }
      throw error;
    }
    // The account exists whatever becomes of the email: a failure here is logged, and the account
    // page offers "Send the link again".
    await ctx.accountMail.requestVerification(user).catch((error: unknown) => {
      ctx.logger.error({ err: error, userId: user.id }, 'could not queue the verification email');
    });
    return startSession(ctx, reply, user.id, returnTo);
  });
}
