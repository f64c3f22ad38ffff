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
   * Autodesk Platform Services, authentication v2: Basic client authentication.
   * @see https://aps.autodesk.com/en/docs/oauth/v2/reference/http/
   */
  autodesk(): ProviderPreset {
    return {
      issuer: 'https://developer.api.autodesk.com',
      authorizationEndpoint: `${APS}/authorize`,
      tokenEndpoint: `${APS}/token`,
      revocationEndpoint: `${APS}/revoke`,
      introspectionEndpoint: `${APS}/introspect`,
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
