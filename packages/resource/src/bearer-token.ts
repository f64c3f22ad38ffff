// Reads the Bearer token from a request (RFC 6750 §2), refusing ambiguous or malformed ones.
import type { RequestLike } from './types.js';

/** Why no usable token could be read from the request. */
export interface BearerProblem {
  readonly kind: 'missing' | 'invalid_request';
  readonly description: string;
}

const NO_TOKEN: BearerProblem = { kind: 'missing', description: 'an access token is required' };
const OTHER_SCHEME: BearerProblem = {
  kind: 'missing',
  description: 'an access token is required in the Authorization header with the Bearer scheme',
};
const QUERY_ONLY: BearerProblem = {
  kind: 'missing',
  description: 'access tokens are accepted only in the Authorization header, not in the query string',
};
const MALFORMED: BearerProblem = { kind: 'invalid_request', description: 'malformed Authorization header' };
const TWO_HEADERS: BearerProblem = {
  kind: 'invalid_request',
  description: 'more than one Authorization header',
};
const TWO_METHODS: BearerProblem = {
  kind: 'invalid_request',
  description: 'the access token was sent by more than one method',
};

/** RFC 6750 §2.1: `credentials = "Bearer" 1*SP b64token`, scheme case-insensitive. */
const BEARER = /^bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;
const SCHEME_BEARER = /^bearer(?:[ \t]|$)/i;

function authorizationHeader(headers: RequestLike['headers']): string | undefined {
  if (typeof (headers as { get?: unknown }).get === 'function') {
    return (headers as { get(name: string): string | null }).get('authorization') ?? undefined;
  }
  const value = (headers as Record<string, string | string[] | undefined>)['authorization'];
  // node:http keeps one Authorization header; other runtimes may hand over an array.
  if (Array.isArray(value)) return value.length === 1 ? value[0] : '\0duplicate';
  return value;
}

function countAuthorization(rawHeaders: readonly string[]): number {
  let count = 0;
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!;
    if (name.length === 13 && name.toLowerCase() === 'authorization') count++;
  }
  return count;
}

function hasQueryToken(url: string | undefined): boolean {
  if (url === undefined) return false;
  const q = url.indexOf('?');
  if (q === -1 || url.indexOf('access_token', q) === -1) return false;
  const hash = url.indexOf('#', q);
  return new URLSearchParams(url.slice(q + 1, hash === -1 ? undefined : hash)).has('access_token');
}

/**
 * Returns the Bearer token string, or why there is none. Only the Authorization header method is
 * supported; a token in the query string alone counts as an unsupported method (401, no error code),
 * together with a header it is two methods (400 `invalid_request`). A repeated Authorization header
 * or a header that is not `Bearer <b64token>` is `invalid_request`. Other schemes (Basic, ...) are
 * treated as no Bearer token.
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-2
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-3.1
 */
export function readBearerToken(request: RequestLike): string | BearerProblem {
  const header = authorizationHeader(request.headers);
  const inQuery = hasQueryToken(request.url);
  if (header === undefined || header === '') return inQuery ? QUERY_ONLY : NO_TOKEN;
  if (request.rawHeaders !== undefined && countAuthorization(request.rawHeaders) > 1) return TWO_HEADERS;
  if (header === '\0duplicate') return TWO_HEADERS;
  if (!SCHEME_BEARER.test(header)) return inQuery ? QUERY_ONLY : OTHER_SCHEME;
  const match = BEARER.exec(header);
  if (match === null) return MALFORMED;
  if (inQuery) return TWO_METHODS;
  return match[1]!;
}
