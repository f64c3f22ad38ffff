// A trivial protected API on 127.0.0.1 for tests, plus a fetch helper that returns status, headers, body.
import { createServer, type Server } from 'node:http';
import type { TokenGuard } from '../token-guard.js';
import { close, listen } from './auth-server.js';

export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  json: Record<string, unknown>;
}

/** Starts `guard.nodeHandler` around a handler echoing the caller's sub and scopes. */
export async function startApi(
  guard: TokenGuard,
): Promise<{ url: string; server: Server; stop(): Promise<void> }> {
  const server = createServer(
    guard.nodeHandler((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ sub: req.auth.subject, scopes: req.auth.scopes }));
    }),
  );
  const url = await listen(server);
  return { url, server, stop: () => close(server) };
}

/** GET `url` with an optional Bearer token (or raw Authorization value). */
export async function call(url: string, authorization?: string): Promise<Answer> {
  const response = await fetch(url, { headers: authorization === undefined ? {} : { authorization } });
  const text = await response.text();
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {}
  return { status: response.status, headers: response.headers, text, json };
}
