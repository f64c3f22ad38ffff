/** The single error serializer: `{error, error_description}` for every failure, never a stack or a secret. */
import type { FastifyError, FastifyInstance } from 'fastify';
import { errorPage } from '../pages/error.js';
import { isDatabaseUnavailable, isDataException } from './database-errors.js';
import { invalidRequest, OAuthError, temporarilyUnavailable } from './errors.js';
import { PageError } from './page-errors.js';
import { newNonce, sendPage } from './page-security.js';

/**
 * The SQLSTATE of a data exception that storage/database.ts turned into a 400, or undefined. Such a 400
 * means a value reached the database that a shape check should have refused first.
 */
function dataExceptionCode(error: unknown): string | undefined {
  if (!(error instanceof OAuthError)) return undefined;
  const cause = (error as { cause?: unknown }).cause;
  return isDataException(cause) ? (cause as { code: string }).code : undefined;
}

function toOAuthError(error: unknown): OAuthError | undefined {
  if (error instanceof OAuthError) return error;
  if (isDatabaseUnavailable(error)) return temporarilyUnavailable();
  const status = (error as FastifyError).statusCode;
  // Fastify's own 4xx (body too large, bad Content-Length, bad media type): bad input, never a 500.
  if (typeof status === 'number' && status >= 400 && status < 500) {
    const code = (error as FastifyError).code;
    const description =
      code === 'FST_ERR_CTP_BODY_TOO_LARGE' ? 'request body is too large' : 'the request could not be read';
    return invalidRequest(description, status);
  }
  return undefined;
}

/** Installs the error and not-found handlers. */
export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler(async (error, request, reply) => {
    if (error instanceof PageError) {
      const nonce = newNonce();
      reply.headers(error.headers);
      return sendPage(
        reply,
        error.status,
        nonce,
        errorPage({ nonce, title: error.title, message: error.detail, status: error.status }),
      );
    }
    const known = toOAuthError(error);
    if (known === undefined) {
      request.log.error({ err: error }, 'unexpected error');
    } else if (known.status === 503) {
      request.log.warn({ err: error }, 'database unavailable');
    } else {
      const sqlstate = dataExceptionCode(error);
      // The database's message may quote the value, the URL may carry parameters: only the SQLSTATE
      // (PostgreSQL appendix A, class 22) and the route pattern are logged, so a secret never is.
      if (sqlstate !== undefined) {
        request.log.warn(
          { sqlstate, route: request.routeOptions.url ?? '(no route)' },
          'database refused a value: a shape check is missing',
        );
      }
    }
    const answer = known ?? new OAuthError('server_error', 'an unexpected error occurred', 500);
    reply
      .code(answer.status)
      .headers(answer.headers)
      .header('content-type', 'application/json; charset=utf-8');
    return JSON.stringify({ error: answer.error, error_description: answer.description });
  });
  app.setNotFoundHandler(async (_request, reply) => {
    reply.code(404).header('content-type', 'application/json; charset=utf-8');
    return JSON.stringify({ error: 'not_found', error_description: 'no such endpoint' });
  });
}
