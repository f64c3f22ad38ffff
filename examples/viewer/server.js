// Viewer: serves a static browser page (our own origin, no CDN) that lists projects with a token from the proxy.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';

const env = process.env;
const PORT = Number(env.PORT || 4004);
const HOST = env.HOST || '127.0.0.1';
const PROXY_URL = (env.PROXY_URL || 'http://127.0.0.1:4003').replace(/\/+$/, '');
const API_URL = (env.API_URL || 'http://127.0.0.1:4001').replace(/\/+$/, '');

const file = (name) => readFileSync(new URL(`./public/${name}`, import.meta.url));
const FILES = {
  '/': { body: file('index.html'), type: 'text/html; charset=utf-8' },
  '/viewer.js': { body: file('viewer.js'), type: 'text/javascript; charset=utf-8' },
  '/style.css': { body: file('style.css'), type: 'text/css; charset=utf-8' },
  '/favicon.svg': { body: file('favicon.svg'), type: 'image/svg+xml' },
  // Where the page's script finds the proxy and the API: configuration, never a secret.
  '/config.json': {
    body: JSON.stringify({ tokenUrl: `${PROXY_URL}/token?scope=data:read`, apiUrl: API_URL }),
    type: 'application/json; charset=utf-8',
  },
};

const HEADERS = {
  'cache-control': 'no-cache',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  // Scripts and styles only from this origin; fetch only to ourselves, the proxy and the API.
  'content-security-policy': `default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self' ${new URL(PROXY_URL).origin} ${new URL(API_URL).origin}; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
};

const server = createServer((req, res) => {
  const path = (req.url || '/').split('?')[0];
  const found = path === '/index.html' ? FILES['/'] : FILES[path];
  if (path === '/healthz') {
    res.writeHead(200, { 'content-type': 'application/json' });
    return res.end('{"ok":true}');
  }
  if (!found || (req.method !== 'GET' && req.method !== 'HEAD')) {
    res.writeHead(found ? 405 : 404, { 'content-type': 'text/plain; charset=utf-8', ...HEADERS });
    return res.end(found ? 'method not allowed' : 'not found');
  }
  res.writeHead(200, { 'content-type': found.type, ...HEADERS });
  res.end(req.method === 'HEAD' ? undefined : found.body);
});
server.keepAliveTimeout = 5000;

server.listen(PORT, HOST, () => {
  console.log(`viewer listening on http://${HOST}:${PORT} (proxy ${PROXY_URL}, API ${API_URL})`);
});

function stop() {
  server.close(() => process.exit(0));
  server.closeAllConnections();
}
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
