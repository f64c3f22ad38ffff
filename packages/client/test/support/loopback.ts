// Test helper: a tiny token endpoint on 127.0.0.1 that rotates refresh tokens and counts requests.

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A running loopback token endpoint. */
export interface LoopbackTokenServer {
  url: string;
  counts: { refresh: number; clientCredentials: number };
  close(): Promise<void>;
}

/**
 * Starts a token endpoint: `client_credentials` issues `cc-N`; `refresh_token` accepts only the
 * latest `rt-N`, answers `at-N+1` / `rt-N+1` once `answerGate` has resolved, and `invalid_grant` for
 * anything else.
 */
export async function startTokenServer(
  answerGate: Promise<unknown> = Promise.resolve(),
): Promise<LoopbackTokenServer> {
  const counts = { refresh: 0, clientCredentials: 0 };
  let generation = 1;
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', async () => {
      const form = new URLSearchParams(body);
      await answerGate;
      const send = (status: number, payload: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
        res.end(JSON.stringify(payload));
      };
      if (form.get('grant_type') === 'client_credentials') {
        counts.clientCredentials += 1;
        return send(200, {
          access_token: `cc-${counts.clientCredentials}`,
          token_type: 'Bearer',
          expires_in: 3600,
        });
      }
      if (form.get('grant_type') === 'refresh_token') {
        counts.refresh += 1;
        if (form.get('refresh_token') !== `rt-${generation}`) return send(400, { error: 'invalid_grant' });
        generation += 1;
        return send(200, {
          access_token: `at-${generation}`,
          refresh_token: `rt-${generation}`,
          token_type: 'Bearer',
          expires_in: 3600,
        });
      }
      return send(400, { error: 'unsupported_grant_type' });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/token`,
    counts,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
