/** The proxy against a faulty upstream on loopback: slow, 500, 429 + Retry-After, cut sockets, invalid_client. */
import type { FetchLike } from '@latchkey/client';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createTokenProxyWithTiming } from '../src/create-token-proxy.js';
import type { TokenProxyOptions } from '../src/index.js';
import {
  captureLogger,
  eventually,
  get,
  listen,
  MARKER,
  SECRET,
  scriptedUpstream,
  sendToken,
  type TestServer,
  type VirtualTiming,
  virtualTiming,
} from './support.js';

const servers: TestServer[] = [];
afterEach(async () => {
  vi.useRealTimers();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function setup(
  behave: Parameters<typeof scriptedUpstream>[0],
  options: Partial<TokenProxyOptions> = {},
  // The retry loop runs on a virtual clock: waits are recorded (backoff 20 ms base: 10, 20, 40, ...), not slept.
  timing = virtualTiming(),
) {
  const upstream = await scriptedUpstream(behave);
  const logger = captureLogger();
  const proxy = createTokenProxyWithTiming(
    {
      tokenEndpoint: `${upstream.url}/oauth/token`,
      clientId: 'proxy-client',
      clientSecret: SECRET,
      allowedScopes: ['data:read', 'data:write'],
      defaultScope: 'data:read',
      allowedOrigins: ['https://app.example'],
      backoffBaseMs: 20,
      logger,
      ...options,
    },
    timing,
  );
  const host = await listen(proxy.handler);
  servers.push(upstream, host);
  return { upstream, host, logger, timing, tokenUrl: `${host.url}/token` };
}

/**
 * The proxy's `fetch` for an upstream that never answers: each attempt lasts its whole time limit, so
 * the virtual clock moves by `min(timeoutMs, time left before the deadline)` as the attempt starts (the
 * real request is cut by the SDK's own timer of that length). Counts the attempts the proxy made.
 */
function attemptsLastTheirLimit(timing: VirtualTiming, limits: { timeoutMs: number; deadlineMs: number }) {
  const deadline = timing.now() + limits.deadlineMs;
  const made = { count: 0 };
  const fetch: FetchLike = (input, init) => {
    made.count++;
    timing.advance(Math.min(limits.timeoutMs, deadline - timing.now()));
    return globalThis.fetch(input, init);
  };
  return { fetch, made };
}

/** Nothing the upstream said and no secret may be in the answer or the logs. */
function expectNoLeak(answer: { text: string; headers: Headers }, logs: string[]) {
  const everything = `${answer.text}\n${[...answer.headers].join('\n')}\n${logs.join('\n')}`;
  expect(everything).not.toContain(MARKER);
  expect(everything).not.toContain(SECRET);
  expect(everything).not.toContain(Buffer.from(`proxy-client:${SECRET}`).toString('base64'));
}

describe('faulty upstream', () => {
  it('sends Basic client credentials and a client_credentials grant upstream', async () => {
    const { upstream, tokenUrl } = await setup((_i, _req, res) => sendToken(res, 'tok-1'));
    const answer = await get(`${tokenUrl}?scope=data:write+data:read`);
    expect(answer.status).toBe(200);
    expect(upstream.calls).toHaveLength(1);
    expect(upstream.calls[0]?.authorization).toBe(
      `Basic ${Buffer.from(`proxy-client:${SECRET}`).toString('base64')}`,
    );
    expect(new URLSearchParams(upstream.calls[0]?.body)).toEqual(
      new URLSearchParams({ grant_type: 'client_credentials', scope: 'data:read data:write' }),
    );
  });

  it('slow upstream: 504 within the deadline, generic body, the request never hangs', async () => {
    const timing = virtualTiming();
    const limits = { timeoutMs: 200, retries: 1, deadlineMs: 1000 };
    const attempts = attemptsLastTheirLimit(timing, limits);
    const { upstream, tokenUrl, logger } = await setup(
      () => undefined /* never answers */,
      { ...limits, fetch: attempts.fetch },
      timing,
    );
    const answer = await get(tokenUrl, { origin: 'https://app.example' });
    expect(answer.status).toBe(504);
    expect(answer.json()).toEqual({
      error: 'upstream_unavailable',
      error_description: 'The authorization server did not answer in time.',
    });
    expect(answer.headers.get('cache-control')).toBe('no-store');
    expect(answer.headers.get('access-control-allow-origin')).toBe('https://app.example');
    expect(upstream.calls).toHaveLength(2);
    expect(attempts.made.count).toBe(2);
    // Two attempts of 200 ms with one backoff wait of 10 ms between them: 410 ms of the 1000 ms deadline.
    expect(timing.waits).toEqual([10]);
    expect(timing.elapsed()).toBe(410);
    expect(logger.lines.join()).toContain('"kind":"timeout"');
    expectNoLeak(answer, logger.lines);
  });

  it('the overall deadline bounds attempts + backoff whatever the retry count', async () => {
    const timing = virtualTiming();
    const limits = { timeoutMs: 300, retries: 10, deadlineMs: 700 };
    const attempts = attemptsLastTheirLimit(timing, limits);
    const { tokenUrl } = await setup(() => undefined, { ...limits, fetch: attempts.fetch }, timing);
    const answer = await get(tokenUrl);
    expect(answer.status).toBe(504);
    expect(answer.json()).toEqual({
      error: 'upstream_unavailable',
      error_description: 'The authorization server did not answer in time.',
    });
    // 300 ms, wait 10, 300 ms, wait 20, then the 70 ms left: the next wait (40) would pass the deadline,
    // so the proxy answers at 700 ms with 8 of its 10 retries unused.
    expect(attempts.made.count).toBe(3);
    expect(timing.waits).toEqual([10, 20]);
    expect(timing.elapsed()).toBe(700);
  });

  it('500: bounded retries with backoff, then 502 with a generic body (upstream body never leaks)', async () => {
    const { upstream, tokenUrl, logger, timing } = await setup(
      (_i, _req, res) => {
        res.writeHead(500, { 'content-type': 'application/json', 'x-upstream': MARKER });
        res.end(JSON.stringify({ error: 'server_error', error_description: MARKER, secret: MARKER }));
      },
      { retries: 3 },
    );
    const answer = await get(tokenUrl);
    expect(answer.status).toBe(502);
    expect(answer.json()).toEqual({
      error: 'upstream_unavailable',
      error_description: 'The authorization server did not issue a token.',
    });
    expect(upstream.calls).toHaveLength(4);
    // Full-jitter backoff, ceilings 20, 40, 80 ms, drawn at 0.5.
    expect(timing.waits).toEqual([10, 20, 40]);
    expectNoLeak(answer, logger.lines);
    expect(logger.lines).toHaveLength(1);
    expect(JSON.parse(logger.lines[0]!)).toMatchObject({ status: 500, attempts: 4, error: 'server_error' });
  });

  it('500 with an HTML body, then a token: the retry succeeds', async () => {
    const { upstream, tokenUrl, timing } = await setup((i, _req, res) => {
      if (i === 0) {
        res.writeHead(503, { 'content-type': 'text/html' });
        res.end(`<h1>${MARKER}</h1>`);
      } else sendToken(res, 'tok-after-retry');
    });
    const answer = await get(tokenUrl);
    expect(answer.status).toBe(200);
    expect(answer.json().access_token).toBe('tok-after-retry');
    expect(upstream.calls).toHaveLength(2);
    expect(timing.waits).toEqual([10]);
  });

  it('429 with Retry-After: 1 is honoured (the retry waits a second, not the backoff)', async () => {
    const { upstream, tokenUrl, timing } = await setup((i, _req, res) => {
      if (i === 0) {
        res.writeHead(429, { 'retry-after': '1', 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: 'slow_down', error_description: MARKER }));
      } else sendToken(res, 'tok-429');
    });
    const answer = await get(tokenUrl);
    expect(answer.status).toBe(200);
    expect(answer.json().access_token).toBe('tok-429');
    expect(upstream.calls).toHaveLength(2);
    expect(timing.waits).toEqual([1000]);
  });

  it('429 with an HTTP-date Retry-After beyond the deadline: 502 at once with Retry-After', async () => {
    const timing = virtualTiming();
    const { upstream, tokenUrl, logger } = await setup(
      (_i, _req, res) => {
        // 30 s from the proxy's clock, which starts on a whole second: the date parses to exactly 30 s.
        res.writeHead(429, { 'retry-after': new Date(timing.now() + 30_000).toUTCString() });
        res.end(MARKER);
      },
      { deadlineMs: 3000, maxRetryAfterMs: 10_000 },
      timing,
    );
    const answer = await get(tokenUrl);
    // "At once": even the capped wait (10 s) passes the 3 s deadline, so no wait is requested at all.
    expect(timing.waits).toEqual([]);
    expect(timing.elapsed()).toBe(0);
    expect(answer.status).toBe(502);
    expect(answer.headers.get('retry-after')).toBe('30');
    expect(upstream.calls).toHaveLength(1);
    expectNoLeak(answer, logger.lines);
  });

  it('a Retry-After above maxRetryAfterMs is capped', async () => {
    const { upstream, tokenUrl, timing } = await setup(
      (i, _req, res) => {
        if (i === 0) {
          res.writeHead(503, { 'retry-after': '3600' });
          res.end();
        } else sendToken(res, 'tok-capped');
      },
      { maxRetryAfterMs: 300 },
    );
    const answer = await get(tokenUrl);
    expect(answer.status).toBe(200);
    expect(upstream.calls).toHaveLength(2);
    expect(timing.waits).toEqual([300]);
  });

  it('socket closed mid-response: retried, then 502', async () => {
    const { upstream, tokenUrl, logger, timing } = await setup(
      (_i, _req, res) => {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '500' });
        // Cut the socket once the headers and part of the body are out (not before they are).
        res.write(`{"access_token":"${MARKER}`, () => res.socket?.destroy());
      },
      { retries: 2 },
    );
    const answer = await get(tokenUrl);
    expect(answer.status).toBe(502);
    expect(answer.json().error).toBe('upstream_unavailable');
    expect(upstream.calls).toHaveLength(3);
    expect(timing.waits).toEqual([10, 20]);
    expect(logger.lines.join()).toContain('OAUTH_NETWORK_ERROR');
    expectNoLeak(answer, logger.lines);
  });

  it('connection refused: 502', async () => {
    const closed = await listen(() => undefined);
    const url = closed.url;
    await closed.close();
    const logger = captureLogger();
    const timing = virtualTiming();
    const proxy = createTokenProxyWithTiming(
      {
        tokenEndpoint: `${url}/oauth/token`,
        clientId: 'proxy-client',
        clientSecret: SECRET,
        allowedScopes: 'data:read',
        defaultScope: 'data:read',
        backoffBaseMs: 10,
        logger,
      },
      timing,
    );
    const host = await listen(proxy.handler);
    servers.push(host);
    const answer = await get(`${host.url}/token`);
    expect(answer.status).toBe(502);
    // The default 2 retries, with backoff ceilings 10 and 20 ms drawn at 0.5.
    expect(timing.waits).toEqual([5, 10]);
    expectNoLeak(answer, logger.lines);
  });

  it('invalid_client: no retry, 502 generic; logged by code without the secret or the description', async () => {
    const { upstream, tokenUrl, logger, timing } = await setup((_i, _req, res) => {
      res.writeHead(401, { 'content-type': 'application/json', 'www-authenticate': 'Basic realm="x"' });
      res.end(JSON.stringify({ error: 'invalid_client', error_description: `${MARKER} ${SECRET}` }));
    });
    const answer = await get(tokenUrl, { origin: 'https://app.example' });
    expect(answer.status).toBe(502);
    expect(answer.json()).toEqual({
      error: 'upstream_unavailable',
      error_description: 'The authorization server did not issue a token.',
    });
    expect(answer.headers.get('www-authenticate')).toBeNull();
    expect(upstream.calls).toHaveLength(1);
    expect(timing.waits).toEqual([]);
    expect(JSON.parse(logger.lines[0]!)).toMatchObject({
      kind: 'rejected',
      status: 401,
      error: 'invalid_client',
    });
    expectNoLeak(answer, logger.lines);
  });

  it('a 200 that is not a token (HTML, missing access_token): 502, not retried', async () => {
    const { upstream, tokenUrl, logger } = await setup((_i, _req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(`<html>${MARKER}</html>`);
    });
    const answer = await get(tokenUrl);
    expect(answer.status).toBe(502);
    expect(upstream.calls).toHaveLength(1);
    expectNoLeak(answer, logger.lines);
  });

  it('after a failure the next request tries again (failures are not cached)', async () => {
    const { upstream, tokenUrl } = await setup(
      (i, _req, res) => {
        if (i === 0) {
          res.writeHead(400, { 'content-type': 'application/json' });
          res.end('{"error":"invalid_request"}');
        } else sendToken(res, 'tok-later');
      },
      { retries: 0 },
    );
    expect((await get(tokenUrl)).status).toBe(502);
    expect((await get(tokenUrl)).json().access_token).toBe('tok-later');
    expect(upstream.calls).toHaveLength(2);
  });

  it('refresh ahead: inside the window the current token is served while one background refresh runs', async () => {
    // The test sets the clock (Date only: timers and sockets stay real) and holds the refresh answer,
    // so no sleep decides whether a request lands inside the window or before the refresh is stored.
    vi.useFakeTimers({ toFake: ['Date'] });
    let failRefresh = false;
    let answerRefresh: () => void = () => undefined;
    const refreshAnswered = new Promise<void>((resolve) => {
      answerRefresh = resolve;
    });
    const { upstream, tokenUrl, logger } = await setup(
      (i, _req, res) => {
        if (failRefresh) {
          res.writeHead(503);
          res.end(MARKER);
        } else if (i === 0) sendToken(res, 'tok-0', 3);
        else void refreshAnswered.then(() => sendToken(res, `tok-${i}`, 3));
      },
      { skewSeconds: 1, retries: 0 },
    );
    // Token lives 3 s, skew 1 s: background refresh from 1 s, never handed out after 2 s.
    const start = Date.now();
    const first = (await get(tokenUrl)).json();
    expect(first).toMatchObject({ access_token: 'tok-0' });
    vi.setSystemTime(start + 1100);
    const inWindow = await Promise.all([get(tokenUrl), get(tokenUrl), get(tokenUrl)]);
    expect(inWindow.map((a) => a.json().access_token)).toEqual(['tok-0', 'tok-0', 'tok-0']);
    await eventually(() => expect(upstream.calls).toHaveLength(2));
    answerRefresh();
    const refreshed = await eventually(async () => {
      const answer = (await get(tokenUrl)).json();
      expect(answer.access_token).toBe('tok-1');
      return answer;
    });
    expect(refreshed.expires_in).toBeGreaterThanOrEqual(2);
    expect(upstream.calls).toHaveLength(2);
    // A failed background refresh keeps the current token until it goes stale, then the caller gets 502.
    failRefresh = true;
    const refreshedAt = Date.now();
    vi.setSystemTime(refreshedAt + 1100);
    expect((await get(tokenUrl)).json().access_token).toBe('tok-1');
    await eventually(() => expect(logger.lines.join('\n')).toContain('upstream token request failed'));
    expect(upstream.calls).toHaveLength(3);
    expect((await get(tokenUrl)).json().access_token).toBe('tok-1');
    vi.setSystemTime(refreshedAt + 2100);
    expect((await get(tokenUrl)).status).toBe(502);
  });

  it('no token or secret in the logs after successes and failures', async () => {
    const { tokenUrl, logger } = await setup(
      (i, _req, res) => {
        if (i % 2 === 0) sendToken(res, `tok-secret-value-${i}`, 1);
        else {
          res.writeHead(500);
          res.end(MARKER);
        }
      },
      { retries: 0, skewSeconds: 0 },
    );
    // Each token lives 1 s: the test moves the clock past it instead of waiting.
    vi.useFakeTimers({ toFake: ['Date'] });
    const answers = [];
    for (let i = 0; i < 4; i++) {
      answers.push(await get(tokenUrl));
      vi.setSystemTime(Date.now() + 1100);
    }
    expect(answers.map((a) => a.status)).toEqual([200, 502, 200, 502]);
    const logs = logger.lines.join('\n');
    expect(logs).not.toContain('tok-secret-value');
    expect(logs).not.toContain(SECRET);
    expect(logs).not.toContain(MARKER);
  });
});
