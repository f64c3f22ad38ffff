/** GET /healthz (process alive) and GET /readyz (database answering; 503 when not, within 2 s). */
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import type { ServerContext } from '../context.js';

/**
 * How long /readyz waits for the database (ms): a probe answers within its own timeout (commonly 1 s to
 * a few seconds) whatever the database deadline, and a database that does not answer in this time is
 * not ready (test/database-deadlines.test.ts).
 */
export const READY_DEADLINE_MS = 1500;

/** Resolves `true` when the database answers a query within `ms`, `false` when it fails or is late. */
async function answersWithin(ctx: ServerContext, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  // A late query keeps running until its own deadline; its failure then has nobody to tell.
  const query = sql`select 1`.execute(ctx.db).then(
    () => true,
    () => false,
  );
  try {
    return await Promise.race([query, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Registers the health endpoints. */
export function healthEndpoints(app: FastifyInstance, ctx: ServerContext): void {
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    if (await answersWithin(ctx, Math.min(READY_DEADLINE_MS, ctx.config.databaseTimeoutMs))) {
      return { status: 'ready' };
    }
    reply.code(503).header('retry-after', '1');
    return { status: 'unavailable', reason: 'database unreachable' };
  });
}
