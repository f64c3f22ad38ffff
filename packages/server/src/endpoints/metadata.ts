/** GET /.well-known/oauth-authorization-server: authorization server metadata (RFC 8414). */
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context.js';
import { GRANT_TYPE_NAMES } from '../grants/index.js';
import { CLIENT_AUTH_METHODS } from '../oauth/client-auth.js';
import { RESPONSE_MODES } from '../oidc/authorize-params.js';
import { AUTHORIZE_PATH } from './authorize.js';
import { INTROSPECT_PATH } from './introspect.js';
import { JWKS_PATH } from './jwks.js';
import { END_SESSION_PATH } from './logout.js';
import { REVOKE_PATH } from './revoke.js';
import { TOKEN_PATH } from './token.js';
import { USERINFO_PATH } from './userinfo.js';

/**
 * Builds the metadata document (RFC 8414 §2). Later endpoints add their members here; the OpenID
 * Provider document (endpoints/openid-configuration.ts) repeats every one with the same value.
 */
export function buildMetadata(ctx: ServerContext): Record<string, unknown> {
  const { issuer } = ctx.config;
  return {
    issuer,
    authorization_endpoint: `${issuer}${AUTHORIZE_PATH}`,
    token_endpoint: `${issuer}${TOKEN_PATH}`,
    revocation_endpoint: `${issuer}${REVOKE_PATH}`,
    introspection_endpoint: `${issuer}${INTROSPECT_PATH}`,
    jwks_uri: `${issuer}${JWKS_PATH}`,
    // OIDC Core §5.3 (also in /.well-known/openid-configuration, with the same value).
    userinfo_endpoint: `${issuer}${USERINFO_PATH}`,
    // RP-Initiated Logout 1.0 §2.1 (registered for RFC 8414 documents too), so a client that reads only
    // this document finds where to sign users out.
    end_session_endpoint: `${issuer}${END_SESSION_PATH}`,
    grant_types_supported: GRANT_TYPE_NAMES,
    token_endpoint_auth_methods_supported: [...CLIENT_AUTH_METHODS],
    scopes_supported: ctx.config.scopes,
    response_types_supported: ['code'],
    // OAuth 2.0 Form Post Response Mode: `form_post` beside the default `query`.
    response_modes_supported: [...RESPONSE_MODES],
    code_challenge_methods_supported: ['S256'],
    authorization_response_iss_parameter_supported: true,
    revocation_endpoint_auth_methods_supported: [...CLIENT_AUTH_METHODS],
    introspection_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
  };
}

/**
 * Serves the metadata, computed once at start.
 * @see https://www.rfc-editor.org/rfc/rfc8414#section-3
 */
export function metadataEndpoint(app: FastifyInstance, ctx: ServerContext): void {
  const body = JSON.stringify(buildMetadata(ctx));
  app.get('/.well-known/oauth-authorization-server', async (_request, reply) => {
    reply
      .header('content-type', 'application/json; charset=utf-8')
      .header('cache-control', 'public, max-age=300');
    return body;
  });
}
