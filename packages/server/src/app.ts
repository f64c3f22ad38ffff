/** Builds the Fastify instance: body parsing, security headers, request logs, routes, error handler. */
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import type { ServerContext } from './context.js';
import { accountEndpoints } from './endpoints/account.js';
import { authorizeEndpoint } from './endpoints/authorize.js';
import { emailVerificationEndpoints } from './endpoints/email-verification.js';
import { faviconEndpoint } from './endpoints/favicon.js';
import { forgotPasswordEndpoints } from './endpoints/forgot-password.js';
import { healthEndpoints } from './endpoints/health.js';
import { introspectEndpoint } from './endpoints/introspect.js';
import { jwksEndpoint } from './endpoints/jwks.js';
import { loginEndpoints } from './endpoints/login.js';
import { logoutEndpoints } from './endpoints/logout.js';
import { metadataEndpoint } from './endpoints/metadata.js';
import { openIdConfigurationEndpoint } from './endpoints/openid-configuration.js';
import { portalEndpoints } from './endpoints/portal/index.js';
import { resetPasswordEndpoints } from './endpoints/reset-password.js';
import { revokeEndpoint } from './endpoints/revoke.js';
import { signupEndpoints } from './endpoints/signup.js';
import { tokenEndpoint } from './endpoints/token.js';
import { userinfoEndpoint } from './endpoints/userinfo.js';
import { ERRORS } from './errors.js';
import { installErrorHandler, installPageErrorHandler } from './http/error-handler.js';
import { clientErrorHandler, frameworkErrorHandler } from './http/framework-errors.js';
import { NO_STORE_HEADERS } from './http/no-store.js';
import { manageApi } from './manage/index.js';
import { installMetrics } from './metrics/endpoint.js';

/** RFC 9110 §15.5.14: request bodies above 64 KiB are refused with 413 before anything is read further. */
export const BODY_LIMIT = 64 * 1024;

const DRAINING_BODY = JSON.stringify({
  error: ERRORS.SHUTTING_DOWN.code,
  error_description: 'the server is shutting down; retry',
});

/** Creates the application; the caller listens or injects. */
export async function buildApp(ctx: ServerContext): Promise<FastifyInstance> {
  // Request lines (onResponse below) are the only logs that need a per-request id; above `info` there
  // are none, so every request shares the root logger instead of building a pino child per request.
  const requestLines = ctx.logger.isLevelEnabled('info');
  // RFC 9110 §15.5.9: a client gets LATCHKEY_REQUEST_TIMEOUT to send its whole request, headers and
  // body; after it Node answers 408 (http/framework-errors.ts) and closes, so a body dripped a byte at a
  // time cannot hold a connection open for minutes. Node checks connections every
  // `connectionsCheckingInterval` (30 s by default), so the check runs often enough for the timeout to
  // be kept within a second (test/framework-errors.test.ts). A connection that sends nothing at all is
  // not a request Node times: the socket's inactivity timeout (`connectionTimeout`) closes it after the
  // same time, so idle connections cannot hold the server's sockets (test/idle-connections.test.ts).
  const requestTimeout = ctx.config.requestTimeoutMs;
  const app = Fastify({
    requestTimeout,
    connectionTimeout: requestTimeout,
    http: {
      requestTimeout,
      headersTimeout: requestTimeout,
      connectionsCheckingInterval: Math.min(1_000, requestTimeout / 2),
    },
    loggerInstance: ctx.logger as FastifyBaseLogger,
    // Fastify's own request lines include the query string; ours (onResponse below) never do.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: BODY_LIMIT,
    trustProxy: ctx.config.trustProxy,
    // Fastify's own closing answer skips every hook (no no-store); the onRequest hook answers instead.
    return503OnClosing: false,
    frameworkErrors: frameworkErrorHandler,
    clientErrorHandler,
    childLoggerFactory: (logger, bindings, options) =>
      requestLines ? logger.child(bindings, options) : logger,
  });

  // Every body is read as text; each endpoint decides what it accepts (no JSON or nested parsing).
  app.removeAllContentTypeParsers();
  const asText = (
    _request: unknown,
    body: string | Buffer,
    done: (error: null, body: string | Buffer) => void,
  ) => done(null, body);
  // The form type by exact match first (the hot path), everything else through the catch-all.
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, asText);
  app.addContentTypeParser('*', { parseAs: 'string' }, asText);

  app.addHook('onRequest', async (_request, reply) => {
    ctx.inFlight.enter();
    reply.headers(NO_STORE_HEADERS).header('x-content-type-options', 'nosniff');
    if (ctx.inFlight.draining) {
      // A request on a kept-alive connection while shutting down: a retryable no-store 503, then close.
      return reply
        .code(ERRORS.SHUTTING_DOWN.status)
        .header('connection', 'close')
        .header('retry-after', '1')
        .header('content-type', 'application/json; charset=utf-8')
        .send(DRAINING_BODY);
    }
  });
  app.addHook('onSend', async (_request, _reply, payload) => {
    ctx.inFlight.leave();
    return payload;
  });
  if (ctx.logger.isLevelEnabled('info')) {
    app.addHook('onResponse', async (request, reply) => {
      // Path only: a query string may carry something that must never be logged.
      request.log.info(
        {
          method: request.method,
          path: request.url.split('?', 1)[0],
          status: reply.statusCode,
          ms: Math.round(reply.elapsedTime * 10) / 10,
        },
        'request',
      );
    });
  }

  // Before the pages are registered, so its request hook counts theirs too.
  installMetrics(app, ctx.metrics, ctx.config.metrics.where === 'main');
  installErrorHandler(app, ctx.metrics);
  healthEndpoints(app, ctx);
  metadataEndpoint(app, ctx);
  openIdConfigurationEndpoint(app, ctx);
  jwksEndpoint(app, ctx);
  faviconEndpoint(app);
  tokenEndpoint(app, ctx);
  revokeEndpoint(app, ctx);
  introspectEndpoint(app, ctx);
  userinfoEndpoint(app, ctx);
  await manageApi(app, ctx);
  // The browser pages in their own context, whose errors are HTML pages, not JSON.
  await app.register(async (pages) => {
    installPageErrorHandler(pages, ctx.metrics);
    authorizeEndpoint(pages, ctx);
    loginEndpoints(pages, ctx);
    logoutEndpoints(pages, ctx);
    signupEndpoints(pages, ctx);
    accountEndpoints(pages, ctx);
    forgotPasswordEndpoints(pages, ctx);
    resetPasswordEndpoints(pages, ctx);
    emailVerificationEndpoints(pages, ctx);
    portalEndpoints(pages, ctx);
  });
  return app;
}
