/**
 * The one page helper: every page starts with a fresh CSP nonce and this browser's anti-CSRF value, and
 * every page form is read strictly and checked against that value before anything else happens.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ServerContext } from '../context.js';
import { type CookieNames, cookieNames } from './cookies.js';
import { checkCsrf, csrfToken } from './csrf.js';
import type { Params } from './form.js';
import { readPageForm } from './page-form.js';
import { newNonce } from './page-security.js';

/** What a page needs before it renders: its CSP nonce and the value its forms carry. */
export interface PageStart {
  nonce: string;
  csrf: string;
}

/** The page cookies of this server: `__Host-` names and `Secure` when the issuer is https. */
export function pageCookies(ctx: ServerContext): CookieNames {
  return cookieNames(ctx.config.issuer);
}

/**
 * Starts a page: a fresh CSP nonce, and this browser's anti-CSRF value (bound to its session, or to a
 * pre-session cookie, set now if it has none).
 */
export function startPage(ctx: ServerContext, request: FastifyRequest, reply: FastifyReply): PageStart {
  return { nonce: newNonce(), csrf: csrfToken(request, reply, pageCookies(ctx), ctx.csrfKey) };
}

/**
 * Reads a page form (a repeated field or bad encoding is a 400 page) and refuses it with a 403 page
 * unless it carries this browser's anti-CSRF value (bound to its session) and comes from no other origin.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-10.12
 */
export function readCheckedForm(ctx: ServerContext, request: FastifyRequest): Params {
  const params = readPageForm(request);
  checkCsrf(request, params, pageCookies(ctx), ctx.config.issuer, ctx.csrfKey);
  return params;
}
