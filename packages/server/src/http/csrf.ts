/** Anti-CSRF for the login, sign-up, consent and account forms: a double-submit value plus an Origin check. */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { hasIssuedShape, randomToken } from '../tokens/random.js';
import { type CookieNames, readCookie, setCookie } from './cookies.js';
import type { Params } from './form.js';
import { pageError } from './page-errors.js';

/** The form value for this browser: its CSRF cookie, set now if it has none. */
export function csrfToken(request: FastifyRequest, reply: FastifyReply, names: CookieNames): string {
  const existing = readCookie(request, names.csrf);
  if (existing && hasIssuedShape('token', existing)) return existing;
  const token = randomToken(32);
  setCookie(reply, names, names.csrf, token, 86400);
  return token;
}

/**
 * Refuses a form POST whose `csrf` field does not equal the cookie, or that comes from another origin.
 * `Origin: null` is treated as absent: with `Referrer-Policy: no-referrer` Chromium sends it on
 * same-origin form posts, so the token decides.
 */
export function checkCsrf(request: FastifyRequest, params: Params, names: CookieNames, issuer: string): void {
  const origin = request.headers.origin;
  if (origin !== undefined && origin !== 'null' && origin !== new URL(issuer).origin)
    throw pageError('FORM_EXPIRED');
  const cookie = readCookie(request, names.csrf);
  const field = params.get('csrf');
  if (!cookie || !field || cookie.length !== field.length) throw pageError('FORM_EXPIRED');
  if (!timingSafeEqual(Buffer.from(cookie), Buffer.from(field))) throw pageError('FORM_EXPIRED');
}
