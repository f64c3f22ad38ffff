/** POST /oauth/revoke: token revocation (RFC 7009), client authentication required. */
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context.js';
import { requireParam } from '../http/form.js';
import { readClientRequest, rejectOtherMethods } from '../http/request.js';
import { verifyOwnAccessToken } from '../tokens/verify-access-token.js';

/** Path of the revocation endpoint. */
export const REVOKE_PATH = '/oauth/revoke';

/**
 * Revokes a refresh token (and with it the whole grant) or an access token (by `jti`). Unknown tokens,
 * tokens already revoked and tokens of other clients all answer 200 and change nothing
 * (RFC 7009 §2.2: the client cannot learn anything from the answer).
 * @see https://www.rfc-editor.org/rfc/rfc7009#section-2.1
 */
export function revokeEndpoint(app: FastifyInstance, ctx: ServerContext): void {
  app.post(REVOKE_PATH, async (request, reply) => {
    const { params, client } = await readClientRequest(ctx, request);
    const token = requireParam(params, 'token');
    // token_type_hint only orders the look-ups (§2.1); both kinds are tried.
    const refresh = await ctx.refreshTokens.find(token);
    if (refresh) {
      if (refresh.clientId === client.id) await ctx.revocations.revokeGrant(refresh.grantId, client.id);
    } else {
      const claims = verifyOwnAccessToken(ctx.keys, ctx.config.issuer, token);
      if (claims && claims.client_id === client.id)
        await ctx.revocations.revokeAccessToken(claims.jti, claims.exp);
    }
    reply.code(200).header('content-type', 'application/json; charset=utf-8');
    return '{}';
  });
  rejectOtherMethods(app, REVOKE_PATH, ['POST']);
}
