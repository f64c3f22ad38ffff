/**
 * The grant catalogue: every `grant_type` the server supports, with its handler and what registering an
 * app for it requires. The token endpoint dispatches on it, the metadata document advertises it
 * (RFC 8414 §2 `grant_types_supported`) and app registration validates against it: a new grant is
 * added here, in one place.
 */
import { authorizationCodeGrant } from './authorization-code.js';
import { clientCredentialsGrant } from './client-credentials.js';
import type { GrantHandler } from './grant.js';
import { refreshTokenGrant } from './refresh-token.js';

/** One supported grant type. */
export interface GrantType {
  /** Issues the tokens of this grant for an authenticated client allowed to use it. */
  handler: GrantHandler;
  /** Whether a public app (no secret) may use it (RFC 6749 §4.4: client credentials may not). */
  publicClients: boolean;
  /** Whether an app using it needs a registered redirect URI (RFC 6749 §3.1.2). */
  needsRedirectUri: boolean;
  /** Given to a new app that names no grants: always, or when it registers a redirect URI. */
  byDefault: 'always' | 'with-redirect-uri';
}

/** Every supported grant type by `grant_type`, in the order the metadata lists them. */
export const GRANT_TYPES: ReadonlyMap<string, GrantType> = new Map<string, GrantType>([
  [
    'authorization_code',
    {
      handler: authorizationCodeGrant,
      publicClients: true,
      needsRedirectUri: true,
      byDefault: 'with-redirect-uri',
    },
  ],
  [
    'client_credentials',
    { handler: clientCredentialsGrant, publicClients: false, needsRedirectUri: false, byDefault: 'always' },
  ],
  [
    'refresh_token',
    {
      handler: refreshTokenGrant,
      publicClients: true,
      needsRedirectUri: false,
      byDefault: 'with-redirect-uri',
    },
  ],
]);

/** The names of every supported grant type (`grant_types_supported`). */
export const GRANT_TYPE_NAMES: readonly string[] = [...GRANT_TYPES.keys()];

/**
 * The grants a new app gets when it names none: those given always (not to a public app if it may not
 * use them), then, with a redirect URI, the three-legged ones.
 */
export function defaultGrantTypes(isPublic: boolean, hasRedirectUri: boolean): string[] {
  const eligible = [...GRANT_TYPES].filter(([, grant]) => grant.publicClients || !isPublic);
  return [
    ...eligible.filter(([, grant]) => grant.byDefault === 'always'),
    ...(hasRedirectUri ? eligible.filter(([, grant]) => grant.byDefault === 'with-redirect-uri') : []),
  ].map(([name]) => name);
}

export type { GrantHandler, TokenResponse } from './grant.js';
