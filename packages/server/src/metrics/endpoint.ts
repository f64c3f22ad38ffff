/**
 * GET /metrics (Prometheus text format) on the main listener (LATCHKEY_METRICS=true) or on a listener
 * of its own (LATCHKEY_METRICS_PORT), and the hook that counts every answered request.
 */
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import type { Metrics } from './metrics.js';

/** The path of the metrics document, on either listener. */
export const METRICS_PATH = '/metrics';

/** Serves the exposition of `metrics` at GET (and HEAD) /metrics. */
function metricsRoute(app: FastifyInstance, metrics: Metrics): void {
  app.get(METRICS_PATH, async (_request, reply) => {
    const { contentType, body } = await metrics.exposition();
    reply.header('content-type', contentType);
    return body;
  });
}

/**
 * Counts every answered request by method, route pattern and status (never the URL: a label per
 * distinct path would let any client grow the series without bound, and a path or query may carry
 * what must not be kept), and serves /metrics here when `onMain`. Does nothing when metrics are off,
 * so the hot path pays nothing for them then.
 */
export function installMetrics(app: FastifyInstance, metrics: Metrics, onMain: boolean): void {
  if (!metrics.enabled) return;
  // A callback hook, not an async one: no promise per request.
  app.addHook('onResponse', (request, reply, done) => {
    metrics.request(request.method, request.routeOptions.url, reply.statusCode);
    done();
  });
  if (onMain) metricsRoute(app, metrics);
}

/**
 * The listener of LATCHKEY_METRICS_PORT: /metrics and nothing else (any other path is a 404), with the
 * main listener's limit on the time to send a request. The caller listens (startup/start.ts).
 */
export async function metricsApp(
  metrics: Metrics,
  options: { logger: FastifyBaseLogger; requestTimeoutMs: number },
): Promise<FastifyInstance> {
  const { requestTimeoutMs } = options;
  const app = Fastify({
    loggerInstance: options.logger,
    logController: new LogController({ disableRequestLogging: true }),
    requestTimeout: requestTimeoutMs,
    connectionTimeout: requestTimeoutMs,
  });
  metricsRoute(app, metrics);
  await app.ready();
  return app;
}
