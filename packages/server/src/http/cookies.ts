/** Cookie parsing and the two cookies the pages use: the session and the anti-CSRF value. */
import type { FastifyReply, FastifyRequest } from 'fastify';

/** Parses a Cookie header; malformed pairs are skipped, the first of a repeated name wins. */
export function parseCookies(header: string | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  if (!header) return cookies;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 1) continue;
    const name = part.slice(0, eq).trim();
    if (!cookies.has(name)) cookies.set(name, part.slice(eq + 1).trim());
  }
  return cookies;
}

/** Names and attributes that depend on whether the issuer is https. */
export interface CookieNames {
  session: string;
  csrf: string;
  secure: boolean;
}

/** `__Host-` names and `Secure` when the issuer is https (RFC 6265bis §4.1.3.2). */
export function cookieNames(issuer: string): CookieNames {
  const secure = issuer.startsWith('https:');
  return secure
    ? { session: '__Host-lk_session', csrf: '__Host-lk_csrf', secure }
    : { session: 'lk_session', csrf: 'lk_csrf', secure };
}

/** Sets an HttpOnly, SameSite=Lax cookie on path `/` (maxAge 0 deletes it). */
export function setCookie(
  reply: FastifyReply,
  names: CookieNames,
  name: string,
  value: string,
  maxAge: number,
): void {
  const attributes = [`${name}=${value}`, 'Path=/', 'HttpOnly', 'SameSite=Lax', `Max-Age=${maxAge}`];
  if (names.secure) attributes.push('Secure');
  const previous = reply.getHeader('set-cookie');
  const list = previous === undefined ? [] : Array.isArray(previous) ? previous : [String(previous)];
  reply.header('set-cookie', [...list, attributes.join('; ')]);
}

/** Reads one cookie of the request. */
export function readCookie(request: FastifyRequest, name: string): string | undefined {
  return parseCookies(request.headers.cookie).get(name);
}
