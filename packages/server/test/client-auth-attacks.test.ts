import type { LightMyRequestResponse } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';
import { PER_ADDRESS_LIMIT_FACTOR } from '../src/http/login-throttle.js';
import { csrfOf, formAction, InjectBrowser } from './support/browser.js';
import { dialects, FORM, startTestServer, type TestServer } from './support/server.js';

const PASSWORD = 'correct horse battery';

const GRANT = 'grant_type=client_credentials';
const MAX = 5;

/** A client_credentials request from `ip` (the TCP peer), with extra headers. */
function tokenFrom(s: TestServer, ip: string, secret: string, headers: Record<string, string> = {}) {
  return s.app.inject({
    method: 'POST',
    url: '/oauth/token',
    remoteAddress: ip,
    headers: { ...FORM, ...headers, authorization: s.basic(s.credentials.clientId, secret) },
    payload: GRANT,
  });
}

/** A 429 as RFC 6585 §4 has it: Retry-After within the window, a generic body, no device-flow code. */
function expectThrottled(res: LightMyRequestResponse) {
  expect(res.statusCode).toBe(429);
  const retryAfter = Number(res.headers['retry-after']);
  expect(retryAfter).toBeGreaterThan(0);
  expect(retryAfter).toBeLessThanOrEqual(60);
  expect(res.headers['cache-control']).toBe('no-store');
  expect(res.json()).toEqual({
    error: 'temporarily_unavailable',
    error_description: 'too many failed attempts; retry later',
  });
}

const statuses = (responses: LightMyRequestResponse[]) =>
  responses.map((r) => r.statusCode).sort((a, b) => a - b);

