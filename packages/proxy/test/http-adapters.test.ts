/** HTTP behaviour of the route through node:http, Express-style and Fastify: CORS, methods, hook, single flight. */
import type { IncomingMessage } from 'node:http';
import Fastify from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { createTokenProxy, type TokenProxyOptions } from '../src/index.js';
import {
  captureLogger,
  get,
  listen,
  SECRET,
  scriptedUpstream,
  sendToken,
  type TestServer,
} from './support.js';

const servers: TestServer[] = [];
const closers: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
  await Promise.all(closers.splice(0).map((c) => c()));
});

const ORIGIN = 'https://app.example';

async function upstreamAndProxy(options: Partial<TokenProxyOptions> = {}) {
  const upstream = await scriptedUpstream((i, _req, res) => sendToken(res, `tok-${i}`, 3600));
  servers.push(upstream);
  const logger = captureLogger();
  const proxy = createTokenProxy({
    tokenEndpoint: `${upstream.url}/oauth/token`,
    clientId: 'proxy-client',
    clientSecret: SECRET,
    allowedScopes: ['data:read', 'data:write'],
    defaultScope: 'data:read',
    allowedOrigins: [ORIGIN],
    logger,
    ...options,
  });
  return { upstream, proxy, logger };
}

describe('node:http handler', () => {
  it('CORS: allowed origin gets ACAO + Vary; a foreign origin gets 403 without CORS headers', async () => {
    const { upstream, proxy } = await upstreamAndProxy();
    const host = await listen(proxy.handler);
    servers.push(host);
    const ok = await get(`${host.url}/token`, { origin: ORIGIN });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect(ok.headers.get('vary')).toBe('Origin');
    expect(ok.headers.get('access-control-allow-credentials')).toBeNull();
    for (const origin of ['https://evil.example', 'null', 'https://app.example:8443']) {
      const refused = await get(`${host.url}/token`, { origin });
      expect(refused.status).toBe(403);
      expect(refused.json().error).toBe('origin_not_allowed');
      expect(refused.text).not.toContain('tok-');
      expect([...refused.headers.keys()].filter((h) => h.startsWith('access-control'))).toEqual([]);
    }
    const noOrigin = await get(`${host.url}/token`);
    expect(noOrigin.status).toBe(200);
    expect(noOrigin.headers.get('access-control-allow-origin')).toBeNull();
    expect(upstream.calls).toHaveLength(1);
  });

  it('preflight: 204 with methods and the requested headers for allowed origins only', async () => {
    const { proxy, upstream } = await upstreamAndProxy({ allowCredentials: true });
    const host = await listen(proxy.handler);
    servers.push(host);
    const pre = await get(
      `${host.url}/token`,
      {
        origin: ORIGIN,
        'access-control-request-method': 'GET',
        'access-control-request-headers': 'authorization',
      },
      'OPTIONS',
    );
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect(pre.headers.get('access-control-allow-methods')).toBe('GET, OPTIONS');
    expect(pre.headers.get('access-control-allow-headers')).toBe('authorization');
    expect(pre.headers.get('access-control-allow-credentials')).toBe('true');
    const foreign = await get(`${host.url}/token`, { origin: 'https://evil.example' }, 'OPTIONS');
    expect(foreign.status).toBe(403);
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
    expect(upstream.calls).toHaveLength(0);
  });

  it('other methods: 405 with Allow; other paths: 404; both JSON and no-store', async () => {
    const { proxy, upstream } = await upstreamAndProxy();
    const host = await listen(proxy.handler);
    servers.push(host);
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH']) {
      const answer = await get(`${host.url}/token`, {}, method);
      expect(answer.status).toBe(405);
      expect(answer.headers.get('allow')).toBe('GET, OPTIONS');
      expect(answer.json().error).toBe('method_not_allowed');
    }
    expect((await get(`${host.url}/token`, {}, 'HEAD')).status).toBe(405);
    const missing = await get(`${host.url}/tokens?scope=data:read`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get('cache-control')).toBe('no-store');
    expect(upstream.calls).toHaveLength(0);
  });

  it('scope: outside the allow-list 400 invalid_scope; sets normalised to one cache entry', async () => {
    const { proxy, upstream } = await upstreamAndProxy();
    const host = await listen(proxy.handler);
    servers.push(host);
    const bad = await get(`${host.url}/token?scope=data:read%20data:admin`, { origin: ORIGIN });
    expect(bad.status).toBe(400);
    expect(bad.json().error).toBe('invalid_scope');
    expect(bad.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect((await get(`${host.url}/token?scope=a&scope=b`)).status).toBe(400);
    const one = await get(`${host.url}/token?scope=data:write+data:read`);
    const two = await get(`${host.url}/token?scope=data:read%20data:write%20data:read`);
    expect(one.json().access_token).toBe(two.json().access_token);
    const dflt = await get(`${host.url}/token`);
    const explicit = await get(`${host.url}/token?scope=data:read`);
    expect(dflt.json().access_token).toBe(explicit.json().access_token);
    expect(dflt.json().access_token).not.toBe(one.json().access_token);
    expect(upstream.calls).toHaveLength(2);
  });

  it('authorize hook: false → 401, 403 → 403, true → token, async supported, throwing → 500', async () => {
    const decide = (req: IncomingMessage) => {
      const who = req.headers['x-session'];
      if (who === 'throw') throw new Error('hook bug');
      if (who === 'slow-yes') return new Promise<boolean>((r) => setTimeout(() => r(true), 20));
      return who === 'alice' ? true : who === 'bob' ? 403 : false;
    };
    const { proxy, upstream, logger } = await upstreamAndProxy({ authorize: decide });
    const host = await listen(proxy.handler);
    servers.push(host);
    const anon = await get(`${host.url}/token`, { origin: ORIGIN });
    expect(anon.status).toBe(401);
    expect(anon.json().error).toBe('unauthorized');
    expect(anon.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect((await get(`${host.url}/token`, { 'x-session': 'bob' })).status).toBe(403);
    expect(upstream.calls).toHaveLength(0);
    expect((await get(`${host.url}/token`, { 'x-session': 'alice' })).status).toBe(200);
    expect((await get(`${host.url}/token`, { 'x-session': 'slow-yes' })).status).toBe(200);
    const broken = await get(`${host.url}/token`, { 'x-session': 'throw' });
    expect(broken.status).toBe(500);
    expect(broken.json().error).toBe('server_error');
    expect(broken.text).not.toContain('hook bug');
    expect(logger.lines.join()).toContain('token proxy failed');
  });

  it('1,000 concurrent requests with an empty cache: exactly one upstream call', async () => {
    let arrived = 0;
    let release: () => void = () => undefined;
    const allArrived = new Promise<void>((resolve) => {
      release = resolve;
    });
    const upstream = await scriptedUpstream((i, _req, res) => {
      // Answer only once every proxy request is in flight (or after 10 s), so all 1,000 truly overlap.
      const timer = setTimeout(release, 10_000);
      allArrived.then(() => {
        clearTimeout(timer);
        sendToken(res, `tok-${i}`);
      });
    });
    servers.push(upstream);
    const proxy = createTokenProxy({
      tokenEndpoint: `${upstream.url}/oauth/token`,
      clientId: 'proxy-client',
      clientSecret: SECRET,
      allowedScopes: ['data:read'],
      defaultScope: 'data:read',
      logger: false,
    });
    const host = await listen((req, res) => {
      if (++arrived === 1000) release();
      proxy.handler(req, res);
    });
    servers.push(host);
    const answers = await Promise.all(
      Array.from({ length: 1000 }, () => fetch(`${host.url}/token?scope=data:read`).then((r) => r.json())),
    );
    expect(arrived).toBe(1000);
    expect(upstream.calls).toHaveLength(1);
    expect(new Set(answers.map((a) => a.access_token))).toEqual(new Set(['tok-0']));
  });
});

describe('Express-style middleware (plain node:http)', () => {
  it('answers its path, passes other paths to next()', async () => {
    const { proxy } = await upstreamAndProxy();
    const host = await listen((req, res) =>
      proxy.express(req, res, () => {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end('next handler');
      }),
    );
    servers.push(host);
    const token = await get(`${host.url}/token?scope=data:read`, { origin: ORIGIN });
    expect(token.status).toBe(200);
    expect(token.json()).toMatchObject({ access_token: 'tok-0', token_type: 'Bearer' });
    expect(token.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect((await get(`${host.url}/other`)).text).toBe('next handler');
  });

  it('the proxy itself is a middleware when called with next, a handler without', async () => {
    const { proxy } = await upstreamAndProxy({ path: '/oauth_2_leg' });
    const host = await listen((req, res) => {
      if (!req.url?.startsWith('/mw')) {
        proxy(req, res);
        return;
      }
      req.url = req.url.slice(3); // as Express does under a mount path
      proxy(req, res, () => res.end('next'));
    });
    servers.push(host);
    expect((await get(`${host.url}/oauth_2_leg`)).status).toBe(200);
    expect((await get(`${host.url}/mw/oauth_2_leg`)).status).toBe(200);
    expect((await get(`${host.url}/mw/x`)).text).toBe('next');
    expect((await get(`${host.url}/x`)).status).toBe(404);
  });
});

describe('Fastify plugin', () => {
  it('registers the route (with prefix), CORS, 405 and a token', async () => {
    const { proxy, upstream } = await upstreamAndProxy();
    const app = Fastify();
    await app.register(proxy.fastify, { prefix: '/api' });
    await app.listen({ port: 0, host: '127.0.0.1' });
    closers.push(() => app.close());
    const address = app.server.address() as { port: number };
    const base = `http://127.0.0.1:${address.port}`;
    const answer = await get(`${base}/api/token?scope=data:write`, { origin: ORIGIN });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('cache-control')).toBe('no-store');
    expect(answer.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect(answer.json()).toEqual({
      access_token: 'tok-0',
      token_type: 'Bearer',
      expires_in: expect.any(Number),
    });
    expect(answer.json().expires_in).toBeGreaterThanOrEqual(3599);
    expect(answer.json().expires_in).toBeLessThanOrEqual(3600);
    expect((await get(`${base}/api/token`, {}, 'DELETE')).status).toBe(405);
    expect((await get(`${base}/api/token?scope=nope`)).status).toBe(400);
    expect((await get(`${base}/api/token`, { origin: 'https://evil.example' })).status).toBe(403);
    const pre = await get(
      `${base}/api/token`,
      { origin: ORIGIN, 'access-control-request-method': 'GET' },
      'OPTIONS',
    );
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-methods')).toBe('GET, OPTIONS');
    expect(upstream.calls).toHaveLength(1);
  });
});
