// Express / Connect adapter: a standard (req, res, next) middleware; other paths go to next().

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestAnswerer } from './answer-request.js';
import { splitTarget, writeEventually } from './write-response.js';

/** The Connect / Express middleware signature (Express itself is not a dependency). */
export type ExpressMiddleware = (
  req: IncomingMessage,
  res: ServerResponse,
  next: (error?: unknown) => void,
) => void;

/**
 * Returns a middleware answering `path` (relative to where it is mounted: Express strips the mount
 * path from `req.url`) and calling `next()` for anything else.
 * @see https://expressjs.com/en/guide/writing-middleware.html
 */
export function createExpressMiddleware(answer: RequestAnswerer, path: string): ExpressMiddleware {
  return (req, res, next) => {
    const target = splitTarget(req.url);
    if (target.path !== path) {
      next();
      return;
    }
    writeEventually(res, answer(req, target.query));
  };
}
