/**
 * How the authorization endpoint answers the app (RFC 6749 §4.1.2, §4.1.2.1): a 303 to the redirect
 * URI with the parameters in its query, or in OAuth 2.0 Form Post Response Mode a page that posts
 * them there; RFC 9207 `iss` on every answer.
 */
import type { FastifyReply } from 'fastify';
import type { ServerContext } from '../context.js';
import { newNonce, originOf, sendPage } from '../http/page-security.js';
import { formPostPage } from '../pages/form-post.js';

/** Where and how an answer goes: the app's verified redirect URI and the request's response mode. */
export interface AppTarget {
  redirectUri: string;
  /** `form_post`; absent: the query (RFC 6749 §4.1.2, the default for `response_type=code`). */
  responseMode?: 'form_post' | undefined;
  /** The app's name, on the form-post page. */
  appName: string;
}

/** The answer's parameters with RFC 9207 `iss`; absent values are left out. */
function answerValues(
  ctx: ServerContext,
  values: Record<string, string | undefined>,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(values)) if (value !== undefined) out[name] = value;
  out['iss'] = ctx.config.issuer;
  return out;
}

/** The redirect URI with the answer in its query (kept after the parameters it was registered with). */
export function redirectTo(
  ctx: ServerContext,
  redirectUri: string,
  values: Record<string, string | undefined>,
): string {
  const url = new URL(redirectUri);
  for (const [name, value] of Object.entries(answerValues(ctx, values))) url.searchParams.append(name, value);
  return url.toString();
}

/**
 * Sends the answer: a 303 (query), or the form-post page, whose CSP lets its one form post to the
 * redirect URI's origin and its one nonce'd script submit it (OAuth 2.0 Form Post Response Mode §2).
 */
export function answerApp(
  ctx: ServerContext,
  reply: FastifyReply,
  target: AppTarget,
  values: Record<string, string | undefined>,
) {
  if (target.responseMode !== 'form_post')
    return reply.redirect(redirectTo(ctx, target.redirectUri, values), 303);
  const nonce = newNonce();
  const body = formPostPage({
    nonce,
    action: target.redirectUri,
    values: answerValues(ctx, values),
    appName: target.appName,
  });
  return sendPage(reply, 200, nonce, body, originOf(target.redirectUri), { script: true });
}
