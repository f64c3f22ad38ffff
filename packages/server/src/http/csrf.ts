/**
 * Anti-CSRF for the login, sign-up, consent and account forms: a token bound to the browser's session,
 * plus an Origin check. A signed-in browser's token is an HMAC of its session cookie; before sign-in,
 * of a random pre-session cookie. The HMAC key is the database's (storage/instance-secrets.ts), so a
 * cookie an attacker plants (from a sibling subdomain, or over http:// when the issuer has no
 * `__Host-` cookies) with a matching field never passes, and neither does another session's token
 * (test/authorize-attacks-csrf.test.ts, "the anti-CSRF token is bound to the session").
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-4.7
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { hasIssuedShape, randomToken } from '../tokens/random.js';
import { type CookieNames, readCookie, setCookie } from './cookies.js';
import type { Params } from './form.js';
import { pageError } from './page-errors.js';

/** The token for a session or pre-session cookie value: HMAC-SHA256 under the key, base64url. */
function bind(key: Buffer, binding: 'session' | 'pre-session', value: string): string {
  return createHmac('sha256', key).update(`${binding}\0${value}`).digest('base64url');
}

/**
 * Whether a presented value is the expected token, in constant time. Compared as bytes of equal length:
 * a value of as many characters but other bytes (non-ASCII) is simply not the token, never an
 * exception from timingSafeEqual (a 500).
 */
function sameToken(expected: string, presented: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(presented);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The session cookie, when the browser has one of the shape this server issues. */
function sessionCookie(request: FastifyRequest, names: CookieNames): string | undefined {
  const session = readCookie(request, names.session);
  return session && hasIssuedShape('token', session) ? session : undefined;
}

/** The value a form of this browser must carry now, or `undefined` when it has neither cookie. */
function expectedToken(request: FastifyRequest, names: CookieNames, key: Buffer): string | undefined {
  const session = sessionCookie(request, names);
  if (session) return bind(key, 'session', session);
  const preSession = readCookie(request, names.csrf);
  return preSession && hasIssuedShape('token', preSession) ? bind(key, 'pre-session', preSession) : undefined;
}

/**
 * The form value for this browser: bound to its session cookie, or without one to its pre-session
 * cookie, set now if it has none.
 */
export function csrfToken(
  request: FastifyRequest,
  reply: FastifyReply,
  names: CookieNames,
  key: Buffer,
): string {
  const current = expectedToken(request, names, key);
  if (current) return current;
  const preSession = randomToken(32);
  setCookie(reply, names, names.csrf, preSession, 86400);
  return bind(key, 'pre-session', preSession);
}

/**
 * Refuses a form POST whose `csrf` field is not this browser's token (bound to its session, or to its
 * pre-session cookie before sign-in), or that comes from another origin. `Origin: null` is treated as
 * absent: with `Referrer-Policy: no-referrer` Chromium sends it on same-origin form posts, so the
 * token decides.
 */
export function checkCsrf(
  request: FastifyRequest,
  params: Params,
  names: CookieNames,
  issuer: string,
  key: Buffer,
): void {
  const origin = request.headers.origin;
  if (origin !== undefined && origin !== 'null' && origin !== new URL(issuer).origin)
    throw pageError('FORM_EXPIRED');
  const expected = expectedToken(request, names, key);
  const field = params.get('csrf');
  if (!expected || !field || !sameToken(expected, field)) throw pageError('FORM_EXPIRED');
}

/**
 * Whether a JSON request of a signed-in browser (the management API) carries this session's anti-CSRF
 * value in `X-CSRF-Token` and comes from no other origin: the same token the session's forms carry, so
 * the portal's script can send it. Only a session binds it: before sign-in there is nothing to manage.
 */
export function csrfHeaderValid(
  request: FastifyRequest,
  names: CookieNames,
  issuer: string,
  key: Buffer,
): boolean {
  const origin = request.headers.origin;
  if (origin !== undefined && origin !== 'null' && origin !== new URL(issuer).origin) return false;
  const session = sessionCookie(request, names);
  const header = request.headers['x-csrf-token'];
  if (!session || typeof header !== 'string') return false;
  return sameToken(bind(key, 'session', session), header);
}
