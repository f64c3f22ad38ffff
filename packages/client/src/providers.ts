// Provider presets: plain data describing well-known authorization servers.

import type { ProviderPreset } from './options.js';

const APS = 'https://developer.api.autodesk.com/authentication/v2';

/**
 * Presets for well-known providers. Spread one into the client options:
 * `new OAuthClient({ ...providers.autodesk(), clientId, clientSecret })`.
 * @see https://www.rfc-editor.org/rfc/rfc8414#section-2
 */
export const providers = {
  /**
   * Autodesk Platform Services, authentication v2: Basic client authentication, and its OpenID
   * Connect endpoints as its discovery document and references give them: ID tokens signed RS256
   * with the keys at `/authentication/v2/keys`, UserInfo on the User Profile API host, logout at
   * `/authentication/v2/logout` (it takes `post_logout_redirect_uri`, pre-registered with APS).
   * @see https://aps.autodesk.com/en/docs/oauth/v2/reference/http/
   * @see https://aps.autodesk.com/en/docs/oauth/v2/reference/http/openid-GET
   * @see https://aps.autodesk.com/en/docs/profile/v2/tutorials/tutorial_01/task2/
   */
  autodesk(): ProviderPreset {
    return {
      issuer: 'https://developer.api.autodesk.com',
      authorizationEndpoint: `${APS}/authorize`,
      tokenEndpoint: `${APS}/token`,
      revocationEndpoint: `${APS}/revoke`,
      introspectionEndpoint: `${APS}/introspect`,
      jwksUri: `${APS}/keys`,
      userinfoEndpoint: 'https://api.aps.autodesk.com/userinfo',
      endSessionEndpoint: `${APS}/logout`,
      authMethod: 'client_secret_basic',
    };
  },
  /**
   * Lokalise: its token endpoint takes a JSON body carrying `client_id` and `client_secret`.
   * @see https://developers.lokalise.com/reference/lokalise-rest-api#oauth-2-flow
   */
  lokalise(): ProviderPreset {
    return {
      authorizationEndpoint: 'https://app.lokalise.com/oauth2/auth',
      tokenEndpoint: 'https://app.lokalise.com/oauth2/token',
      authMethod: 'client_secret_post',
      tokenRequestEncoding: 'json',
    };
  },
  /**
   * A Latchkey server, configured by discovery: use with `OAuthClient.create(...)`.
   * @see https://www.rfc-editor.org/rfc/rfc8414#section-3
   */
  latchkey(issuer: string): ProviderPreset {
    return { issuer };
  },
};
