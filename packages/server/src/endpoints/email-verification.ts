/**
 * Email verification: GET/POST /verify-email, the page a verification link opens (it asks before it
 * verifies, so a mail scanner that opens the link uses nothing up), and POST /account/verify-email,
 * "Send the link again" on the account page, a few times per window per address.
 * @see https://openid.net/specs/openid-connect-core-1_0.html#StandardClaims (`email_verified`)
 */
import type { FastifyInstance } from 'fastify';
import { presentedToken, VERIFY_EMAIL_PATH } from '../accounts/link-tokens.js';
import type { ServerContext } from '../context.js';
import { readCheckedForm, startPage } from '../http/page.js';
import { pageError } from '../http/page-errors.js';
import { sendPage } from '../http/page-security.js';
import { singleQueryValue } from '../http/query.js';
import { currentUser } from '../http/session.js';
import { emailVerifiedPage, verifyEmailPage } from '../pages/verify-email.js';
import { ACCOUNT_APPS_PATH, RESEND_VERIFICATION_PATH, renderAccount } from './account.js';
import { throttled } from './sign-in-flow.js';

/** The page of a link that does not work, with the way to a new one (the account page). */
function linkInvalid() {
  return pageError('EMAIL_LINK_INVALID', { back: { href: ACCOUNT_APPS_PATH, label: 'Go to your account' } });
}

/** Registers the email verification routes. */
export function emailVerificationEndpoints(app: FastifyInstance, ctx: ServerContext): void {
  app.get(VERIFY_EMAIL_PATH, async (request, reply) => {
    const { nonce, csrf } = startPage(ctx, request, reply);
    if (singleQueryValue(request, 'done') === '1')
      return sendPage(reply, 200, nonce, emailVerifiedPage({ nonce, continueHref: ACCOUNT_APPS_PATH }));
    const token = presentedToken(singleQueryValue(request, 'token'));
    const link = token && (await ctx.emailLinks.find(token, 'verify'));
    if (!token || !link) throw linkInvalid();
    const body = verifyEmailPage({ nonce, csrf, action: VERIFY_EMAIL_PATH, token, email: link.email });
    return sendPage(reply, 200, nonce, body);
  });

  app.post(VERIFY_EMAIL_PATH, async (request, reply) => {
    const params = readCheckedForm(ctx, request);
    const token = presentedToken(params.get('token'));
    // The link is the proof, not a session: it verifies from any browser, once.
    const verified = token && (await ctx.emailLinks.verifyEmail(token));
    if (!verified) throw linkInvalid();
    return reply.redirect(`${VERIFY_EMAIL_PATH}?done=1`, 303);
  });

  app.post(RESEND_VERIFICATION_PATH, async (request, reply) => {
    readCheckedForm(ctx, request);
    const user = await currentUser(ctx, request);
    if (!user) throw pageError('SIGNED_OUT_ACCOUNT');
    if (user.emailVerified) return reply.redirect(ACCOUNT_APPS_PATH, 303);
    const sent = await ctx.accountMail.requestVerification(user);
    if (sent.queued) return reply.redirect(`${ACCOUNT_APPS_PATH}?sent=1`, 303);
    ctx.metrics.throttleRefused('account_email');
    return renderAccount(ctx, request, reply, user, 429, {
      error: `We sent several links to ${user.email} recently. ${throttled(reply, sent.retryAfter)}`,
    });
  });
}
