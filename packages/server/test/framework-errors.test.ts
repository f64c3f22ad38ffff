// Requests Fastify refuses before a route runs still get no-store JSON that echoes nothing back.
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './support.js';

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
