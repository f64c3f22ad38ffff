// Issue 5's proxy targets: 1,000 concurrent requests with an empty cache → upstream calls, and cached-token req/s vs bare node:http.
import { fork } from 'node:child_process';
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { createTokenProxy } from '../dist/index.js';

const SERVER = fileURLToPath(new URL('./bench-server.js', import.meta.url));
const TOKEN_PATH = '/token?scope=data:read';

function listen(listener) {
  const server = createServer(listener);
  return new Promise((resolve) => {
    server.listen({ port: 0, host: '127.0.0.1', backlog: 4096 }, () => {
      resolve({
        url: `http://127.0.0.1:${server.address().port}`,
        close: () =>
          new Promise((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}

/** A stub token endpoint on 127.0.0.1 counting its calls; answers after `delayMs`. */
async function startUpstream(delayMs) {
  let calls = 0;
  const token = `stub.${'a'.repeat(600)}`;
  const server = await listen((req, res) => {
    req.resume();
    req.on('end', () => {
      calls++;
      setTimeout(() => {
        res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
        res.end(JSON.stringify({ access_token: token, token_type: 'Bearer', expires_in: 3600 }));
      }, delayMs);
    });
  });
  return { ...server, calls: () => calls, tokenEndpoint: `${server.url}/oauth/token` };
}

/** The Autodesk guide's pattern: one upstream token request per browser request. */
function naiveHandler(tokenEndpoint) {
  return async (_req, res) => {
    const upstream = await fetch(tokenEndpoint, {
      method: 'POST',
      headers: { authorization: `Basic ${btoa('bench-client:bench-secret')}` },
      body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'data:read' }),
    });
    res.writeHead(upstream.status, { 'content-type': 'application/json' });
    res.end(await upstream.text());
  };
}

async function fireConcurrently(url, count) {
  const answers = await Promise.all(
    Array.from({ length: count }, () =>
      fetch(url).then(
        (r) => r.text().then(() => r.status),
        () => 0,
      ),
    ),
  );
  return answers.filter((status) => status === 200).length;
}

/**
 * Part (a): `requests` concurrent GETs at a fresh proxy (empty cache) and at the guide's naive
 * pattern, each in front of a stub upstream (50 ms per token) that counts its calls.
 * @param {{ requests?: number, upstreamDelayMs?: number }} [options]
 * @returns {Promise<{ requests: number, ok: number, upstreamCalls: number, naiveUpstreamCalls: number, passed: boolean }>}
 */
export async function benchSingleFlight(options = {}) {
  const requests = options.requests ?? 1000;
  const delayMs = options.upstreamDelayMs ?? 50;
  const upstream = await startUpstream(delayMs);
  const naiveUpstream = await startUpstream(delayMs);
  const proxy = createTokenProxy({
    tokenEndpoint: upstream.tokenEndpoint,
    clientId: 'bench-client',
    clientSecret: 'bench-secret',
    allowedScopes: ['data:read'],
    logger: false,
  });
  const proxyServer = await listen(proxy.handler);
  const naiveServer = await listen(naiveHandler(naiveUpstream.tokenEndpoint));
  try {
    const ok = await fireConcurrently(`${proxyServer.url}${TOKEN_PATH}`, requests);
    await fireConcurrently(`${naiveServer.url}${TOKEN_PATH}`, requests);
    const upstreamCalls = upstream.calls();
    return {
      requests,
      ok,
      upstreamCalls,
      naiveUpstreamCalls: naiveUpstream.calls(),
      passed: ok === requests && upstreamCalls === 1,
    };
  } finally {
    await Promise.all([proxyServer.close(), naiveServer.close(), upstream.close(), naiveUpstream.close()]);
  }
}

function startServer(mode, upstreamUrl) {
  return new Promise((resolve, reject) => {
    const child = fork(SERVER, [mode, upstreamUrl], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
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

function run(server, settings, duration) {
  return autocannon({
    url: `http://127.0.0.1:${server.port}${TOKEN_PATH}`,
    connections: settings.connections,
    headers: { origin: 'https://viewer.example' },
    duration,
  });
}

/** Refuses to measure a server that does not answer 200 with a token (this also fills the proxy's cache). */
async function preflight(mode, server) {
  const response = await fetch(`http://127.0.0.1:${server.port}${TOKEN_PATH}`);
  const body = await response.json().catch(() => ({}));
  if (response.status !== 200 || typeof body.access_token !== 'string') {
    throw new Error(`bench server (${mode}) answered ${response.status}`);
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
    non2xx: results.reduce((sum, r) => sum + r.non2xx, 0),
    errors: results.reduce((sum, r) => sum + r.errors + r.timeouts, 0),
  };
}

/**
 * Part (b): autocannon (50 connections) against a bare `node:http` server answering a token-sized
 * JSON body and against the proxy serving a cached token (`GET /token?scope=data:read` from an
 * allowed origin), each in its own child process, alternating rounds, median round reported.
 * @param {{ durationSeconds?: number, connections?: number, warmupSeconds?: number, rounds?: number }} [options]
 * @returns {Promise<{ settings: object, bare: object, proxy: object, upstreamCalls: number, ratio: number, target: number, passed: boolean }>}
 */
export async function benchCachedThroughput(options = {}) {
  const settings = {
    durationSeconds: options.durationSeconds ?? 5,
    connections: options.connections ?? 50,
    warmupSeconds: options.warmupSeconds ?? 2,
    rounds: options.rounds ?? 3,
  };
  const upstream = await startUpstream(0);
  const servers = {
    bare: await startServer('bare', upstream.tokenEndpoint),
    proxy: await startServer('proxy', upstream.tokenEndpoint),
  };
  try {
    await preflight('bare', servers.bare);
    await preflight('proxy', servers.proxy);
    const results = { bare: [], proxy: [] };
    for (const mode of ['bare', 'proxy']) {
      if (settings.warmupSeconds > 0) await run(servers[mode], settings, settings.warmupSeconds);
    }
    for (let round = 0; round < settings.rounds; round++) {
      const order = round % 2 === 0 ? ['bare', 'proxy'] : ['proxy', 'bare'];
      for (const mode of order)
        results[mode].push(await run(servers[mode], settings, settings.durationSeconds));
    }
    const bare = summarize(results.bare);
    const proxy = summarize(results.proxy);
    const ratio = Math.round((proxy.requestsPerSecond / bare.requestsPerSecond) * 100) / 100;
    const clean = proxy.non2xx === 0 && proxy.errors === 0 && bare.non2xx === 0 && bare.errors === 0;
    return {
      settings,
      bare,
      proxy,
      upstreamCalls: upstream.calls(),
      ratio,
      target: 0.7,
      passed: clean && ratio >= 0.7,
    };
  } finally {
    await stopServer(servers.bare.child);
    await stopServer(servers.proxy.child);
    await upstream.close();
  }
}

/**
 * Both of issue 5's proxy targets. Needs `tsc -b` first (imports dist/).
 * @param {{ requests?: number, durationSeconds?: number, connections?: number, warmupSeconds?: number, rounds?: number }} [options]
 * @returns {Promise<{ singleFlight: object, throughput: object, passed: boolean }>}
 */
export async function benchProxy(options = {}) {
  const singleFlight = await benchSingleFlight(options);
  const throughput = await benchCachedThroughput(options);
  return { singleFlight, throughput, passed: singleFlight.passed && throughput.passed };
}
