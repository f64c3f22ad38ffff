// node:http adapter: a request listener serving the token route and 404 for every other path.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestAnswerer } from './answer-request.js';
import { errorResponse } from './proxy-response.js';
import { splitTarget, writeEventually, writeResponse } from './write-response.js';

/** A `node:http` request listener. */
export type NodeHandler = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * Returns a `node:http` listener: the token route at `path`, 404 JSON elsewhere.
 * @see https://nodejs.org/api/http.html#httpcreateserveroptions-requestlistener
 */
export function createNodeHandler(answer: RequestAnswerer, path: string): NodeHandler {
  const notFound = errorResponse(404, 'not_found', 'No such route.');
  return (req, res) => {
    const target = splitTarget(req.url);
    if (target.path !== path) writeResponse(res, notFound);
    else writeEventually(res, answer(req, target.query));
  };
}
