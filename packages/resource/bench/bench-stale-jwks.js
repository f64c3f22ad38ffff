// The JWKS past its max age while the authorization server hangs: how long a request with a known kid takes.
import { createServer } from 'node:http';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { requireToken } from '../dist/index.js';

const AUDIENCE = 'https://api.bench';

/**
 * Loads the JWKS once from a loopback authorization server, which then stops answering (requests are
 * held open). With `jwksMaxAgeSeconds: 0` and `jwksCooldownSeconds: 0` the set is stale at once and a
 * refetch is always due; the guard then verifies a freshly signed token (known kid) after another for
 * `durationSeconds`, one at a time. Before stale-while-revalidate each request paid `timeoutMs`.
 * Needs `tsc -b` first (imports dist/).
 *
 * @param {{ durationSeconds?: number, timeoutMs?: number }} [options] defaults 2 s and 2000 ms.
 * @returns {Promise<{ settings: object, requests: number, ok: number, averageMs: number, maxMs: number, jwksRequests: number }>}
 *   `jwksRequests` counts the initial load too; with the zero cooldown the background refetch is retried
 *   each time the one before times out, one at a time (≈ 1 + durationSeconds × 1000 / timeoutMs).
 */
export async function benchStaleJwks(options = {}) {
  const settings = { durationSeconds: options.durationSeconds ?? 2, timeoutMs: options.timeoutMs ?? 2000 };
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'bench', alg: 'ES256', use: 'sig' };
  let jwksRequests = 0;
  const server = createServer((_req, res) => {
    jwksRequests++;
    if (jwksRequests > 1) return; // hangs: never answered
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const guard = requireToken({
    issuer,
    jwksUri: `${issuer}/jwks`,
    audience: AUDIENCE,
    cache: false,
    timeoutMs: settings.timeoutMs,
    jwksMaxAgeSeconds: 0,
    jwksCooldownSeconds: 0,
  });
  const sign = () => {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({
      iss: issuer,
      aud: AUDIENCE,
      sub: 'bench',
      scope: 'data:read',
      iat: now,
      exp: now + 300,
    })
      .setProtectedHeader({ alg: 'ES256', kid: 'bench', typ: 'at+jwt' })
      .sign(privateKey);
  };
  const verify = async () => {
    const result = await guard.verifyRequest({ headers: { authorization: `Bearer ${await sign()}` } });
    return result.ok;
  };
  try {
    if (!(await verify())) throw new Error('stale-JWKS bench: the first token was refused');
    let requests = 0;
    let ok = 0;
    let totalMs = 0;
    let maxMs = 0;
    const end = performance.now() + settings.durationSeconds * 1000;
    while (performance.now() < end) {
      const started = performance.now();
      if (await verify()) ok++;
      const ms = performance.now() - started;
      requests++;
      totalMs += ms;
      maxMs = Math.max(maxMs, ms);
    }
    const round = (ms) => Math.round(ms * 1000) / 1000;
    return {
      settings,
      requests,
      ok,
      averageMs: round(totalMs / requests),
      maxMs: round(maxMs),
      jwksRequests,
    };
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}
