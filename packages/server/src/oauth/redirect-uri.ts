/** Redirect URI rules for registration (RFC 6749 §3.1.2, RFC 8252 §7.3 / §8.3, RFC 9700 §2.1). */

import type { CataloguedError } from '../errors.js';
/** A redirect URI is refused at registration: the message names it. */
export class RedirectUriError extends Error implements CataloguedError {
  readonly catalogueName = 'INVALID_REDIRECT_URI' as const;
  override readonly name = 'RedirectUriError';
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]', 'localhost']);

/** Whether a URL is an `http` loopback IP literal, for which any port is accepted (RFC 8252 §7.3). */
export function isLoopbackIpRedirect(url: URL): boolean {
  return url.protocol === 'http:' && (url.hostname === '127.0.0.1' || url.hostname === '[::1]');
}

/**
 * Checks a URI before it is registered: absolute, no fragment (§3.1.2), no wildcard, no userinfo,
 * https or loopback http (RFC 8252 §8.3), never `javascript:` or `data:`; private-use schemes for
 * native apps (`com.example.app:/cb`) are allowed.
 */
export function validateRedirectUri(uri: string): string {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw new RedirectUriError(`redirect URI "${uri}" is not an absolute URI`);
  }
  const fail = (why: string) => new RedirectUriError(`redirect URI "${uri}" ${why}`);
  if (uri.includes('#')) throw fail('must not contain a fragment (RFC 6749 §3.1.2)');
  if (uri.includes('*')) throw fail('must not contain a wildcard; register each URI exactly');
  if (url.username || url.password) throw fail('must not contain userinfo');
  if (['javascript:', 'data:', 'vbscript:', 'file:', 'blob:'].includes(url.protocol)) {
    throw fail(`uses the forbidden scheme ${url.protocol}`);
  }
  if (url.protocol === 'http:' && !LOOPBACK_HOSTS.has(url.hostname)) {
    throw fail('must use https (plain http is allowed only for loopback, RFC 8252 §8.3)');
  }
  if (
    url.protocol !== 'https:' &&
    url.protocol !== 'http:' &&
    !/^[a-z][a-z0-9+.-]*\.[a-z0-9+.-]+:$/.test(url.protocol)
  ) {
    throw fail('must be https, loopback http, or a reverse-domain private-use scheme (RFC 8252 §7.1)');
  }
  return uri;
}

/**
 * Finds the registered redirect URI a request names: byte-equal (RFC 6749 §3.1.2.3, RFC 9700 §2.1),
 * except that for a registered loopback IP literal over http any port is accepted and nothing else
 * may vary (RFC 8252 §7.3).
 */
export function matchRedirectUri(registered: readonly string[], candidate: string): string | undefined {
  if (registered.includes(candidate)) return candidate;
  let url: URL;
  try {
    url = new URL(candidate);
  } catch {
    return undefined;
  }
  if (!isLoopbackIpRedirect(url) || url.username || url.password || candidate.includes('#')) return undefined;
  // The candidate must already be in canonical form: only the port may differ from a registration.
  const canonical = `http://${url.hostname}${url.port ? `:${url.port}` : ''}${url.pathname}${url.search}`;
  if (canonical !== candidate) return undefined;
  const withoutPort = `http://${url.hostname}${url.pathname}${url.search}`;
  for (const uri of registered) {
    let reg: URL;
    try {
      reg = new URL(uri);
    } catch {
      continue;
    }
    if (isLoopbackIpRedirect(reg) && `http://${reg.hostname}${reg.pathname}${reg.search}` === withoutPort)
      return candidate;
  }
  return undefined;
}

/**
 * The redirect URI an authorization request resolves to: the registered one it names
 * ({@link matchRedirectUri}), or the only registered one when it names none (RFC 6749 §3.1.2.3);
 * `undefined` when neither applies, and then nothing may be sent to any URI (§3.1.2.4).
 */
export function requestedRedirectUri(
  registered: readonly string[],
  requested: string | undefined,
): string | undefined {
  if (requested === undefined) return registered.length === 1 ? registered[0] : undefined;
  return matchRedirectUri(registered, requested);
}
