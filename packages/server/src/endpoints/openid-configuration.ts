/** GET /.well-known/openid-configuration: OpenID Provider metadata (OIDC Discovery 1.0 §4). */
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context.js';
import { openIdProviderMembers } from '../oidc/discovery.js';
import { END_SESSION_PATH } from './logout.js';
import { buildMetadata } from './metadata.js';

/** Where OIDC Discovery 1.0 §4.1 puts the document, under the issuer. */
export const OPENID_CONFIGURATION_PATH = '/.well-known/openid-configuration';

/**
 * The document: every RFC 8414 member of /.well-known/oauth-authorization-server, the same values
 * (one issuer, the same endpoints), and the OpenID Provider's own (OIDC Discovery 1.0 §3).
 */
export function buildOpenIdConfiguration(ctx: ServerContext): Record<string, unknown> {
  return {
    ...buildMetadata(ctx),
    ...openIdProviderMembers({
      endSessionEndpoint: `${ctx.config.issuer}${END_SESSION_PATH}`,
      signupEnabled: ctx.config.signupEnabled,
    }),
  };
}

/**
 * Serves the document, computed once at start.
 * @see https://openid.net/specs/openid-connect-discovery-1_0.html#ProviderConfig
 */
export function openIdConfigurationEndpoint(app: FastifyInstance, ctx: ServerContext): void {
  const body = JSON.stringify(buildOpenIdConfiguration(ctx));
  app.get(OPENID_CONFIGURATION_PATH, async (_request, reply) => {
    reply
      .header('content-type', 'application/json; charset=utf-8')
      .header('cache-control', 'public, max-age=300');
    return body;
  });
}
