/** The error serializers: `{error, error_description}` for the JSON endpoints, an HTML page for the browser pages; never a stack or a secret. */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isCatalogued } from '../errors.js';
import type { Metrics } from '../metrics/metrics.js';
import { OAuthError, oauthError } from '../oauth/errors.js';
import { errorPage } from '../pages/error.js';
import { databaseFailureKind, isDatabaseUnavailable, ValueRejectedError } from '../storage/errors.js';
import { PageError, pageError } from './page-errors.js';
import { newNonce, sendPage } from './page-security.js';

/**
 * Whether the failure is the request's own stream failing: the client hung up before its body was read
 * (Node's `aborted`, code ECONNRESET, the same code as a database connection reset). Nobody is left to
 * answer, and nothing failed on our side.
 */
function isAbortedByClient(request: FastifyRequest, error: unknown): boolean {
  return error !== null && error !== undefined && request.raw.errored === error;
}

/**
 * The answer to a failure the handlers did not answer themselves, from the error catalogue;
 * `undefined`: a bug (500).
 */
export function toOAuthError(request: FastifyRequest, error: unknown): OAuthError | undefined {
  if (error instanceof OAuthError) return error;
  // RFC 9110 §15.5.1: a request that could not be read; the answer goes nowhere (the client left).
  if (isAbortedByClient(request, error)) {
    return oauthError('REQUEST_UNREADABLE', 'the request could not be read');
  }
  // An error class that names its catalogue entry (app registration, redirect URI rules).
  if (isCatalogued(error)) return oauthError(error.catalogueName, error.message);
  // A value the database cannot store or compare: a malformed request (RFC 6749 §5.2), never a 500.
  if (error instanceof ValueRejectedError)
    return oauthError('VALUE_REJECTED', 'a parameter has a value the server cannot process');
  if (isDatabaseUnavailable(error))
    return oauthError('UNAVAILABLE', 'the service is temporarily unavailable', { 'retry-after': '1' });
  const status = (error as FastifyError).statusCode;
  // Fastify's own 4xx (body too large, bad Content-Length, bad media type): bad input, never a 500, and
  // with the catalogue's statuses only: 413 for a body too large, else 400. A Content-Type Fastify cannot
  // parse (empty, `text`, `;`), which it answers 415, is refused like any type that is not a form
  // (http/request.ts; RFC 6749 §5.2), found by test/fuzz/token.test.ts.
  if (typeof status === 'number' && status >= 400 && status < 500) {
    const code = (error as FastifyError).code;
    if (code === 'FST_ERR_CTP_BODY_TOO_LARGE')
      return oauthError('REQUEST_UNREADABLE', 'request body is too large', {}, 413);
    if (code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE')
      return oauthError('REQUEST_UNREADABLE', 'the Content-Type header is malformed');
    return oauthError('REQUEST_UNREADABLE', 'the request could not be read');
  }
  return undefined;
}

/**
 * Logs a failure: unexpected errors with their stack, outages briefly (and counts them by kind for
 * GET /metrics), data exceptions by SQLSTATE only, a client hanging up at debug level (it is the
 * client's doing, and says nothing about our health).
 */
export function logFailure(
  request: FastifyRequest,
  error: unknown,
  known: OAuthError | undefined,
  metrics: Metrics,
): void {
  if (isAbortedByClient(request, error)) {
    request.log.debug({ err: error }, 'request aborted by the client');
  } else if (known === undefined) {
    request.log.error({ err: error }, 'unexpected error');
  } else if (known.status === 503) {
    metrics.databaseFailed(databaseFailureKind(error));
    request.log.warn({ err: error }, 'database unavailable');
  } else {
    // Such a 400 means a value reached the database that a shape check should have refused first. The
    // database's message may quote the value, the URL may carry parameters: only the SQLSTATE
    // (PostgreSQL appendix A, class 22) and the route pattern are logged, so a secret never is.
    if (error instanceof ValueRejectedError) {
      request.log.warn(
        { sqlstate: error.sqlstate, route: request.routeOptions.url ?? '(no route)' },
        'database refused a value: a shape check is missing',
      );
    }
  }
}

/** Renders a PageError as the HTML error page with the page security headers. */
function renderPageError(reply: FastifyReply, error: PageError): string {
  const nonce = newNonce();
  reply.headers(error.headers);
  return sendPage(
    reply,
    error.status,
    nonce,
    errorPage({
      nonce,
      title: error.title,
      message: error.detail,
      status: error.status,
      code: error.code,
      ...(error.back && { back: error.back }),
    }),
  );
}

/** The page a browser sees for a failure that is not a PageError (body too large, database down, bug). */
function pageErrorFor(known: OAuthError | undefined): PageError {
  if (known === undefined) return pageError('PAGE_SERVER_ERROR');
  if (known.status === 503) return pageError('PAGE_UNAVAILABLE', { headers: known.headers });
  return pageError('PAGE_BAD_REQUEST', { headers: known.headers, status: known.status });
}

/**
 * Installs the JSON error and not-found handlers (token, revocation, introspection, discovery);
 * `metrics` counts the requests the database failed.
 */
export function installErrorHandler(app: FastifyInstance, metrics: Metrics): void {
  app.setErrorHandler(async (error, request, reply) => {
    if (error instanceof PageError) return renderPageError(reply, error);
    const known = toOAuthError(request, error);
    logFailure(request, error, known, metrics);
    const answer = known ?? oauthError('SERVER_ERROR', 'an unexpected error occurred');
    reply
      .code(answer.status)
      .headers(answer.headers)
      .header('content-type', 'application/json; charset=utf-8');
    return JSON.stringify({ error: answer.error, error_description: answer.description });
  });
  app.setNotFoundHandler(async (_request, reply) => {
    const answer = oauthError('NOT_FOUND', 'no such endpoint');
    reply.code(answer.status).header('content-type', 'application/json; charset=utf-8');
    return JSON.stringify({ error: answer.error, error_description: answer.description });
  });
}

/**
 * Installs, in the encapsulated context of the browser pages (sign-in, sign-up, consent, connected
 * apps), a handler that answers every failure as an HTML page with the page security headers: a body
 * too large, a database outage or a bug on a page never shows the browser raw JSON.
 */
export function installPageErrorHandler(pages: FastifyInstance, metrics: Metrics): void {
  pages.setErrorHandler(async (error, request, reply) => {
    if (error instanceof PageError) return renderPageError(reply, error);
    const known = toOAuthError(request, error);
    logFailure(request, error, known, metrics);
    return renderPageError(reply, pageErrorFor(known));
  });
}
