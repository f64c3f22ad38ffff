/** GET /.well-known/jwks.json: the public signing keys (RFC 7517 §5). */
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context.js';

/** Path of the JWKS. */
export const JWKS_PATH = '/.well-known/jwks.json';

/**
 * Serves public keys only: active, next (published before it signs) and retired keys until the tokens
 * they signed have expired. Cached briefly; a next key is published long before it signs.
 */
export function jwksEndpoint(app: FastifyInstance, ctx: ServerContext): void {
  app.get(JWKS_PATH, async (_request, reply) => {
    reply.header('content-type', 'application/jwk-set+json').header('cache-control', 'public, max-age=60');
    return ctx.keys.jwksJson;
  });
}
