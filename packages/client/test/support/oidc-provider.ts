// Test helper: a real oidc-provider on 127.0.0.1 (ephemeral port): an OAuth setup with a confidential
// test client, and an OpenID Connect setup (RS256, ES256, EdDSA and Ed25519 clients, userinfo, logout).

import { generateKeyPairSync } from 'node:crypto';
import { createServer, type RequestListener } from 'node:http';
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
export function startProvider(): Promise<RunningProvider> {
  return listen((issuer, Provider) => new Provider(issuer, oauthConfiguration()));
}

/** The OpenID Connect clients: one per ID token signing alg, each with the same secret and URIs. */
export const OIDC_ALGS = ['RS256', 'ES256', 'EdDSA', 'Ed25519'] as const;
/** Credentials and URIs of the OpenID Connect client signed with `alg`. */
export function oidcClientOf(alg: (typeof OIDC_ALGS)[number]) {
  return {
    clientId: `oidc-${alg}`,
    clientSecret: 'oidc secret',
    redirectUri: 'http://127.0.0.1:7777/oidc-cb',
    postLogoutRedirectUri: 'http://127.0.0.1:7777/signed-out',
    idTokenSignedResponseAlg: alg,
  };
}

/** A private signing JWK made with node:crypto. */
function privateJwk(type: 'rsa' | 'ec' | 'ed25519', kid: string) {
  const { privateKey } =
    type === 'rsa'
      ? generateKeyPairSync('rsa', { modulusLength: 2048 })
      : type === 'ec'
        ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
        : generateKeyPairSync('ed25519');
  return { ...privateKey.export({ format: 'jwk' }), kid, use: 'sig' };
}

/**
 * Starts oidc-provider as an OpenID Provider: RSA, P-256 and Ed25519 signing keys, the clients of
 * {@link oidcClientOf}, `profile` and `email` claims (in the ID token too), refresh tokens with
 * `offline_access`, RP-Initiated Logout. Users are `alice`, `bob`...: name "Alice", email alice@example.test.
 */
export function startOpenIdProvider(): Promise<RunningProvider> {
  const keys = [privateJwk('rsa', 'rsa-1'), privateJwk('ec', 'ec-1'), privateJwk('ed25519', 'ed-1')];
  return listen(
    (issuer, Provider) =>
      new Provider(issuer, {
        clients: OIDC_ALGS.map((alg) => {
          const client = oidcClientOf(alg);
          return {
            client_id: client.clientId,
            client_secret: client.clientSecret,
            redirect_uris: [client.redirectUri],
            post_logout_redirect_uris: [client.postLogoutRedirectUri],
            grant_types: ['authorization_code', 'refresh_token'],
            response_types: ['code'],
            scope: 'openid offline_access profile email',
            id_token_signed_response_alg: alg,
            token_endpoint_auth_method: 'client_secret_basic',
          };
        }),
        jwks: { keys },
        scopes: ['openid', 'offline_access', 'profile', 'email'],
        claims: { openid: ['sub'], profile: ['name'], email: ['email', 'email_verified'] },
        conformIdTokenClaims: false,
        findAccount: (_ctx: unknown, sub: string) => ({
          accountId: sub,
          claims: () => ({
            sub,
            name: sub.charAt(0).toUpperCase() + sub.slice(1),
            email: `${sub}@example.test`,
            email_verified: true,
          }),
        }),
        cookies: { keys: ['interop-test-cookie-key'] },
        pkce: { required: () => true },
        features: { devInteractions: { enabled: true }, rpInitiatedLogout: { enabled: true } },
      }),
  );
}

function oauthConfiguration() {
  return {
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
  };
}

/** The untyped oidc-provider class (see ambient.d.ts). */
// biome-ignore lint/suspicious/noExplicitAny: oidc-provider ships no declarations
type ProviderClass = new (issuer: string, configuration: object) => any;

/** Listens on 127.0.0.1, builds the provider for the issuer URL, and counts POST /token. */
async function listen(
  build: (issuer: string, Provider: ProviderClass) => { callback(): RequestListener },
): Promise<RunningProvider> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // Imported here, not at the top, so the caller's console spies also catch its import-time warnings.
  const { default: Provider } = await import('oidc-provider');
  const provider = build(issuer, Provider);
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
