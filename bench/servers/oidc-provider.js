// Reference: oidc-provider v9 issuing ES256 JWT access tokens for the client-credentials grant.
import { generateKeyPairSync } from 'node:crypto';
import Provider from 'oidc-provider';

const port = Number(process.env.PORT);
const clientId = process.env.BENCH_CLIENT_ID ?? 'bench-client';
const clientSecret = process.env.BENCH_CLIENT_SECRET ?? 'bench-secret';
const audience = 'https://api.bench.test';

const jwk = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' });

const provider = new Provider(`http://127.0.0.1:${port}`, {
  clients: [
    {
      client_id: clientId,
      client_secret: clientSecret,
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
      token_endpoint_auth_method: 'client_secret_basic',
      id_token_signed_response_alg: 'ES256',
      scope: 'data:read',
    },
  ],
  jwks: { keys: [{ ...jwk, kid: 'bench-es256', alg: 'ES256', use: 'sig' }] },
  scopes: ['data:read'],
  cookies: { keys: ['bench-cookie-key-not-secret'] },
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => audience,
      useGrantedResource: () => true,
      getResourceServerInfo: () => ({
        scope: 'data:read',
        audience,
        accessTokenFormat: 'jwt',
        accessTokenTTL: 3600,
        jwt: { sign: { alg: 'ES256' } },
      }),
    },
  },
});
// Silence logging: no Koa error printing, swallow error events (the bench counts non-2xx itself).
provider.silent = true;
provider.on('server_error', () => {});
provider.on('grant.error', () => {});

const server = provider.listen(port, '127.0.0.1', () => {
  console.log(`READY ${port} ${new URL(provider.issuer).host}`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
