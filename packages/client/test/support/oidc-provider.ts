// Test helper: a real oidc-provider on 127.0.0.1 (ephemeral port) with a confidential test client.

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The test client's credentials; the secret has VSCHAR characters that RFC 6749 §2.3.1 form-encodes. */
export const CLIENT = {
  clientId: 'sdk-app',
  clientSecret: 'se cr:et+/%&=',
  redirectUri: 'http://127.0.0.1:7777/cb',
};
/** The resource server whose tokens are JWTs (RFC 8707 + RFC 9068). */
export const API = 'https://api.example.test';

/** A running provider. */
export interface RunningProvider {
  issuer: string;
  /** POST /token requests seen by the server. */
  counts: { token: number };
  close(): Promise<void>;
}

/** Starts oidc-provider with client credentials, revocation, introspection and JWT tokens for {@link API}. */
export async function startProvider(): Promise<RunningProvider> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // Imported here, not at the top, so the caller's console spies also catch its import-time warnings.
  const { default: Provider } = await import('oidc-provider');
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: CLIENT.clientId,
        client_secret: CLIENT.clientSecret,
        redirect_uris: [CLIENT.redirectUri],
        grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
        response_types: ['code'],
        scope: 'openid offline_access api:read api:write',
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    scopes: ['openid', 'offline_access', 'api:read', 'api:write'],
    cookies: { keys: ['interop-test-cookie-key'] },
    pkce: { required: () => true },
    features: {
      devInteractions: { enabled: true },
      clientCredentials: { enabled: true },
      introspection: { enabled: true },
      revocation: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => undefined,
        useGrantedResource: () => false,
        getResourceServerInfo: () => ({
          scope: 'api:read api:write',
          audience: API,
          accessTokenFormat: 'jwt',
          accessTokenTTL: 600,
        }),
      },
    },
  });
  const counts = { token: 0 };
  const handle = provider.callback();
  server.on('request', (req, res) => {
    if (req.method === 'POST' && req.url === '/token') counts.token += 1;
    handle(req, res);
  });
  return {
    issuer,
    counts,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
