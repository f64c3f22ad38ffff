// Requests Fastify refuses before a route runs still get no-store JSON that echoes nothing back.

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './support/server.js';

/** Sends raw bytes and returns everything the server wrote before it closed the socket. */
function raw(port: number, bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      answer += chunk;
    });
    socket.on('error', reject);
    socket.on('close', () => resolve(answer));
    socket.write(bytes, 'latin1');
  });
}

describe('framework-level errors', () => {
  let server: TestServer;
  let port: number;

  beforeAll(async () => {
    server = await startTestServer('sqlite');
    await server.app.listen({ port: 0, host: '127.0.0.1' });
    const address = server.app.server.address();
    port = typeof address === 'object' && address ? address.port : 0;
  });
  afterAll(() => server.close());

  it('a URL that does not decode: 400 invalid_request, no-store, the URL not echoed, and shutdown still drains', async () => {
    const response = await fetch(`http://127.0.0.1:${port}/oauth/token%zz?code=SECRETCODE`);
    expect(response.status).toBe(400);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('pragma')).toBe('no-cache');
    const text = await response.text();
    expect(JSON.parse(text)).toEqual({
      error: 'invalid_request',
      error_description: 'the request URL is malformed',
    });
    expect(text).not.toContain('SECRETCODE');
    expect(text).not.toContain('%zz');
    expect(server.logs.text).not.toContain('SECRETCODE');
    // The in-flight count is balanced: an idle wait returns at once instead of timing out.
    const started = Date.now();
    await server.ctx.inFlight.idle(2_000);
    expect(Date.now() - started).toBeLessThan(500);
  });

  it('bytes that are not HTTP: 400 JSON with no-store, then the connection closes', async () => {
    const answer = await raw(port, 'GET /?token=SECRET HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n');
    expect(answer).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(answer).toContain('\r\nCache-Control: no-store\r\n');
    expect(answer.endsWith('\r\n\r\n{"error":"invalid_request"}')).toBe(true);
    expect(answer).not.toContain('SECRET');
  });

  it('headers over the limit: 431 with no-store', async () => {
    const answer = await raw(port, `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
    expect(answer).toMatch(/^HTTP\/1\.1 431 /);
    expect(answer).toContain('\r\nPragma: no-cache\r\n');
  });
});

describe('a draining server', () => {
  let s: TestServer | undefined;
  afterEach(async () => {
    await s?.close();
    s = undefined;
  });

  // Fastify's `return503OnClosing` answers requests that reach a
  // draining server (pipelined or on a busy keep-alive connection) itself, before any hook runs, so the
  // 503 lacks `Cache-Control: no-store` and `Pragma: no-cache` (RFC 6749 §5.1) and is not our
  // `{error, error_description}` JSON. Now `return503OnClosing: false` and the `onRequest` hook answers
  // a no-store `temporarily_unavailable` 503 while draining.
  it('a request reaching a draining server gets a no-store 503', async () => {
    s = await startTestServer('sqlite');
    const { app } = s;
    await s.close();
    s = undefined;
    // What a request on a kept-alive connection meets while the server drains (Fastify's router sees
    // `closing`); app.inject refuses a closed instance, so the router is served on its own socket.
    const http = createServer((req, res) => app.routing(req, res));
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    const { port } = http.address() as AddressInfo;
    let res: Response;
    try {
      res = await fetch(`http://127.0.0.1:${port}/oauth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'grant_type=client_credentials',
      });
    } finally {
      await new Promise((resolve) => http.close(resolve));
    }
    expect(res.status).toBe(503);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('pragma')).toBe('no-cache');
    expect(res.headers.get('retry-after')).toBe('1');
    expect(await res.json()).toEqual({
      error: 'temporarily_unavailable',
      error_description: 'the server is shutting down; retry',
    });
  });
});

/** What a client dripping its request saw: the bytes written back, and when the socket closed. */
interface Drip {
  answer: string;
  /** Milliseconds from the first byte to the close; `undefined` if still open after `giveUpMs`. */
  closedAfterMs: number | undefined;
}

/**
 * Sends `head` then one byte of `drip` every `everyMs` (never idle long enough for an idle timeout),
 * until the server closes the connection or `giveUpMs` passes.
 */
