/**
 * GET/POST /forgot-password: asks for the account's email and answers every request alike, whether an
 * account has the address or not (the look-up and the email happen after the answer, off the request
 * path: accounts/account-mail.ts); throttled per IP like sign-up.
 * @see https://cheatsheetseries.owasp.org/cheatsheets/Forgot_Password_Cheat_Sheet.html
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { FORGOT_PASSWORD_PATH, lifetimeText } from '../accounts/link-tokens.js';
import type { ServerContext } from '../context.js';
import { emailInput } from '../http/email-input.js';
import { ipKey } from '../http/ip-key.js';
import { readCheckedForm, startPage } from '../http/page.js';
import { sendPage } from '../http/page-security.js';
import { singleQueryValue } from '../http/query.js';
import { forgotPasswordPage, resetLinkSentPage } from '../pages/forgot-password.js';
import { isEmail } from '../storage/users.js';
import { LOGIN_PATH, throttled } from './sign-in-flow.js';

function renderForm(
  ctx: ServerContext,
  request: FastifyRequest,
  reply: FastifyReply,
  status: number,
  extra: { email?: string; error?: string } = {},
) {
  const { nonce, csrf } = startPage(ctx, request, reply);
  const body = forgotPasswordPage({
    nonce,
    csrf,
    action: FORGOT_PASSWORD_PATH,
    loginHref: LOGIN_PATH,
    ...extra,
  });
  return sendPage(reply, status, nonce, body);
}

/** Registers the "Forgot password?" routes. */
export function forgotPasswordEndpoints(app: FastifyInstance, ctx: ServerContext): void {
  app.get(FORGOT_PASSWORD_PATH, async (request, reply) => {
    if (singleQueryValue(request, 'sent') !== '1') return renderForm(ctx, request, reply, 200);
    const { nonce } = startPage(ctx, request, reply);
    const body = resetLinkSentPage({
      nonce,
      lifetime: lifetimeText('reset'),
      againHref: FORGOT_PASSWORD_PATH,
      loginHref: LOGIN_PATH,
    });
    return sendPage(reply, 200, nonce, body);
  });

  app.post(FORGOT_PASSWORD_PATH, async (request, reply) => {
    const params = readCheckedForm(ctx, request);
    // Every request counts, as for sign-up (LATCHKEY_SIGNUP_MAX_PER_IP per LATCHKEY_SIGNUP_WINDOW, in
    // a count of its own; IPv6 per /64); each address also gets only a few emails per window, whoever
    // asks (accounts/account-mail.ts). RFC 6819 §5.1.4.2.3.
    const attempt = await ctx.mailThrottle.attempt(
      ctx.mailThrottle.tally([{ key: `ip:${ipKey(request.ip)}`, max: ctx.config.signupMaxPerIp }]),
    );
    const typed = emailInput(params.get('email') ?? '');
    if (attempt.refused) {
      ctx.metrics.throttleRefused('account_email');
      return renderForm(ctx, request, reply, 429, {
        email: typed ?? '',
        error: `Too many requests from your network. ${throttled(reply, attempt.retryAfter)}`,
      });
    }
    if (typed === undefined || !isEmail(typed))
      return renderForm(ctx, request, reply, 400, {
        email: typed ?? '',
        error: 'Enter a valid email address.',
      });
    // Queued only: the answer below leaves before the address is even looked up.
    ctx.accountMail.requestReset(typed);
    return reply.redirect(`${FORGOT_PASSWORD_PATH}?sent=1`, 303);
  });
}
