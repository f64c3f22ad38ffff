// Bench child process: a bare node:http server or the token proxy (dist/) on 127.0.0.1, port sent over IPC.
import { createServer } from 'node:http';
import { createTokenProxy } from '../dist/index.js';

const [mode, upstreamUrl] = process.argv.slice(2);
const BODY = JSON.stringify({ access_token: 'x'.repeat(600), token_type: 'Bearer', expires_in: 3599 });

const listener =
  mode === 'proxy'
    ? createTokenProxy({
        tokenEndpoint: upstreamUrl,
        clientId: 'bench-client',
        clientSecret: 'bench-secret',
        allowedScopes: ['data:read', 'data:write'],
        defaultScope: 'data:read',
        allowedOrigins: ['https://viewer.example'],
        logger: false,
      }).handler
    : (_req, res) => {
        res.writeHead(200, {
          'content-type': 'application/json; charset=utf-8',
          'cache-control': 'no-store',
        });
        res.end(BODY);
      };

const server = createServer(listener);
server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));
process.on('SIGTERM', () => {
  server.close();
  server.closeAllConnections();
  process.exit(0);
});
