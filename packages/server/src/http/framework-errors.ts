/**
 * Answers for requests Fastify refuses before any route runs: a URL that does not decode, a path
 * parameter too long, bytes that are not HTTP. They get the same `no-store` JSON as every other answer
 * and never echo the request back (the URL may carry a code or a token).
 */
import type { Socket } from 'node:net';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ERRORS } from '../errors.js';
import { NO_STORE_HEADERS } from './no-store.js';

const BAD_URL_BODY = JSON.stringify({
  error: ERRORS.REQUEST_UNREADABLE.code,
  error_description: 'the request URL is malformed',
});

/**
 * Fastify `frameworkErrors`: 400 `invalid_request` (RFC 6749 §5.2 wording) without the URL in it.
 * Neither `onRequest` nor `onSend` hooks run for these answers.
 */
export function frameworkErrorHandler(_error: Error, _request: FastifyRequest, reply: FastifyReply): void {
  reply
    .code(ERRORS.REQUEST_UNREADABLE.status)
    .headers(NO_STORE_HEADERS)
    .header('x-content-type-options', 'nosniff')
    .header('content-type', 'application/json; charset=utf-8')
    .send(BAD_URL_BODY);
}

/** The status Node's HTTP parser error maps to: 408 timeout, 431 headers too large, else 400. */
function clientErrorStatus(code: string | undefined): [number, string] {
  // LATCHKEY_REQUEST_TIMEOUT (app.ts): the request, headers and body, did not arrive in time.
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return [ERRORS.REQUEST_TIMEOUT.status, 'Request Timeout'];
  if (code === 'HPE_HEADER_OVERFLOW') return [431, 'Request Header Fields Too Large'];
  return [400, 'Bad Request'];
}

/**
 * Node's `clientError` (unparseable HTTP, headers too large, a timeout): a fixed JSON answer with
 * `no-store` when the socket can still be written, then the socket is destroyed. Nothing from the
 * request is logged or echoed.
 */
export function clientErrorHandler(error: NodeJS.ErrnoException, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  if (socket.writable) {
    const [status, text] = clientErrorStatus(error.code);
    const body = '{"error":"invalid_request"}';
    socket.write(
      `HTTP/1.1 ${status} ${text}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Cache-Control: no-store\r\nPragma: no-cache\r\nConnection: close\r\n` +
        `Content-Length: ${body.length}\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}
