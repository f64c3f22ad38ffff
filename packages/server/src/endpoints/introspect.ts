/** POST /oauth/introspect: token introspection (RFC 7662) for authenticated clients. */
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context.js';
import { requireParam } from '../shared/form.js';
import { readClientRequest, rejectOtherMethods } from '../shared/request.js';
import type { ClientWithSecrets } from '../storage/clients.js';
import { verifyOwnAccessToken } from '../tokens/verify-access-token.js';

/** Path of the introspection endpoint. */
export const INTROSPECT_PATH = '/oauth/introspect';

const INACTIVE = '{"active":false}';

async function introspect(
  ctx: ServerContext,
  client: ClientWithSecrets,
  token: string,
): Promise<Record<string, unknown> | undefined> {
  const claims = verifyOwnAccessToken(ctx.keys, ctx.config.issuer, token);
  if (claims) {
    if (await ctx.grants.accessTokenRevoked(claims.jti)) return undefined;
    // A token of a revoked grant is inactive although its JWT is unexpired.
    if (claims.gid !== undefined && !(await ctx.grants.grantActive(claims.gid))) return undefined;
    const { gid: _gid, ...rest } = claims;
    return { active: true, token_type: 'Bearer', ...rest };
  }
  const refresh = await ctx.grants.findRefreshToken(token);
  // Refresh tokens are described only to the client that holds them.
  if (!refresh?.active || refresh.clientId !== client.id) return undefined;
  return {
    active: true,
    token_type: 'refresh_token',
    client_id: refresh.clientId,
    sub: refresh.userId,
    scope: refresh.scopes.join(' '),
    exp: refresh.expiresAt,
    iss: ctx.config.issuer,
  };
}

/**
 * Answers `{"active":false}` and nothing more for expired, revoked, unknown and foreign tokens.
 * @see https://www.rfc-editor.org/rfc/rfc7662#section-2.2
 */
export function introspectEndpoint(app: FastifyInstance, ctx: ServerContext): void {
  app.post(INTROSPECT_PATH, async (request, reply) => {
    const { params, client } = await readClientRequest(ctx, request);
    const result = await introspect(ctx, client, requireParam(params, 'token'));
    reply.header('content-type', 'application/json; charset=utf-8');
    return result ? JSON.stringify(result) : INACTIVE;
  });
  rejectOtherMethods(app, INTROSPECT_PATH, ['POST']);
}
