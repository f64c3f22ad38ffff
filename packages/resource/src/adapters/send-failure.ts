// Writes an AuthFailure (or a bare 500) to a node:http ServerResponse.
import type { ServerResponse } from 'node:http';
import type { AuthFailure } from '../types.js';

/**
 * Sends the refusal: status, `WWW-Authenticate`, `Cache-Control: no-store`, JSON body.
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-3
 */
export function sendFailure(res: ServerResponse, failure: AuthFailure): void {
  res.writeHead(failure.status, failure.headers);
  res.end(failure.body);
}

const SERVER_ERROR = JSON.stringify({ error: 'server_error', error_description: 'internal error' });

/** Sends a generic 500 for an unexpected error (no detail, no stack). */
export function sendServerError(res: ServerResponse): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(500, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(SERVER_ERROR);
}
