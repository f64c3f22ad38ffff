// Child process of the bench: a trivial node:http server, bare or behind requireToken (JWT mode).
import { createServer } from 'node:http';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { requireToken } from '../dist/index.js';

const mode = process.argv[2] ?? 'bare';
const AUDIENCE = 'https://api.bench';

function listen(server) {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server.address().port)));
}

/** Same trivial answer in both modes. */
function trivial(_req, res) {
  res.writeHead(200, { 'content-type': 'text/plain' });
  res.end('ok');
}

// An authorization server stand-in: RFC 8414 metadata and a JWKS with one ES256 key.
const { privateKey, publicKey } = await generateKeyPair('ES256');
const jwk = { ...(await exportJWK(publicKey)), kid: 'bench', alg: 'ES256', use: 'sig' };
let issuer = '';
const asServer = createServer((req, res) => {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify(req.url === '/jwks' ? { keys: [jwk] } : { issuer, jwks_uri: `${issuer}/jwks` }));
});
issuer = `http://127.0.0.1:${await listen(asServer)}`;
const now = Math.floor(Date.now() / 1000);
const token = await new SignJWT({
  iss: issuer,
  aud: AUDIENCE,
  sub: 'bench-user',
  client_id: 'bench-app',
  scope: 'data:read',
  iat: now,
  exp: now + 3600,
  jti: 'bench',
})
  .setProtectedHeader({ alg: 'ES256', kid: 'bench', typ: 'at+jwt' })
  .sign(privateKey);

const handler =
  mode === 'jwt'
    ? requireToken({ issuer, audience: AUDIENCE, scopes: ['data:read'] }).nodeHandler(trivial)
    : trivial;
const port = await listen(createServer(handler));
process.send?.({ port, token });
process.on('disconnect', () => process.exit(0));
