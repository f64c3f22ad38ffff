// CORS for the token route: exact-origin allow-list, preflight answers, nothing for other origins.

import type { IncomingHttpHeaders } from 'node:http';

/** What the CORS check decided for one request. */
export interface CorsDecision {
  /** False when an `Origin` header is present and not on the allow-list (answered 403). */
  allowed: boolean;
  /** Headers to add to every answer: CORS headers for allowed origins only, and `Vary: Origin`. */
  headers: Record<string, string>;
}

const ALLOWED_METHODS = 'GET, OPTIONS';
const HEADER_LIST = /^[\w-]+(\s*,\s*[\w-]+)*$/;

/**
 * Decides CORS for a request. No `Origin` (same-origin GET, server-side callers): allowed, no CORS
 * headers. An origin on the list: `Access-Control-Allow-Origin: <origin>`. Any other origin,
 * including `null`: refused, no CORS headers.
 * @see https://fetch.spec.whatwg.org/#http-cors-protocol
 */
export function decideCors(
  headers: IncomingHttpHeaders,
  allowedOrigins: ReadonlySet<string>,
  allowCredentials: boolean,
): CorsDecision {
  const origin = headers.origin;
  if (origin === undefined) return { allowed: true, headers: { vary: 'Origin' } };
  if (!allowedOrigins.has(origin)) return { allowed: false, headers: { vary: 'Origin' } };
  const out: Record<string, string> = { vary: 'Origin', 'access-control-allow-origin': origin };
  if (allowCredentials) out['access-control-allow-credentials'] = 'true';
  return { allowed: true, headers: out };
}

/**
 * Headers answering a preflight from an allowed origin: methods `GET, OPTIONS`, the requested
 * headers (when they are a plain list of header names) and a 10-minute max age.
 * @see https://fetch.spec.whatwg.org/#cors-preflight-fetch
 */
export function preflightHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {
    'access-control-allow-methods': ALLOWED_METHODS,
    'access-control-max-age': '600',
  };
  const requested = headers['access-control-request-headers'];
  if (typeof requested === 'string' && requested.length <= 512 && HEADER_LIST.test(requested.trim())) {
    out['access-control-allow-headers'] = requested.trim();
  }
  return out;
}
