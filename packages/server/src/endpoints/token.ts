/** POST /oauth/token: authenticate the client, check the grant, issue tokens (RFC 6749 §3.2, §5). */
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context.js';
import { GRANT_TYPES, type GrantHandler, type TokenResponse } from '../grants/index.js';
import { printable, requireParam } from '../http/form.js';
import { readClientRequest, rejectOtherMethods } from '../http/request.js';
import type { ClientClaim } from '../oauth/client-auth.js';
import { oauthError } from '../oauth/errors.js';
import type { ClientWithSecrets } from '../storage/clients.js';

/** Path of the token endpoint. */
export const TOKEN_PATH = '/oauth/token';

/** RFC 6749 §5.2: a grant the server does not know, or one this client was not registered for. */
function checkGrantAllowed(client: ClientWithSecrets, grantType: string): GrantHandler {
  const handler = GRANT_TYPES.get(grantType)?.handler;
  if (!handler)
    throw oauthError('UNSUPPORTED_GRANT_TYPE', `grant_type "${printable(grantType)}" is not supported`);
  if (!client.grantTypes.includes(grantType)) {
    throw oauthError(
      'UNAUTHORIZED_CLIENT',
      `this client is not allowed to use grant_type "${grantType}"`,
    ).because(
      `this app is not registered for grant_type ${grantType} (its grants: ${client.grantTypes.join(', ') || 'none'})`,
    );
  }
  return handler;
}

/** Registers the token endpoint. */
export function tokenEndpoint(app: FastifyInstance, ctx: ServerContext): void {
  app.post(TOKEN_PATH, async (request, reply) => {
    const started = performance.now();
    // The app the request names, for its Recent errors (activity/error-recorder.ts).
    const claim: ClientClaim = { clientId: undefined, known: false };
    let named: string | undefined;
    try {
      const { params, client } = await readClientRequest(ctx, request, claim);
      const grantType = requireParam(params, 'grant_type');
      named = grantType;
      const issue = checkGrantAllowed(client, grantType);
      // From here `grantType` is a name of the grant catalogue: a bounded metrics label.
      let response: TokenResponse;
      try {
        response = await issue(ctx, client, params);
      } catch (error) {
        ctx.metrics.tokenRequest(grantType, (performance.now() - started) / 1000, 'failed');
        throw error;
      }
      ctx.metrics.tokenRequest(grantType, (performance.now() - started) / 1000, 'issued');
      ctx.usage.issued(client.id, grantType);
      reply.header('content-type', 'application/json; charset=utf-8');
      return JSON.stringify(response);
    } catch (error) {
      const supported = named !== undefined && GRANT_TYPES.has(named) ? named : undefined;
      ctx.recentErrors.failed(claim, 'token', supported, error);
      throw error;
    }
  });
  rejectOtherMethods(app, TOKEN_PATH, ['POST']);
}