describe.each(dialects())('client authentication throttling on %s', (dialect) => {
  let s: TestServer;
  afterEach(async () => {
    await s?.close();
  });
  const start = async (env: Record<string, string> = {}) => {
    s = await startTestServer(dialect, {
      LATCHKEY_AUTH_MAX_FAILURES: String(MAX),
      LATCHKEY_AUTH_FAILURE_WINDOW: '60',
      ...env,
    });
    return s;
  };

  it('20 wrong secrets sent in parallel: exactly 5 × 401, then 15 × 429 with Retry-After', async () => {
    await start();
    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, i) => tokenFrom(s, '10.0.0.1', `guess-${i}`)),
    );
    expect(statuses(responses)).toEqual([...Array(5).fill(401), ...Array(15).fill(429)]);
    for (const res of responses.filter((r) => r.statusCode === 401)) {
      expect(res.json().error).toBe('invalid_client');
      expect(res.headers['www-authenticate']).toBe('Basic realm="latchkey", charset="UTF-8"');
    }
    for (const res of responses.filter((r) => r.statusCode === 429)) expectThrottled(res);
    // The right secret learns nothing from the locked IP.
    expectThrottled(await tokenFrom(s, '10.0.0.1', s.credentials.clientSecret));
  });

  it('the right secret at the end of a burst of 20 wrong ones is refused: the counts are read after the comparison, never with the lookup', async () => {
    await start();
    // Warm the registration cache, so every request of the burst finds its app without a query.
    expect((await tokenFrom(s, '10.0.0.9', s.credentials.clientSecret)).statusCode).toBe(200);
    const burst = [
      ...Array.from({ length: 20 }, (_, i) => tokenFrom(s, '10.0.0.1', `guess-${i}`)),
      tokenFrom(s, '10.0.0.1', s.credentials.clientSecret),
    ];
    const responses = await Promise.all(burst);
    // Read before the comparison, the right secret's counts would miss the burst's failures (200).
    expectThrottled(responses.at(-1) as LightMyRequestResponse);
    expect(statuses(responses)).toEqual([...Array(5).fill(401), ...Array(16).fill(429)]);
  });

  it('the right secret is never throttled: 30 in parallel, then many in a row after near-limit failures', async () => {
    await start();
    const parallel = await Promise.all(
      Array.from({ length: 30 }, () => tokenFrom(s, '10.0.0.1', s.credentials.clientSecret)),
    );
    expect(statuses(parallel)).toEqual(Array(30).fill(200));
    for (let i = 0; i < MAX - 1; i++) expect((await tokenFrom(s, '10.0.0.1', 'bad')).statusCode).toBe(401);
    for (let i = 0; i < 50; i++) {
      expect((await tokenFrom(s, '10.0.0.1', s.credentials.clientSecret)).statusCode).toBe(200);
    }
    // Successes did not reset or consume the count: one more failure reaches the limit.
    expect((await tokenFrom(s, '10.0.0.1', 'bad')).statusCode).toBe(401);
    expectThrottled(await tokenFrom(s, '10.0.0.1', s.credentials.clientSecret));
  });

  it('an attacker failing for a client locks out itself, not the client from another IP', async () => {
    await start();
    for (let i = 0; i < MAX; i++) expect((await tokenFrom(s, '203.0.113.9', `g${i}`)).statusCode).toBe(401);
    expectThrottled(await tokenFrom(s, '203.0.113.9', 'another guess'));
    // The attacker's IP is refused for every client ID (per-IP key), the right secret included.
    expectThrottled(await tokenFrom(s, '203.0.113.9', s.credentials.clientSecret));
    const spray = await s.app.inject({
      method: 'POST',
      url: '/oauth/token',
      remoteAddress: '203.0.113.9',
      headers: { ...FORM, authorization: s.basic('lk_someone_else', 'x') },
      payload: GRANT,
    });
    expectThrottled(spray);
    // The app itself, from its own address, keeps working.
    const own = await tokenFrom(s, '198.51.100.7', s.credentials.clientSecret);
    expect(own.statusCode).toBe(200);
    expect(own.json().token_type).toBe('Bearer');
  });

  it('a brute force spread over many IPs is bounded per client ID at 10 × the limit', async () => {
    await start();
    // Nine IPs, each just at its own limit: 45 failures, the app still works.
    for (let ip = 1; ip <= 9; ip++) {
      for (let i = 0; i < MAX; i++) expect((await tokenFrom(s, `10.1.0.${ip}`, 'g')).statusCode).toBe(401);
    }
    expect((await tokenFrom(s, '198.51.100.7', s.credentials.clientSecret)).statusCode).toBe(200);
    // A tenth IP brings the client ID to 50: now every IP is refused for it.
    for (let i = 0; i < MAX; i++) expect((await tokenFrom(s, '10.1.0.10', 'g')).statusCode).toBe(401);
    expectThrottled(await tokenFrom(s, '10.1.0.11', 'g'));
    expectThrottled(await tokenFrom(s, '198.51.100.7', s.credentials.clientSecret));
  });

  it('X-Forwarded-For is ignored by default: spoofed addresses share the peer’s count', async () => {
    await start();
    for (let i = 0; i < MAX; i++) {
      const res = await tokenFrom(s, '127.0.0.1', 'g', { 'x-forwarded-for': `203.0.113.${i}` });
      expect(res.statusCode).toBe(401);
    }
    expectThrottled(await tokenFrom(s, '127.0.0.1', 'g', { 'x-forwarded-for': '203.0.113.99' }));
  });

  it('LATCHKEY_TRUST_PROXY=<proxy address>: X-Forwarded-For names the client, but only from that proxy', async () => {
    await start({ LATCHKEY_TRUST_PROXY: '127.0.0.1' });
    const viaProxy = (clientIp: string, secret: string) =>
      tokenFrom(s, '127.0.0.1', secret, { 'x-forwarded-for': clientIp });
    for (let i = 0; i < MAX; i++) expect((await viaProxy('203.0.113.9', 'g')).statusCode).toBe(401);
    expectThrottled(await viaProxy('203.0.113.9', 'g'));
    // Another client behind the same proxy is its own IP.
    expect((await viaProxy('198.51.100.7', s.credentials.clientSecret)).statusCode).toBe(200);
    // A peer that is not the proxy cannot pick its address: its header is ignored, so it cannot burn
    // the count of the address it names, and is counted (and throttled) as itself.
    for (let i = 0; i < MAX; i++) {
      const res = await tokenFrom(s, '192.0.2.50', 'g', { 'x-forwarded-for': '198.51.100.7' });
      expect(res.statusCode).toBe(401);
    }
    expectThrottled(await tokenFrom(s, '192.0.2.50', 'g', { 'x-forwarded-for': '198.51.100.8' }));
    expect((await viaProxy('198.51.100.7', s.credentials.clientSecret)).statusCode).toBe(200);
  });

  it('LATCHKEY_TRUST_PROXY=1: one hop is trusted, the address the proxy saw counts', async () => {
    await start({ LATCHKEY_TRUST_PROXY: '1' });
    // The client forged an entry; the proxy appended what it saw. Only the last one counts.
    const viaProxy = (seen: string, secret: string) =>
      tokenFrom(s, '10.20.0.1', secret, { 'x-forwarded-for': `198.51.100.7, ${seen}` });
    for (let i = 0; i < MAX; i++) expect((await viaProxy('203.0.113.9', 'g')).statusCode).toBe(401);
    expectThrottled(await viaProxy('203.0.113.9', 'g'));
    expect((await viaProxy('198.51.100.7', s.credentials.clientSecret)).statusCode).toBe(200);
  });
});

