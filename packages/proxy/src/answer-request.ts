// The token route itself: method, origin, caller check, scope, cached token, in that order.

import type { IncomingMessage } from 'node:http';
import { decideCors, preflightHeaders } from './cors.js';
import type { ProxyLogger } from './logger.js';
import type { AuthorizeResult, ResolvedProxyOptions } from './options.js';
import { BASE_HEADERS, errorResponse, type ProxyResponse, upstreamErrorResponse } from './proxy-response.js';
import { parseScopeRequest, type ScopeRequest } from './scope-request.js';
import type { CacheEntry, TokenCache } from './token-cache.js';
import { UpstreamFailure } from './upstream-failure.js';

/**
 * Answers one request to the token route; synchronous when the token is cached and no async hook
 * runs (the hot path), a promise otherwise. Never rejects.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.4.3
 */
export type RequestAnswerer = (req: IncomingMessage, query: string) => ProxyResponse | Promise<ProxyResponse>;

const MEMO_LIMIT = 256;

/**
 * Builds the answerer for validated options and a token cache.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.4
 * @see https://fetch.spec.whatwg.org/#http-cors-protocol
 */
export function createAnswerer(
  options: ResolvedProxyOptions,
  cache: TokenCache,
  logger: ProxyLogger,
): RequestAnswerer {
  const scopeMemo = new Map<string, ScopeRequest>();

  function readScope(query: string): ScopeRequest {
    const memo = scopeMemo.get(query);
    if (memo !== undefined) return memo;
    const parsed = parseScopeRequest(query, options.allowedScopes, options.defaultScope);
    if (parsed.ok && scopeMemo.size < MEMO_LIMIT) scopeMemo.set(query, parsed);
    return parsed;
  }

  function success(entry: CacheEntry, cors: Record<string, string>): ProxyResponse {
    const expiresIn = Math.max(0, Math.floor((entry.token.expiresAt - Date.now()) / 1000));
    if (entry.body === undefined || entry.bodyExpiresIn !== expiresIn) {
      entry.body = JSON.stringify({
        access_token: entry.token.accessToken,
        token_type: entry.token.tokenType,
        expires_in: expiresIn,
      });
      entry.bodyExpiresIn = expiresIn;
    }
    return { status: 200, headers: { ...BASE_HEADERS, ...cors }, body: entry.body };
  }

  function failure(error: unknown, cors: Record<string, string>): ProxyResponse {
    if (error instanceof UpstreamFailure) {
      return upstreamErrorResponse(error.kind === 'timeout', error.retryAfterMs, cors);
    }
    logger.error('token proxy failed', { error: error instanceof Error ? error.name : typeof error });
    return errorResponse(500, 'server_error', 'The token proxy failed.', cors);
  }

  function token(scope: ScopeRequest & { ok: true }, cors: Record<string, string>) {
    let entry: CacheEntry | Promise<CacheEntry>;
    try {
      entry = cache.get(scope.key, scope.scope);
    } catch (error) {
      return failure(error, cors);
    }
    if (entry instanceof Promise) {
      return entry.then(
        (value) => success(value, cors),
        (error: unknown) => failure(error, cors),
      );
    }
    return success(entry, cors);
  }

  function afterAuthorize(
    result: AuthorizeResult,
    scope: ScopeRequest & { ok: true },
    cors: Record<string, string>,
  ) {
    if (result === true) return token(scope, cors);
    if (result === 403) return errorResponse(403, 'access_denied', 'The caller may not get a token.', cors);
    return errorResponse(401, 'unauthorized', 'The caller is not signed in.', cors);
  }

  return (req, query) => {
    const corsDecision = decideCors(req.headers, options.allowedOrigins, options.allowCredentials);
    const cors = corsDecision.headers;
    const method = req.method;
    if (method !== 'GET' && method !== 'OPTIONS') {
      return errorResponse(405, 'method_not_allowed', 'Use GET.', { ...cors, allow: 'GET, OPTIONS' });
    }
    if (!corsDecision.allowed) {
      return errorResponse(403, 'origin_not_allowed', 'This origin may not get tokens here.', cors);
    }
    if (method === 'OPTIONS') {
      const extra = req.headers.origin === undefined ? {} : preflightHeaders(req.headers);
      return { status: 204, headers: { ...cors, ...extra, allow: 'GET, OPTIONS' }, body: '' };
    }
    const scope = readScope(query);
    if (!scope.ok) return errorResponse(400, scope.error, scope.description, cors);
    if (options.authorize === undefined) return token(scope, cors);
    let verdict: AuthorizeResult | Promise<AuthorizeResult>;
    try {
      verdict = options.authorize(req);
    } catch (error) {
      return failure(error, cors);
    }
    if (typeof verdict === 'object' && verdict !== null) {
      return Promise.resolve(verdict).then(
        (result) => afterAuthorize(result, scope, cors),
        (error: unknown) => failure(error, cors),
      );
    }
    return afterAuthorize(verdict, scope, cors);
  };
}