function drip(port: number, head: string, body: string, everyMs: number, giveUpMs: number): Promise<Drip> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const started = Date.now();
    let answer = '';
    let sent = 0;
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      answer += chunk;
    });
    socket.on('error', () => {});
    const timer = setInterval(() => {
      if (sent < body.length && socket.writable) socket.write(body[sent++] ?? '');
    }, everyMs);
    const giveUp = setTimeout(() => {
      clearInterval(timer);
      socket.destroy();
      resolve({ answer, closedAfterMs: undefined });
    }, giveUpMs);
    socket.on('close', () => {
      clearInterval(timer);
      clearTimeout(giveUp);
      resolve({ answer, closedAfterMs: Date.now() - started });
    });
    socket.write(head, 'latin1');
  });
}

// RFC 9110 §15.5.9: a client that does not send its whole request within LATCHKEY_REQUEST_TIMEOUT is
// answered 408 and cut off, instead of holding a connection (and a body buffer) for minutes.
describe('a request sent too slowly (LATCHKEY_REQUEST_TIMEOUT=1)', () => {
  let server: TestServer;
  let port: number;
  /** The timeout, plus Node's connection check (at most a second) and a busy machine's slack. */
  const DEADLINE_MS = 1_000 + 2_500;

  beforeAll(async () => {
    server = await startTestServer('sqlite', { LATCHKEY_REQUEST_TIMEOUT: '1' });
    await server.app.listen({ port: 0, host: '127.0.0.1' });
    const address = server.app.server.address();
    port = typeof address === 'object' && address ? address.port : 0;
  });
  afterAll(() => server.close());

  it('a body dripped one byte every 100 ms: 408 no-store, closed within the timeout, shutdown not held up', async () => {
    const body = `grant_type=client_credentials&scope=${'a'.repeat(200)}`;
    const head =
      'POST /oauth/token HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n' +
      `Content-Length: ${body.length}\r\n\r\n`;
    const result = await drip(port, head, body, 100, 8_000);
    expect(result.closedAfterMs, 'the connection was still open after 8 s').toBeDefined();
    expect(result.closedAfterMs).toBeLessThan(DEADLINE_MS);
    expect(result.answer).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
    expect(result.answer).toContain('\r\nCache-Control: no-store\r\n');
    // The request that never arrived whole leaves no handler counted as running.
    const started = Date.now();
    await server.ctx.inFlight.idle(2_000);
    expect(Date.now() - started).toBeLessThan(500);
  });

  it('headers dripped one byte every 100 ms: 408, closed within the timeout', async () => {
    const head = `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ${'a'.repeat(200)}\r\n\r\n`;
    const result = await drip(port, '', head, 100, 8_000);
    expect(result.closedAfterMs, 'the connection was still open after 8 s').toBeDefined();
    expect(result.closedAfterMs).toBeLessThan(DEADLINE_MS);
    expect(result.answer).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('a request sent at once is answered as usual', async () => {
    const res = await fetch(`http://127.0.0.1:${port}/oauth/token`, {
      method: 'POST',
      headers: { authorization: server.basic() },
      body: new URLSearchParams({ grant_type: 'client_credentials' }),
    });
    expect(res.status).toBe(200);
  });
});

describe('a client that hangs up in the middle of its body', () => {
  let s: TestServer;
  let port: number;
  beforeAll(async () => {
    s = await startTestServer('sqlite', { LATCHKEY_LOG_LEVEL: 'debug' });
    await s.app.listen({ port: 0, host: '127.0.0.1' });
    port = (s.app.server.address() as AddressInfo).port;
  });
  afterAll(() => s.close());

  it('is logged as an aborted request at debug level, with its error code readable, not as a database outage', async () => {
    // Headers announcing a body twice the length of the half that is sent, then the socket closes.
    const half = 'grant_type=client_credentials&scope=data%3Aread&padding=';
    await new Promise<void>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.write(
          'POST /oauth/token HTTP/1.1\r\nHost: localhost\r\n' +
            'Content-Type: application/x-www-form-urlencoded\r\n' +
            `Content-Length: ${half.length * 2}\r\n\r\n${half}`,
          () => socket.destroy(),
        );
      });
      socket.on('error', reject);
      socket.on('close', () => resolve());
    });
    const logged = () => s.logs.lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    const deadline = Date.now() + 5000;
    while (
      !logged().some((line) => line['msg'] === 'request aborted by the client') &&
      Date.now() < deadline
    ) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const aborted = logged().filter((line) => line['msg'] === 'request aborted by the client');
    expect(aborted).toHaveLength(1);
    expect(aborted[0]).toMatchObject({ level: 20, err: { code: 'ECONNRESET' } });
    expect(s.logs.text).not.toContain('database unavailable');
    expect(logged().filter((line) => Number(line['level']) >= 40)).toEqual([]);
  });
});
