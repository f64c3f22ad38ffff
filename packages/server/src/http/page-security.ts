/** Headers of every HTML page: CSP with a nonce, no framing, no referrer, no caching. */
import type { FastifyReply } from 'fastify';
import { secureRandomBytes } from '../tokens/random.js';

/** A fresh CSP nonce for one response. */
export function newNonce(): string {
  return secureRandomBytes(16).toString('base64');
}

/**
 * Sends a page. `formTargets` are origins a form on it may end up at after redirects (the app's
 * redirect URI on consent), since CSP `form-action` also applies to redirects. `script: true` lets the
 * page's one inline script run, by its nonce (no other script, and none from anywhere).
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-4.15 (clickjacking)
 * @see https://www.w3.org/TR/CSP3/#directive-script-src
 */
export function sendPage(
  reply: FastifyReply,
  status: number,
  nonce: string,
  body: string,
  formTargets: string[] = [],
  options: { script?: boolean } = {},
): string {
  const formAction = ["'self'", ...formTargets].join(' ');
  const script = options.script ? ` script-src 'nonce-${nonce}';` : '';
  reply
    .code(status)
    .header('content-type', 'text/html; charset=utf-8')
    .header(
      'content-security-policy',
      `default-src 'none';${script} style-src 'nonce-${nonce}'; img-src 'self' data:; form-action ${formAction}; frame-ancestors 'none'; base-uri 'none'`,
    )
    .header('x-frame-options', 'DENY')
    .header('referrer-policy', 'no-referrer')
    .header('cross-origin-opener-policy', 'same-origin')
    .header('cache-control', 'no-store');
  return body;
}

/** The origin of a URL for CSP (`https://app.example`), or nothing for custom schemes. */
export function originOf(uri: string): string[] {
  try {
    const url = new URL(uri);
    return url.protocol === 'http:' || url.protocol === 'https:' ? [url.origin] : [`${url.protocol}`];
  } catch {
    return [];
  }
}
