/**
 * Two servers on one database count every throttle once, as one server would:
 * client authentication, sign-in and sign-up, with the counts in PostgreSQL (`throttle_counters`) and
 * in Redis (LATCHKEY_REDIS_URL). Each server alone would allow its own limit, so every assertion below
 * fails with per-process counts. In-process pairs (`app.inject`) for each throttle, and two real
 * processes for parallel guesses.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csrfOf, InjectBrowser } from './support/browser.js';
import { cli, fetchToken, type ServerProcess, startProcess } from './support/process.js';
import { type RedisInstance, requireRedis, startRedis } from './support/redis.js';
import { dialects, FORM, freshDatabase, kekEnv, startTestServer, type TestServer } from './support/server.js';

const hasPostgres = dialects().includes('postgres');
/** Where the counts are shared: PostgreSQL's table, or Redis in front of the same database. */
const stores = hasPostgres
  ? ['postgres', ...(requireRedis('shared throttles on Redis') ? ['redis'] : [])]
  : [];

const PASSWORD = 'correct horse battery staple';

/** A client-credentials request with Basic credentials; returns the answer. */
function tokenRequest(s: TestServer, secret: string): Promise<LightMyRequestResponse> {
  return s.app.inject({
    method: 'POST',
    url: '/oauth/token',
    headers: { ...FORM, authorization: s.basic(s.credentials.clientId, secret) },
    payload: 'grant_type=client_credentials',
  });
}

/** The statuses, counted. */
function tally(statuses: number[]): Record<number, number> {
  const out: Record<number, number> = {};
  for (const status of statuses) out[status] = (out[status] ?? 0) + 1;
  return out;
}

describe.each(stores)('two servers sharing their throttles in %s', (store) => {
  let redis: RedisInstance | undefined;
  let a: TestServer;
  let b: TestServer;
  beforeAll(async () => {
    const env: Record<string, string> = {
      LATCHKEY_AUTH_MAX_FAILURES: '3',
      LATCHKEY_LOGIN_MAX_FAILURES: '2',
      LATCHKEY_SIGNUP_MAX_PER_IP: '2',
    };
    if (store === 'redis') {
      redis = await startRedis();
      env['LATCHKEY_REDIS_URL'] = redis.url;
    }
    a = await startTestServer('postgres', env);
    b = await startTestServer('postgres', env, { databaseUrl: a.config.databaseUrl });
    // B's app is A's: one registration, authenticated on either server.
    b.credentials = a.credentials;
  });
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
    await redis?.stop();
  });

  it(`counts in ${store}`, () => {
    expect(a.ctx.counters?.kind).toBe(store);
    expect(b.ctx.counters?.kind).toBe(store);
  });

  it('client authentication: 20 wrong secrets in parallel on both servers, 3 answered 401, the rest 429; then the right one is refused on both', async () => {
    const guesses = Array.from({ length: 20 }, (_, i) => tokenRequest(i % 2 ? b : a, `guess-${i}`));
    const answers = await Promise.all(guesses);
    expect(tally(answers.map((res) => res.statusCode))).toEqual({ 401: 3, 429: 17 });
    for (const res of answers.filter((r) => r.statusCode === 429)) {
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
      expect(res.json()).toMatchObject({ error: 'temporarily_unavailable' });
    }
    // RFC 6819 §5.2.3.7: over the limit, the right secret is refused too, on the server that saw
    // fewer than three of the failures as on the other.
    for (const s of [a, b]) expect((await tokenRequest(s, s.credentials.clientSecret)).statusCode).toBe(429);
  });

  it('sign-in: two wrong passwords, one on each server, and the pair is refused on both, the right password included', async () => {
    const victim = 'shared-victim@example.com';
    await a.ctx.users.create(victim, PASSWORD);
    const attempt = async (s: TestServer, password: string) => {
      const browser = new InjectBrowser(s.app, '10.9.0.1');
      const page = await browser.get('/login');
      return (await browser.post('/login', { csrf: csrfOf(page.body), email: victim, password })).statusCode;
    };
    expect(await attempt(a, 'guess-1')).toBe(401);
    expect(await attempt(b, 'guess-2')).toBe(401);
    expect(await attempt(a, 'guess-3')).toBe(429);
    expect(await attempt(b, PASSWORD)).toBe(429);
  });

  it('sign-in: parallel guesses on both servers stop at the limit', async () => {
    const victim = 'parallel-victim@example.com';
    await a.ctx.users.create(victim, PASSWORD);
    const pages = await Promise.all(
      Array.from({ length: 8 }, async (_, i) => {
        const browser = new InjectBrowser(i % 2 ? b.app : a.app, '10.9.0.2');
        return { browser, csrf: csrfOf((await browser.get('/login')).body) };
      }),
    );
    const statuses = await Promise.all(
      pages.map(
        async ({ browser, csrf }, i) =>
          (await browser.post('/login', { csrf, email: victim, password: `guess-${i}` })).statusCode,
      ),
    );
    expect(tally(statuses)).toEqual({ 401: 2, 429: 6 });
  });

  it('sign-up: one account on each server, and the network is refused on both', async () => {
    const signUp = async (s: TestServer, n: number) => {
      const browser = new InjectBrowser(s.app, '10.9.0.3');
      const page = await browser.get('/signup');
      const res = await browser.post('/signup', {
        csrf: csrfOf(page.body),
        name: 'New User',
        email: `new-${store}-${n}@example.com`,
        password: PASSWORD,
      });
      return res.statusCode;
    };
    expect(await signUp(a, 1)).toBe(303);
    expect(await signUp(b, 2)).toBe(303);
    expect(await signUp(a, 3)).toBe(429);
    expect(await signUp(b, 4)).toBe(429);
  });
});

describe.each(stores)('two latchkey processes counting in %s', (store) => {
  let dir: string;
  let redis: RedisInstance | undefined;
  let env: Record<string, string>;
  let servers: ServerProcess[] = [];
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'latchkey-throttle-'));
    env = {
      LATCHKEY_DATA_DIR: dir,
      LATCHKEY_DATABASE_URL: await freshDatabase('postgres', dir),
      LATCHKEY_AUTH_MAX_FAILURES: '5',
      LATCHKEY_DEMO_APP: 'false',
      ...kekEnv('postgres'),
    };
    if (store === 'redis') {
      redis = await startRedis();
      env['LATCHKEY_REDIS_URL'] = redis.url;
    }
    servers = await Promise.all([startProcess(env), startProcess(env)]);
  });
  afterAll(async () => {
    await Promise.all(servers.map((server) => server.stop()));
    await redis?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('60 wrong secrets sent at once to both processes: 5 answered 401, 55 answered 429, none 5xx', async () => {
    const app = JSON.parse(
      cli(['apps', 'create', '--name', 'Guessed', '--scope', 'data:read', '--json'], env).stdout,
    );
    const statuses = await Promise.all(
      Array.from(
        { length: 60 },
        async (_, i) =>
          (await fetchToken((servers[i % 2] as ServerProcess).url, app.client_id, `g${i}`)).status,
      ),
    );
    // On a failure, what the servers logged above info (a 503 says why) comes with it.
    const warnings = servers.flatMap((server) =>
      server
        .output()
        .split('\n')
        .filter((line) => /"level":[4-6]0/.test(line)),
    );
    expect(tally(statuses), warnings.join('\n')).toEqual({ 401: 5, 429: 55 });
    for (const server of servers) {
      expect((await fetchToken(server.url, app.client_id, app.client_secret)).status).toBe(429);
      expect(server.output()).not.toContain('"level":50');
    }
  });
});
