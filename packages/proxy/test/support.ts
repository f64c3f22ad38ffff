// Test helpers: loopback servers (faulty upstream, proxy hosts), a capturing logger, HTTP helpers.

import {
  createServer,
  type IncomingMessage,
  type RequestListener,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { LogFields, ProxyLogger } from '../src/logger.js';
import type { RetryTiming } from '../src/retry-policy.js';

/** A listening loopback server that tracks its sockets so `close()` never waits. */
export interface TestServer {
  server: Server;
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Starts a node:http server on 127.0.0.1 on a free port. */
export async function listen(listener: RequestListener): Promise<TestServer> {
  const server = createServer(listener);
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen({ port: 0, host: '127.0.0.1', backlog: 2048 }, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    server,
    port,
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** What the faulty upstream saw. */
export interface UpstreamCall {
  authorization: string | undefined;
  body: string;
}

/** A scripted token endpoint: `behave(callIndex, req, res)` answers each call. */
export async function scriptedUpstream(
  behave: (index: number, req: IncomingMessage, res: ServerResponse) => void,
): Promise<TestServer & { calls: UpstreamCall[] }> {
  const calls: UpstreamCall[] = [];
  const server = await listen((req, res) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      calls.push({ authorization: req.headers.authorization, body });
      behave(calls.length - 1, req, res);
    });
  });
  return Object.assign(server, { calls });
}

/** Answers a valid client-credentials token response. */
export function sendToken(res: ServerResponse, token: string, expiresIn = 3600): void {
  res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify({ access_token: token, token_type: 'Bearer', expires_in: expiresIn }));
}

/** A logger keeping every line as text, to check what was (and was not) logged. */
export function captureLogger(): ProxyLogger & { lines: string[] } {
  const lines: string[] = [];
  const push = (level: string) => (message: string, fields: LogFields) => {
    lines.push(JSON.stringify({ level, message, ...fields }));
  };
  return { lines, warn: push('warn'), error: push('error') };
}

/** GETs a URL and returns status, headers and body text. */
export async function get(url: string, headers: Record<string, string> = {}, method = 'GET') {
  const response = await fetch(url, { method, headers });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, json: () => JSON.parse(text) };
}

/** A marker the faulty upstream puts in its bodies; it must never reach a browser. */
export const MARKER = 'UPSTREAM-BODY-MARKER-7f3a9c';
/** The client secret used against the faulty upstream; it must never appear in answers or logs. */
export const SECRET = 'proxy-test-secret-DO-NOT-LEAK-0123456789';

/**
 * Runs `check` until it stops throwing and returns its result: how a test waits for an event it cannot
 * await (a background refresh landing). Real timers and `performance.now()` only, so it also works
 * while the test drives `Date` (`vi.useFakeTimers({ toFake: ['Date'] })`, where `vi.waitFor` would
 * move that clock). The deadline only ends a wait that will never succeed; it is not asserted.
 */
export async function eventually<T>(check: () => T | Promise<T>, deadlineMs = 10_000): Promise<T> {
  const giveUpAt = performance.now() + deadlineMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (performance.now() > giveUpAt) throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** A virtual clock for the proxy's retry loop: it records each wait and moves at once, nothing sleeps. */
export interface VirtualTiming extends RetryTiming {
  /** Every wait the retry loop asked for, in ms, in order. */
  readonly waits: number[];
  /** Moves the clock forward by `ms` (time an attempt spends at the upstream). */
  advance(ms: number): void;
  /** Time on this clock since it was made, in ms. */
  elapsed(): number;
}

/**
 * A {@link VirtualTiming} starting on a whole second (so an HTTP-date `Retry-After` parses to an exact
 * delay) with a fixed jitter draw: with the default 0.5 each backoff is half its ceiling, so the waits
 * of `backoffBaseMs: 20` are 10, 20, 40, ...
 */
export function virtualTiming(random = 0.5): VirtualTiming {
  const start = Math.ceil(Date.now() / 1000) * 1000;
  let now = start;
  const waits: number[] = [];
  return {
    waits,
    now: () => now,
    random: () => random,
    sleep: async (ms) => {
      waits.push(ms);
      now += ms;
    },
    advance: (ms) => {
      now += ms;
    },
    elapsed: () => now - start,
  };
}
