/**
 * GET/POST /reset-password: the page a password reset link opens. The link's token comes back in the
 * form; the new password is asked twice, under the sign-up rules. A reset ends every session and
 * revokes every grant of the account (storage/password-reset.ts), this browser's session included.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { FORGOT_PASSWORD_PATH, presentedToken, RESET_PASSWORD_PATH } from '../accounts/link-tokens.js';
import type { ServerContext } from '../context.js';
import { setCookie } from '../http/cookies.js';
import { pageCookies, readCheckedForm, startPage } from '../http/page.js';
import { pageError } from '../http/page-errors.js';
import { sendPage } from '../http/page-security.js';
import { singleQueryValue } from '../http/query.js';
import { passwordChangedPage, resetPasswordPage } from '../pages/reset-password.js';
import type { LiveEmailLink } from '../storage/email-links.js';
import { hashPassword, passwordProblem } from '../tokens/password.js';
import { LOGIN_PATH } from './sign-in-flow.js';

/** The page of a link that does not work: used, expired, unknown; with a way to a new one. */
function linkInvalid() {
  return pageError('EMAIL_LINK_INVALID', {
    back: { href: FORGOT_PASSWORD_PATH, label: 'Ask for a new link' },
  });
}

/** The reset link a token names, if it still works; else the "no longer works" page. */
async function liveLink(ctx: ServerContext, raw: string | undefined) {
  const token = presentedToken(raw);
  const link = token && (await ctx.emailLinks.find(token, 'reset'));
  if (!token || !link) throw linkInvalid();
  return { token, link };
}

function renderForm(
  ctx: ServerContext,
  request: FastifyRequest,
  reply: FastifyReply,
  status: number,
  live: { token: string; link: LiveEmailLink },
  error?: string,
) {
  const { nonce, csrf } = startPage(ctx, request, reply);
  const body = resetPasswordPage({
    nonce,
    csrf,
    action: RESET_PASSWORD_PATH,
    token: live.token,
    email: live.link.email,
    ...(error && { error }),
  });
  return sendPage(reply, status, nonce, body);
}

/** Registers the password reset routes. */
export function resetPasswordEndpoints(app: FastifyInstance, ctx: ServerContext): void {
  app.get(RESET_PASSWORD_PATH, async (request, reply) => {
    if (singleQueryValue(request, 'done') === '1') {
      const { nonce } = startPage(ctx, request, reply);
      return sendPage(reply, 200, nonce, passwordChangedPage({ nonce, loginHref: LOGIN_PATH }));
    }
    // Opening the link changes nothing: a mail scanner that follows it uses nothing up.
    return renderForm(ctx, request, reply, 200, await liveLink(ctx, singleQueryValue(request, 'token')));
  });

  app.post(RESET_PASSWORD_PATH, async (request, reply) => {
    const params = readCheckedForm(ctx, request);
    const live = await liveLink(ctx, params.get('token'));
    const password = params.get('password') ?? '';
    const problem = passwordProblem(password);
    if (problem) return renderForm(ctx, request, reply, 400, live, problem);
    if (params.get('confirm') !== password)
      return renderForm(
        ctx,
        request,
        reply,
        400,
        live,
        'The two passwords differ. Type the same password twice.',
      );
    // scrypt before the transaction; the reset itself uses the link up, or finds it used meanwhile, and
    // signs and queues the logout tokens of the apps it finds the user signed in to.
    const outcome = await ctx.passwordResets.reset(
      live.token,
      await hashPassword(password),
      ctx.logout.tokensForEverySession,
    );
    if (!outcome) throw linkInvalid();
    if (outcome.appsTold > 0) ctx.logout.queued();
    ctx.logger.info(
      {
        userId: outcome.userId,
        sessionsEnded: outcome.sessionsEnded,
        grantsRevoked: outcome.grantsRevoked,
        appsTold: outcome.appsTold,
      },
      'password reset by email link',
    );
    // This browser's session, if it had one, was ended with the others.
    const names = pageCookies(ctx);
    setCookie(reply, names, names.session, '', 0);
    return reply.redirect(`${RESET_PASSWORD_PATH}?done=1`, 303);
  });
}
