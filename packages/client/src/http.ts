// One HTTP exchange with an OAuth endpoint: timeout, transport errors, JSON and OAuth error parsing.

import { OAuthResponseError, OAuthTransportError } from './errors.js';
import { displayUrl } from './message-text.js';

/** The subset of `fetch` the SDK uses; inject your own for tests, proxies or instrumentation. */
export type FetchLike = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/** A response whose body has been read completely. */
export interface ReadResponse {
  /** HTTP status. */
  status: number;
  /** True for 2xx. */
  ok: boolean;
  /** Response headers. */
  headers: Headers;
  /** The body text. */
  text: string;
  /** The URL requested, as given (it may carry secrets): show it only through `displayUrl`. */
  requestUrl: string;
}

/**
 * Sends a request and reads its body; the timeout covers both. Never follows redirects. A failure
 * or timeout is an {@link OAuthTransportError} naming the URL (without query or userinfo).
 */
export async function send(
  fetchFn: FetchLike,
  url: string,
  init: RequestInit,
  timeoutMs: number,
  what: string,
): Promise<ReadResponse> {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeoutMs);
  try {
    const response = await fetchFn(url, { ...init, redirect: 'manual', signal: controller.signal });
    const text = await response.text();
    return { status: response.status, ok: response.ok, headers: response.headers, text, requestUrl: url };
  } catch (cause) {
    const to = `${what} to ${displayUrl(url)}`;
    if (timedOut) {
      throw new OAuthTransportError('OAUTH_TIMEOUT', `${to} timed out after ${timeoutMs} ms`, { cause });
    }
    throw new OAuthTransportError('OAUTH_NETWORK_ERROR', `${to} failed: network error`, { cause });
  } finally {
    clearTimeout(timer);
  }
}

/** True for a plain JSON object. */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return isObject(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Interprets a read response as an OAuth JSON answer: an `error` member (any status, 200 included)
 * becomes {@link OAuthResponseError}; a non-2xx status without one, or a body that is not a JSON
 * object, becomes {@link OAuthTransportError} naming the URL (see {@link invalidResponse}).
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.2
 */
export function parseOAuthJson(response: ReadResponse, what: string): Record<string, unknown> {
  const body = parseObject(response.text);
  if (body && typeof body['error'] === 'string') throw new OAuthResponseError(response.status, body);
  if (!response.ok) {
    throw new OAuthTransportError(
      'OAUTH_HTTP_ERROR',
      `${what} to ${displayUrl(response.requestUrl)} failed with HTTP ${response.status}`,
      { status: response.status },
    );
  }
  if (!body) {
    throw invalidResponse(response, `${what} returned a body that is not a JSON object`);
  }
  return body;
}

/**
 * An `OAUTH_INVALID_RESPONSE` error for an answer that arrived but cannot be used: `problem`, then
 * the URL (without query or userinfo) and the HTTP status.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.1
 */
export function invalidResponse(
  response: Pick<ReadResponse, 'status' | 'requestUrl'>,
  problem: string,
): OAuthTransportError {
  return new OAuthTransportError(
    'OAUTH_INVALID_RESPONSE',
    `${problem} (${displayUrl(response.requestUrl)}, HTTP ${response.status})`,
    { status: response.status },
  );
}
