// Express adapter: a standard (req, res, next) middleware that sets req.auth or answers RFC 6750.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AuthInfo, VerifyResult } from '../types.js';
import type { RequestChecker } from './request-checker.js';
import { sendFailure } from './send-failure.js';

/** Connect/Express middleware signature (Express itself is not a dependency). */
export type ExpressMiddleware = (
  req: IncomingMessage & { auth?: AuthInfo; originalUrl?: string },
  res: ServerResponse,
  next: (error?: unknown) => void,
) => void;

/**
 * Returns an Express middleware: on success sets `req.auth` and calls `next()`; on refusal sends
 * the RFC 6750 answer; an unexpected error goes to `next(error)`.
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-3
 */
export function createExpressMiddleware(guard: RequestChecker): ExpressMiddleware {
  return (req, res, next) => {
    const finish = (result: VerifyResult): void => {
      if (result.ok) {
        req.auth = result.auth;
        next();
      } else {
        sendFailure(res, result.failure);
      }
    };
    let result: VerifyResult | Promise<VerifyResult>;
    try {
      // Express rewrites req.url under a mount path; originalUrl keeps the query string intact.
      result = guard.check({
        headers: req.headers,
        url: req.originalUrl ?? req.url,
        rawHeaders: req.rawHeaders,
      });
    } catch (error) {
      next(error);
      return;
    }
    if (result instanceof Promise) result.then(finish, next);
    else finish(result);
  };
}
