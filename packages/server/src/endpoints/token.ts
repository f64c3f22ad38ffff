/** POST /oauth/token: authenticate the client, check the grant, issue tokens (RFC 6749 §3.2, §5). */
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context.js';
import { authorizationCodeGrant } from '../grants/authorization-code.js';
import { clientCredentialsGrant } from '../grants/client-credentials.js';
import type { GrantHandler } from '../grants/grant.js';
import { refreshTokenGrant } from '../grants/refresh-token.js';
import { printable, requireParam } from '../http/form.js';
import { readClientRequest, rejectOtherMethods } from '../http/request.js';
import { unauthorizedClient, unsupportedGrantType } from '../oauth/errors.js';
import type { ClientWithSecrets } from '../storage/clients.js';

/** Path of the token endpoint. */
export const TOKEN_PATH = '/oauth/token';

/** Grant handlers by `grant_type`. Later grants register here. */
export const GRANTS = new Map<string, GrantHandler>([
  ['authorization_code', authorizationCodeGrant],
  ['client_credentials', clientCredentialsGrant],
  ['refresh_token', refreshTokenGrant],
]);

function checkGrantAllowed(client: ClientWithSecrets, grantType: string): GrantHandler {
  const handler = GRANTS.get(grantType);
  if (!handler) throw unsupportedGrantType(`grant_type "${printable(grantType)}" is not supported`);
  if (!client.grantTypes.includes(grantType)) {
    throw unauthorizedClient(`this client is not allowed to use grant_type "${grantType}"`);
  }
  return handler;
}

/** Registers the token endpoint. */
export function tokenEndpoint(app: FastifyInstance, ctx: ServerContext): void {
  app.post(TOKEN_PATH, async (request, reply) => {
    const { params, client } = await readClientRequest(ctx, request);
    const grantType = requireParam(params, 'grant_type');
    const issue = checkGrantAllowed(client, grantType);
    const response = await issue(ctx, client, params);
    reply.header('content-type', 'application/json; charset=utf-8');
    return JSON.stringify(response);
  });
  rejectOtherMethods(app, TOKEN_PATH, ['POST']);
}
