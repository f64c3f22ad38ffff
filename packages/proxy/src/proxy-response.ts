// The answers the proxy sends: JSON with no-store headers, success and every error shape.

/**
 * An answer ready to write: status, headers, body (a JSON text, or empty for 204).
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.1
 */
export interface ProxyResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Headers every answer carries: JSON, never cached, never sniffed. @see https://www.rfc-editor.org/rfc/rfc6749#section-5.1 */
export const BASE_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'application/json; charset=utf-8',
  'cache-control': 'no-store',
  pragma: 'no-cache',
  'x-content-type-options': 'nosniff',
};

/**
 * A JSON error answer `{ error, error_description }` (OAuth style).
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.2
 */
export function errorResponse(
  status: number,
  error: string,
  description: string,
  headers: Record<string, string> = {},
): ProxyResponse {
  return {
    status,
    headers: { ...BASE_HEADERS, ...headers },
    body: JSON.stringify({ error, error_description: description }),
  };
}

/**
 * 502 or 504 for an upstream failure: a fixed body whatever the upstream said.
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-15.6.3
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-15.6.5
 */
export function upstreamErrorResponse(
  timedOut: boolean,
  retryAfterMs: number | undefined,
  headers: Record<string, string>,
): ProxyResponse {
  const extra =
    retryAfterMs === undefined
      ? headers
      : { ...headers, 'retry-after': String(Math.ceil(retryAfterMs / 1000)) };
  return timedOut
    ? errorResponse(504, 'upstream_unavailable', 'The authorization server did not answer in time.', extra)
    : errorResponse(502, 'upstream_unavailable', 'The authorization server did not issue a token.', extra);
}
