// Writes a ProxyResponse to a node:http ServerResponse, synchronously or once a promise settles.

import type { ServerResponse } from 'node:http';
import type { ProxyResponse } from './proxy-response.js';

/**
 * Writes the answer (status, headers, body), unless the response was already sent or the client
 * went away.
 * @see https://nodejs.org/api/http.html#responsewriteheadstatuscode-statusmessage-headers
 */
export function writeResponse(res: ServerResponse, answer: ProxyResponse): void {
  if (res.headersSent || res.writableEnded || res.destroyed) return;
  res.writeHead(answer.status, answer.headers);
  res.end(answer.body);
}

/**
 * Writes an answer that may still be pending (answerers never reject).
 * @see https://nodejs.org/api/http.html#class-httpserverresponse
 */
export function writeEventually(res: ServerResponse, answer: ProxyResponse | Promise<ProxyResponse>): void {
  if (answer instanceof Promise) answer.then((value) => writeResponse(res, value));
  else writeResponse(res, answer);
}

/**
 * Splits a request target into path and query (without `?`), without a URL parser.
 * @see https://www.rfc-editor.org/rfc/rfc9112#section-3.2
 */
export function splitTarget(url: string | undefined): { path: string; query: string } {
  const target = url ?? '/';
  const mark = target.indexOf('?');
  return mark < 0
    ? { path: target, query: '' }
    : { path: target.slice(0, mark), query: target.slice(mark + 1) };
}
