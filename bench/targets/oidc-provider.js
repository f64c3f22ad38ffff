// Target: oidc-provider v9 issuing ES256 JWT client-credentials tokens (client_secret_basic).
import { fileURLToPath } from 'node:url';
import { freePort, startProcess } from '../lib/child.js';

const clientId = 'bench-client';
const clientSecret = 'bench-secret-0123456789abcdef';

export default {
  name: 'oidc-provider',
  role: 'reference',
  description: 'oidc-provider v9, client credentials, ES256 JWT access token, client_secret_basic',
  expectJwt: true,
  async start() {
    const port = await freePort();
    const proc = startProcess({
      name: 'oidc-provider',
      command: process.execPath,
      args: [fileURLToPath(new URL('../servers/oidc-provider.js', import.meta.url))],
      env: {
        PORT: String(port),
        BENCH_CLIENT_ID: clientId,
        BENCH_CLIENT_SECRET: clientSecret,
        NODE_ENV: 'production',
      },
    });
    try {
      await proc.waitForOutput(/READY \d+/, 15_000);
    } catch (error) {
      await proc.stop();
      throw error;
    }
    const basic = Buffer.from(`${clientId}:${clientSecret}`).toString('base64');
    return {
      proc,
      baseUrl: `http://127.0.0.1:${port}`,
      request: {
        method: 'POST',
        path: '/token',
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${basic}` },
        body: 'grant_type=client_credentials&scope=data:read',
      },
      stop: () => proc.stop(),
    };
  },
};
