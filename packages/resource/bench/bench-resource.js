// Measures requireToken (JWT mode, same valid token every request) against a bare node:http server.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

const SERVER = fileURLToPath(new URL('./bench-server.js', import.meta.url));

/** Starts the bench server in its own process so autocannon does not share its event loop. */
function startServer(mode) {
  return new Promise((resolve, reject) => {
    const child = fork(SERVER, [mode], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`bench server (${mode}) exited with ${code}`)));
    child.once('message', (message) => resolve({ child, ...message }));
  });
}

function stopServer(child) {
  return new Promise((resolve) => {
    child.removeAllListeners('exit');
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

function run(server, options, duration) {
  return autocannon({
    url: `http://127.0.0.1:${server.port}/api/projects`,
    connections: options.connections,
    pipelining: options.pipelining,
    headers: { authorization: `Bearer ${server.token}` },
    duration,
  });
}

/** Refuses to measure a server that does not answer 200 `ok` to the bench request. */
async function preflight(mode, server) {
  const response = await fetch(`http://127.0.0.1:${server.port}/api/projects`, {
    headers: { authorization: `Bearer ${server.token}` },
  });
  const body = await response.text();
  if (response.status !== 200 || body !== 'ok') {
    throw new Error(`bench server (${mode}) answered ${response.status} ${body.slice(0, 200)}`);
  }
}

function summarize(results) {
  const sorted = [...results].sort((a, b) => a.requests.average - b.requests.average);
  const median = sorted[Math.floor(sorted.length / 2)];
  return {
    requestsPerSecond: Math.round(median.requests.average),
    rounds: results.map((r) => Math.round(r.requests.average)),
    latencyAverageMs: median.latency.average,
    latencyP99Ms: median.latency.p99,
    requests: results.reduce((sum, r) => sum + r.requests.total, 0),
    non2xx: results.reduce((sum, r) => sum + r.non2xx, 0),
    errors: results.reduce((sum, r) => sum + r.errors + r.timeouts, 0),
  };
}

/**
 * Runs autocannon on 127.0.0.1 against a bare `node:http` server and against the same trivial
 * handler behind `requireToken` (JWT mode, ES256, RFC 8414 discovery, `scopes: ['data:read']`),
 * presenting the same valid token on every request (also to the bare server, so both parse the same
 * request). Each server runs in its own child process; the two are measured in alternating rounds
 * and the median round of each is reported, which keeps a noisy shared machine from favouring one.
 * Needs `tsc -b` first (imports dist/).
 *
 * @param {{ durationSeconds?: number, connections?: number, pipelining?: number, warmupSeconds?: number, rounds?: number }} [options]
 *   `durationSeconds` is per round (default 5), `rounds` default 3, `connections` default 50.
 * @returns {Promise<{ settings: object, bare: object, requireToken: object, ratio: number, target: number, passed: boolean }>}
 *   `ratio` = requireToken req/s ÷ bare req/s (medians); issue 5's target is ≥ 0.5; `passed` also
 *   requires zero non-2xx answers and zero errors (a guard refusing every request is not fast).
 */
export async function benchResource(options = {}) {
  const settings = {
    durationSeconds: options.durationSeconds ?? 5,
    connections: options.connections ?? 50,
    pipelining: options.pipelining ?? 1,
    warmupSeconds: options.warmupSeconds ?? 2,
    rounds: options.rounds ?? 3,
  };
  const servers = { bare: await startServer('bare'), jwt: await startServer('jwt') };
  try {
    await preflight('bare', servers.bare);
    await preflight('jwt', servers.jwt);
    const results = { bare: [], jwt: [] };
    for (const mode of ['bare', 'jwt']) {
      if (settings.warmupSeconds > 0) await run(servers[mode], settings, settings.warmupSeconds);
    }
    for (let round = 0; round < settings.rounds; round++) {
      const order = round % 2 === 0 ? ['bare', 'jwt'] : ['jwt', 'bare'];
      for (const mode of order)
        results[mode].push(await run(servers[mode], settings, settings.durationSeconds));
    }
    const bare = summarize(results.bare);
    const guarded = summarize(results.jwt);
    const ratio = Math.round((guarded.requestsPerSecond / bare.requestsPerSecond) * 100) / 100;
    const clean = guarded.non2xx === 0 && guarded.errors === 0 && bare.non2xx === 0 && bare.errors === 0;
    return { settings, bare, requireToken: guarded, ratio, target: 0.5, passed: clean && ratio >= 0.5 };
  } finally {
    await stopServer(servers.bare.child);
    await stopServer(servers.jwt.child);
  }
}
