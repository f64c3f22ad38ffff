/**
 * The management API under `/manage/v1` (JSON; RFC 9457 problem details): what the developer portal's
 * pages do, for a developer's own tooling. Its own Fastify context, so its failures are problems, not
 * OAuth errors or HTML pages. Described by the OpenAPI document at `/manage/v1/openapi.json`.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ServerContext } from '../context.js';
import { logFailure, toOAuthError } from '../http/error-handler.js';
import type { Metrics } from '../metrics/metrics.js';
import { OPENAPI_PATH, openApiDocument } from './openapi.js';
import { type ManageProblem, PROBLEM_TYPE, problem } from './problems.js';
import { activityRoutes } from './routes/activity-routes.js';
import { appRoutes } from './routes/app-routes.js';
import { collaboratorRoutes } from './routes/collaborator-routes.js';
import { secretRoutes } from './routes/secret-routes.js';

/** The prefix of every management route. */
export const MANAGE_PREFIX = '/manage/v1';

/** The problem that answers a failure a route did not answer itself. */
function asProblem(request: FastifyRequest, error: unknown, metrics: Metrics): ManageProblem {
  if (error instanceof Error && error.name === 'ManageProblem') return error as ManageProblem;
  const known = toOAuthError(request, error);
  logFailure(request, error, known, metrics);
  if (known === undefined)
    return problem('MANAGE_SERVER_ERROR', 'an unexpected error occurred; nothing was changed');
  if (known.status === 503) return problem('MANAGE_UNAVAILABLE', known.description, {}, known.headers);
  // Registration rules (RFC 7591 §3.2.2) and unreadable bodies: the developer's to fix.
  const field = known.error === 'invalid_redirect_uri' ? { field: 'redirect_uris' } : {};
  return problem('MANAGE_INVALID_BODY', known.description, field, {}, known.status);
}

/** Registers the management API in its own context. */
export async function manageApi(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  await app.register(
    async (api) => {
      api.setErrorHandler(async (error, request, reply) => {
        const answer = asProblem(request, error, ctx.metrics);
        reply.code(answer.status).headers(answer.headers).header('content-type', PROBLEM_TYPE);
        return JSON.stringify(answer.body());
      });
      api.setNotFoundHandler(async (request, reply) => {
        const answer = problem(
          'MANAGE_NOT_FOUND',
          `no route ${request.method} ${request.url.split('?', 1)[0]}`,
        );
        reply.code(answer.status).header('content-type', PROBLEM_TYPE);
        return JSON.stringify(answer.body());
      });
      const document = JSON.stringify(openApiDocument(ctx.config.issuer));
      api.get(OPENAPI_PATH, async (_request, reply) => {
        reply.header('content-type', 'application/json; charset=utf-8');
        return document;
      });
      appRoutes(api, ctx);
      secretRoutes(api, ctx);
      collaboratorRoutes(api, ctx);
      activityRoutes(api, ctx);
    },
    { prefix: MANAGE_PREFIX },
  );
}
