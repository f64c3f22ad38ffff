/**
 * GET /metrics on the main listener (Prometheus text format), on SQLite and PostgreSQL: off by default
 * (a 404, nothing counted); with LATCHKEY_METRICS every line parses and the counters move for the
 * events they count (tokens, requests by route, throttles, refresh-token reuse, database errors, the
 * pool or the registration cache), and no label carries a client ID, a token or an email.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { NO_METRICS } from '../src/metrics/metrics.js';
import { DatabaseTimeoutError } from '../src/storage/errors.js';
import { expectInvalidGrant, getTokens, refresh, signedInBrowser, tokenRequest } from './support/attacks.js';
import { csrfOf, InjectBrowser, registerThreeLeggedApp } from './support/browser.js';
import { type Family, parseExposition, sampleValue } from './support/prometheus.js';
import { dialects, startTestServer, type TestServer } from './support/server.js';

const PASSWORD = 'correct horse battery';

/** Scrapes /metrics in-process and parses it strictly. */
async function scrape(s: TestServer): Promise<{ text: string; families: Map<string, Family> }> {
  const res = await s.app.inject({ method: 'GET', url: '/metrics' });
  expect(res.statusCode).toBe(200);
  expect(res.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
  return { text: res.body, families: parseExposition(res.body) };
}

/** Runs `act` and returns how much the sample moved. */
async function moved(
  s: TestServer,
  name: string,
  labels: Record<string, string>,
  act: () => Promise<unknown>,
): Promise<number> {
  const before = sampleValue((await scrape(s)).families, name, labels) ?? 0;
  await act();
  return (sampleValue((await scrape(s)).families, name, labels) ?? 0) - before;
}

const clientCredentials = (s: TestServer, basic = s.basic()) =>
  tokenRequest(s.app, basic, { grant_type: 'client_credentials', scope: 'data:read' });

describe.each(dialects())('metrics off by default, on %s', (dialect) => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer(dialect);
  });
  afterAll(async () => {
    await s?.close();
  });

  it('GET /metrics is a 404 like any unknown path, and nothing is counted', async () => {
    expect((await clientCredentials(s)).statusCode).toBe(200);
    const res = await s.app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ error: 'not_found', error_description: 'no such endpoint' });
    expect(s.ctx.metrics).toBe(NO_METRICS);
  });
});

