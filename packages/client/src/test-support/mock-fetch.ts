// Test helper: an injectable fetch that records requests and answers from a handler.

import type { FetchLike } from '../http.js';

/** A recorded request with its body already read. */
export interface Recorded {
  request: Request;
  url: URL;
  body: string;
  form: URLSearchParams;
}

/** Builds a recording fetch answering with `handler`. */
export function mockFetch(handler: (request: Recorded) => Response | Promise<Response>): {
  fetch: FetchLike;
  calls: Recorded[];
} {
  const calls: Recorded[] = [];
  const fetch: FetchLike = async (input, init) => {
    const request = new Request(input, init);
    const body = await request.clone().text();
    const recorded = { request, url: new URL(request.url), body, form: new URLSearchParams(body) };
    calls.push(recorded);
    return handler(recorded);
  };
  return { fetch, calls };
}

/** A JSON response. */
export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  });
}

/** A typical token response. */
export function tokenBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { access_token: 'at-1', token_type: 'Bearer', expires_in: 3600, ...overrides };
}
