// The measurements that are not one interleaved server target: the token proxy (issue 5), the
// resource middleware (issue 5) and the client SDK's browser bundle (issue 4). Each proxy and
// resource throughput figure is a ratio to a bare node:http server measured in the same call; the
// resource middleware is also timed with a stale JWKS and a hanging authorization server.
import { existsSync } from 'node:fs';

const here = (path) => new URL(path, import.meta.url);

async function optionalImport(path) {
  return existsSync(here(path)) ? import(here(path).href) : undefined;
}

/** Runs every extra measurement it can find and returns printable lines and the raw results. */
export async function runExtras({ durationSeconds, connections }) {
  const lines = [];
  const results = {};
  const proxy = await optionalImport('../packages/proxy/bench/bench-proxy.js');
  if (proxy) {
    const flight = await proxy.benchSingleFlight({ requests: 1000 });
    results.proxySingleFlight = flight;
    lines.push(
      `proxy, 1,000 concurrent requests with an empty cache: ${flight.upstreamCalls} upstream call(s) ` +
        `(the guide's pattern: ${flight.naiveUpstreamCalls}); ${flight.ok}/${flight.requests} answered 200`,
    );
    const cached = await proxy.benchCachedThroughput({
      durationSeconds,
      connections,
      rounds: 2,
      warmupSeconds: 2,
    });
    results.proxyCached = cached;
    lines.push(
      `proxy serving a cached token: ${Math.round(cached.proxy.requestsPerSecond)} req/s vs bare ` +
        `${Math.round(cached.bare.requestsPerSecond)} req/s = ${cached.ratio} × (goal ≥ 0.7: ${cached.passed ? 'met' : 'NOT met'})`,
    );
  }
  const resource = await optionalImport('../packages/resource/bench/bench-resource.js');
  if (resource) {
    const r = await resource.benchResource({ durationSeconds, connections, rounds: 2 });
    results.resource = r;
    lines.push(
      `requireToken (JWT mode, same valid token): ${r.requireToken.requestsPerSecond} req/s vs bare ` +
        `${r.bare.requestsPerSecond} req/s = ${r.ratio} × (goal ≥ 0.5: ${r.passed ? 'met' : 'NOT met'})`,
    );
  }
  const staleJwks = await optionalImport('../packages/resource/bench/bench-stale-jwks.js');
  if (staleJwks) {
    const s = await staleJwks.benchStaleJwks({ durationSeconds: 2, timeoutMs: 2000 });
    results.resourceStaleJwks = s;
    lines.push(
      `requireToken, JWKS stale and the authorization server hanging (2 s timeout): ${s.ok}/${s.requests} ` +
        `known-kid requests accepted in ${s.settings.durationSeconds} s, average ${s.averageMs} ms, max ${s.maxMs} ms, ` +
        `${s.jwksRequests} JWKS request(s)`,
    );
  }
  const size = await optionalImport('../packages/client/bench/bundle-size.js');
  if (size) {
    const s = await size.bundleSize();
    results.clientBundle = s;
    lines.push(
      `@latchkey/client browser bundle: ${s.minified} bytes minified, ${s.gzipped} bytes gzipped (goal ≤ 8192: ${s.gzipped <= 8192 ? 'met' : 'NOT met'})`,
    );
  }
  return { lines, results };
}
