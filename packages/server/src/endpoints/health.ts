/** GET /healthz (process alive) and GET /readyz (database reachable; 503 when not). */
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import type { ServerContext } from '../context.js';

/** Registers the health endpoints. */
export function healthEndpoints(app: FastifyInstance, ctx: ServerContext): void {
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    try {
      await sql`select 1`.execute(ctx.db);
      return { status: 'ready' };
    } catch {
      reply.code(503);
      return { status: 'unavailable', reason: 'database unreachable' };
    }
  });
}
