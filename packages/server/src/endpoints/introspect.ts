/** POST /oauth/introspect: token introspection (RFC 7662) for authenticated clients. */
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context.js';
import { requireParam } from '../http/form.js';
import { readClientRequest, rejectOtherMethods } from '../http/request.js';
import { accessTokenActive } from '../oauth/access-token-state.js';
import { oauthError } from '../oauth/errors.js';
import { subjectFor } from '../oidc/subject.js';
import type { ClientWithSecrets } from '../storage/clients.js';
import type { AccessTokenClaims } from '../tokens/access-token.js';
import { verifyOwnAccessToken } from '../tokens/verify-access-token.js';

/** Path of the introspection endpoint. */
export const INTROSPECT_PATH = '/oauth/introspect';

const INACTIVE = '{"active":false}';

/**
 * Whether `client` may learn about an access token: the client it was issued to, or an app registered
 * as a resource server. RFC 7662 §4: the server must decide who may introspect, so that a client cannot
 * scan tokens it was never given; to anyone else the token is simply not active.
 */
function mayDescribe(client: ClientWithSecrets, claims: AccessTokenClaims): boolean {
  return claims.client_id === client.id || client.resourceServer;
}

async function introspect(
  ctx: ServerContext,
  client: ClientWithSecrets,
  token: string,
): Promise<Record<string, unknown> | undefined> {
  const claims = verifyOwnAccessToken(ctx.keys, ctx.config.issuer, token);
  if (claims) {
    if (!mayDescribe(client, claims) || !(await accessTokenActive(ctx, claims, client.id))) return undefined;
    const { gid: _gid, ...rest } = claims;
    return { active: true, token_type: 'Bearer', ...rest };
  }
  const refresh = await ctx.refreshTokens.find(token);
  // Refresh tokens are described only to the client that holds them (never sent to resource servers).
  if (!refresh?.active || refresh.clientId !== client.id) return undefined;
  return {
    active: true,
    token_type: 'refresh_token',
    client_id: refresh.clientId,
    // The access tokens' `sub`: the user's subject identifier for this app (OIDC Core §8).
    sub: subjectFor(client, refresh.userId, ctx.pairwiseKey),
    scope: refresh.scopes.join(' '),
    exp: refresh.expiresAt,
    iss: ctx.config.issuer,
  };
}

/**
 * Answers `{"active":false}` and nothing more for expired, revoked, unknown and foreign tokens, and for
 * tokens the caller may not see. Public clients cannot authenticate, so they cannot introspect.
 * @see https://www.rfc-editor.org/rfc/rfc7662#section-2.2
 */
export function introspectEndpoint(app: FastifyInstance, ctx: ServerContext): void {
  app.post(INTROSPECT_PATH, async (request, reply) => {
    const { params, client } = await readClientRequest(ctx, request);
    // RFC 7662 §2.1: the endpoint MUST require authorization; a client_id alone proves nothing.
    if (client.isPublic) throw oauthError('INVALID_CLIENT', 'public clients cannot use introspection');
    const result = await introspect(ctx, client, requireParam(params, 'token'));
    reply.header('content-type', 'application/json; charset=utf-8');
    return result ? JSON.stringify(result) : INACTIVE;
  });
  rejectOtherMethods(app, INTROSPECT_PATH, ['POST']);
}
