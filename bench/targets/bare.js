// Target: the ceiling, a bare node:http server returning fixed JSON to POST /token.
import { fileURLToPath } from 'node:url';
import { startProcess } from '../lib/child.js';

export default {
  name: 'bare',
  role: 'ceiling',
  description: 'node:http, fixed JSON to POST /token (no auth, no signing)',
  expectJwt: false,
  async start() {
    const proc = startProcess({
      name: 'bare',
      command: process.execPath,
      args: [fileURLToPath(new URL('../servers/bare.js', import.meta.url))],
      env: { PORT: '0' },
    });
    let port;
    try {
      [, port] = await proc.waitForOutput(/READY (\d+)/, 10_000);
    } catch (error) {
      await proc.stop();
      throw error;
    }
    return {
      proc,
      baseUrl: `http://127.0.0.1:${port}`,
      request: {
        method: 'POST',
        path: '/token',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'grant_type=client_credentials&scope=data:read',
      },
      stop: () => proc.stop(),
    };
  },
};
