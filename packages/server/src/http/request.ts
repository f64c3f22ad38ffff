/** Request checks shared by the form-posting endpoints (token, revoke, introspect). */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ServerContext } from '../context.js';
import type { ClientClaim } from '../oauth/client-auth.js';
import { oauthError } from '../oauth/errors.js';
import type { ClientWithSecrets } from '../storage/clients.js';
import { type Params, parseForm } from './form.js';

const FORM = /^application\/x-www-form-urlencoded(\s*;.*)?$/i;

/**
 * The body as form parameters. Any other media type (JSON included) is `invalid_request`.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-3.2
 */
export function readForm(request: FastifyRequest): Params {
  const type = request.headers['content-type'];
  if (type === undefined || !FORM.test(type)) {
    throw oauthError('INVALID_REQUEST', 'the body must be application/x-www-form-urlencoded');
  }
  return parseForm(typeof request.body === 'string' ? request.body : '');
}

/**
 * Credentials in the URL end up in logs and histories: these endpoints refuse any query string.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-2.3.1 ("MUST NOT be included in the request URI")
 */
export function rejectQueryCredentials(url: string): void {
  if (url.includes('?'))
    throw oauthError('INVALID_REQUEST', 'parameters must be sent in the request body, not the URL');
}

/**
 * The first steps of every client-authenticated endpoint (token, revocation, introspection): no query
 * string, a strict form body, then client authentication (RFC 6749 §2.3, RFC 7009 §2.1, RFC 7662 §2.1).
 * `claim` learns the app the credentials name (oauth/client-auth.ts), for Recent errors.
 */
export async function readClientRequest(
  ctx: ServerContext,
  request: FastifyRequest,
  claim?: ClientClaim,
): Promise<{ params: Params; client: ClientWithSecrets }> {
  rejectQueryCredentials(request.url);
  const params = readForm(request);
  const client = await ctx.authenticator.authenticate({
    authorization: request.headers.authorization,
    params,
    ip: request.ip,
    claim,
  });
  return { params, client };
}

/** Answers 405 with `Allow` for every other method on a path. */
export function rejectOtherMethods(app: FastifyInstance, path: string, allowed: string[]): void {
  const methods = ['GET', 'PUT', 'DELETE', 'PATCH'].filter((m) => !allowed.includes(m));
  app.route({
    method: methods,
    url: path,
    handler: async () => {
      throw oauthError('METHOD_NOT_ALLOWED', `use ${allowed.join(', ')}`, { allow: allowed.join(', ') });
    },
  });
}