describe('LATCHKEY_TRUST_PROXY parsing', () => {
  const parse = (value: string | undefined) =>
    loadConfig(value === undefined ? {} : { LATCHKEY_TRUST_PROXY: value }).trustProxy;

  it('defaults to false; accepts true, false, a hop count, addresses and CIDRs', () => {
    expect(parse(undefined)).toBe(false);
    expect(parse('false')).toBe(false);
    expect(parse('true')).toBe(true);
    expect(parse('10.0.0.1, 10.1.0.0/16,::1,fd00::/8,loopback')).toEqual([
      '10.0.0.1',
      '10.1.0.0/16',
      '::1',
      'fd00::/8',
      'loopback',
    ]);
    const hops = parse('2');
    expect(typeof hops).toBe('function');
    const trusts = hops as (address: string, hop: number) => boolean;
    expect([0, 1, 2].map((hop) => trusts('10.0.0.1', hop))).toEqual([true, true, false]);
  });

  it.each(['yes', '10.0.0.300', '10.0.0.0/33', '::/129', 'proxy.example', '10.0.0.1,', '1/2/3'])(
    '"%s" fails fast naming the variable',
    (value) => {
      expect(() => parse(value)).toThrow(ConfigError);
      expect(() => parse(value)).toThrow(/LATCHKEY_TRUST_PROXY/);
    },
  );
});

describe('IPv6 clients are throttled per /64 (LATCHKEY_TRUST_PROXY, X-Forwarded-For)', () => {
  let s: TestServer;
  afterEach(async () => {
    await s?.close();
  });
  const start = async (env: Record<string, string>) => {
    s = await startTestServer('sqlite', { LATCHKEY_TRUST_PROXY: '127.0.0.1', ...env });
  };

  /** A client_credentials request through the trusted proxy at 127.0.0.1 for `client`. */
  const tokenFor = (client: string, secret: string) =>
    s.app.inject({
      method: 'POST',
      url: '/oauth/token',
      remoteAddress: '127.0.0.1',
      headers: { ...FORM, 'x-forwarded-for': client, authorization: s.basic(s.credentials.clientId, secret) },
      payload: 'grant_type=client_credentials',
    });

  it('client authentication: two addresses of one /64 share the limit, another /64 does not', async () => {
    await start({ LATCHKEY_AUTH_MAX_FAILURES: '3', LATCHKEY_AUTH_FAILURE_WINDOW: '60' });
    for (const client of ['2001:db8:1:2::a', '2001:db8:1:2::b', '2001:0db8:0001:0002:ffff::c'])
      expect((await tokenFor(client, 'wrong')).statusCode).toBe(401);
    expect((await tokenFor('2001:db8:1:2:abcd::d', s.credentials.clientSecret)).statusCode).toBe(429);
    expect((await tokenFor('2001:db8:1:3::a', s.credentials.clientSecret)).statusCode).toBe(200);
  });

  it('client authentication: IPv4 stays per address', async () => {
    await start({ LATCHKEY_AUTH_MAX_FAILURES: '3', LATCHKEY_AUTH_FAILURE_WINDOW: '60' });
    for (let i = 0; i < 3; i++) expect((await tokenFor('203.0.113.9', 'wrong')).statusCode).toBe(401);
    expect((await tokenFor('203.0.113.9', s.credentials.clientSecret)).statusCode).toBe(429);
    expect((await tokenFor('203.0.113.10', s.credentials.clientSecret)).statusCode).toBe(200);
  });

  it('sign-in: failures from one /64 for different accounts share the per-IP limit', async () => {
    await start({ LATCHKEY_LOGIN_MAX_FAILURES: '3' });
    const login = async (client: string, email: string) => {
      const browser = new InjectBrowser(s.app);
      const page = await browser.get('/login');
      return browser.post(
        formAction(page.body),
        { csrf: csrfOf(page.body), email, password: 'wrong password' },
        { 'x-forwarded-for': client },
      );
    };
    for (let i = 1; i <= 3 * PER_ADDRESS_LIMIT_FACTOR; i++)
      expect((await login(`2001:db8:7:8::${i}`, `u${i}@example.com`)).statusCode).toBe(401);
    expect((await login('2001:db8:7:8:ffff::99', 'u99@example.com')).statusCode).toBe(429);
    expect((await login('2001:db8:7:9::1', 'u100@example.com')).statusCode).toBe(401);
  });

  it('sign-up: addresses of one /64 share the per-IP limit', async () => {
    await start({ LATCHKEY_SIGNUP_MAX_PER_IP: '2' });
    let n = 0;
    const signup = async (client: string) => {
      const browser = new InjectBrowser(s.app);
      const page = await browser.get('/signup');
      return browser.post(
        formAction(page.body),
        { csrf: csrfOf(page.body), name: 'New', email: `new${n++}@example.com`, password: PASSWORD },
        { 'x-forwarded-for': client },
      );
    };
    expect((await signup('2001:db8:5:6::1')).statusCode).toBe(303);
    expect((await signup('2001:db8:5:6::2')).statusCode).toBe(303);
    expect((await signup('2001:db8:5:6:1:2:3:4')).statusCode).toBe(429);
    expect((await signup('2001:db8:5:7::1')).statusCode).toBe(303);
  });
});