describe.each(dialects())('metrics on the main listener (LATCHKEY_METRICS=true), on %s', (dialect) => {
  let s: TestServer;
  let other: TestServer;
  beforeAll(async () => {
    const env = {
      LATCHKEY_METRICS: 'true',
      LATCHKEY_AUTH_MAX_FAILURES: '2',
      LATCHKEY_LOGIN_MAX_FAILURES: '1',
      LATCHKEY_SIGNUP_MAX_PER_IP: '1',
      LATCHKEY_DATABASE_POOL_SIZE: '4',
    };
    [s, other] = await Promise.all([startTestServer(dialect, env), startTestServer(dialect, env)]);
  });
  afterAll(async () => {
    await Promise.all([s?.close(), other?.close()]);
  });

  it('answers the text format: every line parses, histograms are cumulative, every name has the latchkey_ prefix', async () => {
    const { families } = await scrape(s);
    for (const name of families.keys()) expect(name).toMatch(/^latchkey_/);
    expect(families.get('latchkey_http_requests_total')?.type).toBe('counter');
    expect(families.get('latchkey_token_request_duration_seconds')?.type).toBe('histogram');
    // prom-client's process metrics, under the prefix.
    expect(families.get('latchkey_process_cpu_user_seconds_total')?.type).toBe('counter');
    expect(families.get('latchkey_nodejs_heap_size_used_bytes')?.type).toBe('gauge');
    // Known series exist from the start, at 0.
    for (const grant_type of ['authorization_code', 'client_credentials', 'refresh_token']) {
      expect(sampleValue(families, 'latchkey_tokens_issued_total', { grant_type })).toBeTypeOf('number');
      for (const outcome of ['issued', 'failed']) {
        const labels = { grant_type, outcome, le: '+Inf' };
        expect(sampleValue(families, 'latchkey_token_request_duration_seconds_bucket', labels)).toBeTypeOf(
          'number',
        );
      }
    }
    for (const throttle of ['client_auth', 'sign_in', 'sign_up'])
      expect(sampleValue(families, 'latchkey_throttle_refusals_total', { throttle })).toBeTypeOf('number');
    expect(sampleValue(families, 'latchkey_refresh_token_reuse_detected_total')).toBe(0);
  });

  it('a client-credentials token: issued, timed and counted as a request by route and status', async () => {
    const before = (await scrape(s)).families;
    const res = await clientCredentials(s);
    expect(res.statusCode).toBe(200);
    const after = (await scrape(s)).families;
    const delta = (name: string, labels: Record<string, string>) =>
      (sampleValue(after, name, labels) ?? 0) - (sampleValue(before, name, labels) ?? 0);
    expect(delta('latchkey_tokens_issued_total', { grant_type: 'client_credentials' })).toBe(1);
    const timed = { grant_type: 'client_credentials', outcome: 'issued' };
    expect(delta('latchkey_token_request_duration_seconds_count', timed)).toBe(1);
    expect(delta('latchkey_token_request_duration_seconds_sum', timed)).toBeGreaterThan(0);
    const route = { method: 'POST', route: '/oauth/token', status: '200' };
    expect(delta('latchkey_http_requests_total', route)).toBe(1);
    // The other server in this process has a registry of its own: it counted nothing of this.
    const elsewhere = (await scrape(other)).families;
    expect(sampleValue(elsewhere, 'latchkey_tokens_issued_total', { grant_type: 'client_credentials' })).toBe(
      0,
    );
  });

  it('requests are labelled by route pattern: an unknown URL is one "(unmatched)" series, its path and query never a label', async () => {
    const path = '/no-such-place/lk_secretive?client_secret=hunter2';
    const unmatched = { method: 'GET', route: '(unmatched)', status: '404' };
    expect(
      await moved(s, 'latchkey_http_requests_total', unmatched, () =>
        s.app.inject({ method: 'GET', url: path }),
      ),
    ).toBe(1);
    const wrongMethod = { method: 'GET', route: '/oauth/token', status: '405' };
    expect(
      await moved(s, 'latchkey_http_requests_total', wrongMethod, () =>
        s.app.inject({ method: 'GET', url: '/oauth/token?x=1' }),
      ),
    ).toBe(1);
    const { text } = await scrape(s);
    for (const leaked of ['no-such-place', 'lk_secretive', 'hunter2', 'x=1'])
      expect(text).not.toContain(leaked);
  });

  it('a failed client authentication, then the throttle refusing the next attempt (429)', async () => {
    const unknownId = 'lk_unknown_client_never_a_label';
    const guess = () =>
      s.app.inject({
        method: 'POST',
        url: '/oauth/token',
        remoteAddress: '10.9.0.1',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: s.basic(unknownId, 'guessed-secret'),
        },
        payload: 'grant_type=client_credentials',
      });
    const failures = await moved(s, 'latchkey_client_auth_failures_total', {}, async () => {
      expect((await guess()).statusCode).toBe(401);
      expect((await guess()).statusCode).toBe(401);
    });
    expect(failures).toBe(2);
    const refusals = await moved(
      s,
      'latchkey_throttle_refusals_total',
      { throttle: 'client_auth' },
      async () => {
        expect((await guess()).statusCode).toBe(429);
      },
    );
    expect(refusals).toBe(1);
    const { text, families } = await scrape(s);
    expect(text).not.toContain(unknownId);
    expect(text).not.toContain(s.credentials.clientId);
    expect(
      sampleValue(families, 'latchkey_http_requests_total', { route: '/oauth/token', status: '429' }),
    ).toBe(1);
  });

  it('the sign-in and sign-up throttles refusing (429) are counted by throttle, without the email', async () => {
    const email = 'metrics-victim@example.com';
    await s.ctx.users.create(email, PASSWORD);
    const attempt = async () => {
      const browser = new InjectBrowser(s.app, '10.8.0.1');
      const page = await browser.get('/login');
      return browser.post('/login', { csrf: csrfOf(page.body), email, password: 'wrong' });
    };
    const signIn = await moved(s, 'latchkey_throttle_refusals_total', { throttle: 'sign_in' }, async () => {
      expect((await attempt()).statusCode).toBe(401);
      expect((await attempt()).statusCode).toBe(429);
    });
    expect(signIn).toBe(1);
    const newcomer = 'metrics-newcomer@example.com';
    const signUp = async () => {
      const browser = new InjectBrowser(s.app, '10.7.0.1');
      const page = await browser.get('/signup');
      return browser.post('/signup', {
        csrf: csrfOf(page.body),
        name: 'Newcomer',
        email: newcomer,
        password: PASSWORD,
      });
    };
    const refusedSignUp = await moved(
      s,
      'latchkey_throttle_refusals_total',
      { throttle: 'sign_up' },
      async () => {
        expect((await signUp()).statusCode).toBe(303);
        expect((await signUp()).statusCode).toBe(429);
      },
    );
    expect(refusedSignUp).toBe(1);
    const { text, families } = await scrape(s);
    expect(text).not.toContain(email);
    expect(text).not.toContain(newcomer);
    expect(
      sampleValue(families, 'latchkey_http_requests_total', {
        method: 'POST',
        route: '/login',
        status: '429',
      }),
    ).toBe(1);
  });

  it('a refresh-token reuse detection (RFC 9700 §4.14.2), and the failed refresh timed as failed', async () => {
    const app = await registerThreeLeggedApp(s);
    const user = await s.ctx.users.create('metrics-reuse@example.com', PASSWORD);
    const browser = await signedInBrowser(s, new InjectBrowser(s.app), user.id);
    const first = await getTokens(s, browser, app);
    const second = (await refresh(s.app, app.basic, first.refresh_token)).json();
    expect((await refresh(s.app, app.basic, second.refresh_token)).statusCode).toBe(200);
    const before = (await scrape(s)).families;
    // The successor was used: presenting the first token again is reuse.
    expectInvalidGrant(await refresh(s.app, app.basic, first.refresh_token));
    const { text, families } = await scrape(s);
    const delta = (name: string, labels: Record<string, string> = {}) =>
      (sampleValue(families, name, labels) ?? 0) - (sampleValue(before, name, labels) ?? 0);
    expect(delta('latchkey_refresh_token_reuse_detected_total')).toBe(1);
    expect(
      delta('latchkey_token_request_duration_seconds_count', {
        grant_type: 'refresh_token',
        outcome: 'failed',
      }),
    ).toBe(1);
    expect(sampleValue(families, 'latchkey_tokens_issued_total', { grant_type: 'refresh_token' })).toBe(2);
    expect(sampleValue(families, 'latchkey_tokens_issued_total', { grant_type: 'authorization_code' })).toBe(
      1,
    );
    for (const secret of [first.refresh_token, first.access_token, second.refresh_token, app.client.id])
      expect(text).not.toContain(secret);
  });

  it('a request the database failed (503) is counted by kind: timeout or unavailable', async () => {
    const spy = vi.spyOn(s.ctx.clients, 'findWithSecrets');
    // Client authentication fails: no token request reached the grant, so none is timed.
    const failedGrant = { grant_type: 'client_credentials', outcome: 'failed' };
    const timed = await moved(s, 'latchkey_token_request_duration_seconds_count', failedGrant, async () => {
      try {
        spy.mockRejectedValueOnce(new DatabaseTimeoutError(5000));
        const timeout = await moved(s, 'latchkey_database_errors_total', { kind: 'timeout' }, async () => {
          expect((await clientCredentials(s)).statusCode).toBe(503);
        });
        expect(timeout).toBe(1);
        spy.mockRejectedValueOnce(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));
        const unavailable = await moved(
          s,
          'latchkey_database_errors_total',
          { kind: 'unavailable' },
          async () => {
            expect((await clientCredentials(s)).statusCode).toBe(503);
          },
        );
        expect(unavailable).toBe(1);
      } finally {
        spy.mockRestore();
      }
    });
    expect(timed).toBe(0);
  });

  it(
    dialect === 'postgres'
      ? 'the PostgreSQL pool: open, idle and waiting connections and its size'
      : 'SQLite: no pool; the registration cache hits and misses',
    async () => {
      await clientCredentials(s);
      await clientCredentials(s);
      const { families } = await scrape(s);
      const pool = (name: string) => sampleValue(families, `latchkey_database_pool_${name}`);
      const cache = (name: string) => sampleValue(families, `latchkey_client_cache_${name}`);
      if (dialect === 'postgres') {
        expect(pool('max_connections')).toBe(4);
        expect(pool('connections')).toBeGreaterThanOrEqual(1);
        expect(pool('connections')).toBeLessThanOrEqual(4);
        expect(pool('idle_connections')).toBeLessThanOrEqual(pool('connections') as number);
        expect(pool('waiting_requests')).toBe(0);
        expect(cache('hits_total')).toBeUndefined();
      } else {
        expect(pool('connections')).toBeUndefined();
        const stats = s.ctx.clients.cacheStats();
        expect(cache('hits_total')).toBeGreaterThanOrEqual(1);
        expect(cache('hits_total')).toBe(stats?.hits);
        expect(cache('misses_total')).toBe(stats?.misses);
        expect(cache('entries')).toBe(stats?.size);
      }
    },
  );
});
