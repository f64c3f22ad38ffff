/**
 * The throttles' shared store unreachable while the database is up (throttle/open.ts): client
 * authentication and sign-up count in this server alone, sign-in answers 503 with Retry-After, nothing
 * answers 500, and everything is shared again once the store is back. Redis hung (SIGSTOP) and stopped,
 * PostgreSQL's table failing; and a start with a Redis it cannot reach fails with one line.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csrfOf, InjectBrowser } from './support/browser.js';
import { freePort, startExpectingExit } from './support/process.js';
import { type RedisInstance, requireRedis, startRedis } from './support/redis.js';
import { dialects, FORM, startTestServer, type TestServer } from './support/server.js';

const PASSWORD = 'correct horse battery staple';
const LIMITS = {
  LATCHKEY_AUTH_MAX_FAILURES: '2',
  LATCHKEY_LOGIN_MAX_FAILURES: '2',
  LATCHKEY_SIGNUP_MAX_PER_IP: '50',
};

function token(s: TestServer, secret: string, ip: string): Promise<LightMyRequestResponse> {
  return s.app.inject({
    method: 'POST',
    url: '/oauth/token',
    remoteAddress: ip,
    headers: { ...FORM, authorization: s.basic(s.credentials.clientId, secret) },
    payload: 'grant_type=client_credentials',
  });
}

async function signIn(s: TestServer, email: string, password: string, ip: string) {
  const browser = new InjectBrowser(s.app, ip);
  const page = await browser.get('/login');
  return browser.post('/login', { csrf: csrfOf(page.body), email, password });
}

async function signUp(s: TestServer, email: string, ip: string) {
  const browser = new InjectBrowser(s.app, ip);
  const page = await browser.get('/signup');
  return browser.post('/signup', { csrf: csrfOf(page.body), name: 'New', email, password: PASSWORD });
}

/**
 * What every throttle does while the store is away, checked from fresh addresses (`net`): client
 * authentication counts here (the right secret works, the limit still holds), sign-up works, sign-in
 * is a 503 page with Retry-After. `within` bounds each answer's time (a hung store costs a deadline).
 */
async function expectOutageBehaviour(s: TestServer, net: string, within: number) {
  const timed = async <T>(call: () => Promise<T>) => {
    const started = Date.now();
    const value = await call();
    expect(Date.now() - started).toBeLessThan(within);
    return value;
  };
  expect((await timed(() => token(s, s.credentials.clientSecret, `${net}.1`))).statusCode).toBe(200);
  const wrong = [];
  for (let i = 0; i < 3; i++) wrong.push((await timed(() => token(s, `guess-${i}`, `${net}.2`))).statusCode);
  expect(wrong).toEqual([401, 401, 429]);
  const login = await timed(() => signIn(s, 'owner@example.com', PASSWORD, `${net}.3`));
  expect(login.statusCode).toBe(503);
  expect(login.headers['retry-after']).toBe('1');
  expect(login.headers['content-type']).toMatch(/^text\/html/);
  expect(login.body).toContain('Temporarily unavailable');
  expect((await timed(() => signUp(s, `new-${net}@example.com`, `${net}.4`))).statusCode).toBe(303);
}

/** Warn lines saying the store went away, and info lines saying it came back. */
function storeLines(s: TestServer) {
  return {
    down: s.logs.lines.filter((line) => line.includes('throttle counters unavailable')).length,
    up: s.logs.lines.filter((line) => line.includes('throttle counters reachable again')).length,
    errors: s.logs.lines.filter((line) => line.includes('"level":50')).length,
  };
}

describe.skipIf(!requireRedis('throttle store outage on Redis'))('Redis hung, then stopped', () => {
  let redis: RedisInstance;
  let s: TestServer;
  beforeAll(async () => {
    redis = await startRedis();
    s = await startTestServer('sqlite', { ...LIMITS, LATCHKEY_REDIS_URL: redis.url });
    await s.ctx.users.create('owner@example.com', PASSWORD);
  });
  afterAll(async () => {
    redis?.thaw();
    await s?.close();
    await redis?.stop();
  });

  it('while Redis is hung: answers within its 1 s deadline as an outage, then shares again once it answers', async () => {
    expect(s.ctx.counters?.kind).toBe('redis');
    expect((await signIn(s, 'owner@example.com', PASSWORD, '10.20.0.1')).statusCode).toBe(303);
    redis.freeze();
    try {
      await expectOutageBehaviour(s, '10.21.0', 2_500);
    } finally {
      redis.thaw();
    }
    // The breaker tries the store again after its cooldown: sign-in works, the counts are Redis's again.
    await expect
      .poll(async () => (await signIn(s, 'owner@example.com', PASSWORD, '10.20.0.2')).statusCode, {
        timeout: 5_000,
        interval: 250,
      })
      .toBe(303);
    // An address this server refused during the outage stays refused here until its window ends.
    expect((await token(s, s.credentials.clientSecret, '10.21.0.2')).statusCode).toBe(429);
    expect(storeLines(s)).toEqual({ down: 1, up: 1, errors: 0 });
  });

  it('with Redis stopped: the same, at once', async () => {
    await redis.stop();
    await expectOutageBehaviour(s, '10.22.0', 1_500);
    expect(storeLines(s).errors).toBe(0);
  });
});

describe.runIf(dialects().includes('postgres'))('PostgreSQL up, its throttle_counters failing', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer('postgres', LIMITS);
    await s.ctx.users.create('owner@example.com', PASSWORD);
  });
  afterAll(async () => {
    await s?.close();
  });

  it('counts locally (client authentication, sign-up), refuses sign-in with 503, and recovers', async () => {
    expect(s.ctx.counters?.kind).toBe('postgres');
    await s.ctx.db.schema.alterTable('throttle_counters').renameTo('throttle_counters_away').execute();
    try {
      await expectOutageBehaviour(s, '10.23.0', 2_500);
    } finally {
      await s.ctx.db.schema.alterTable('throttle_counters_away').renameTo('throttle_counters').execute();
    }
    await expect
      .poll(async () => (await signIn(s, 'owner@example.com', PASSWORD, '10.23.0.9')).statusCode, {
        timeout: 5_000,
        interval: 250,
      })
      .toBe(303);
    expect(storeLines(s)).toEqual({ down: 1, up: 1, errors: 0 });
  });
});

describe('a start with LATCHKEY_REDIS_URL that cannot be reached', () => {
  it('exits non-zero within seconds with one line naming the variable', async () => {
    const closed = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'latchkey-no-redis-'));
    const { code, stderr } = await startExpectingExit({
      LATCHKEY_DATA_DIR: dir,
      LATCHKEY_REDIS_URL: `redis://127.0.0.1:${closed}`,
    }).finally(() => rmSync(dir, { recursive: true, force: true }));
    expect(code).not.toBe(0);
    expect(code).not.toBeNull();
    const lines = stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('LATCHKEY_REDIS_URL');
    expect(lines[0]).toContain('ECONNREFUSED');
  });
});
