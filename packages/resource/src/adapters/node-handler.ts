// node:http adapter: wraps a request handler so it runs only for requests with a valid token.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AuthInfo, VerifyResult } from '../types.js';
import type { RequestChecker } from './request-checker.js';
import { sendFailure, sendServerError } from './send-failure.js';

/** A `node:http` request that passed the guard: `req.auth` holds the verified token's data. */
export type AuthenticatedRequest = IncomingMessage & { auth: AuthInfo };

/** A `node:http` handler that receives authenticated requests. */
export type AuthenticatedHandler = (req: AuthenticatedRequest, res: ServerResponse) => unknown;

/**
 * Returns a `node:http` request listener: requests without a valid token (or scope) get the RFC 6750
 * answer; the others reach `handler` with `req.auth` set.
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-3
 */
export function createNodeHandler(
  guard: RequestChecker,
  handler: AuthenticatedHandler,
): (req: IncomingMessage, res: ServerResponse) => void {
  const finish = (req: IncomingMessage, res: ServerResponse, result: VerifyResult): void => {
    if (result.ok) {
      (req as AuthenticatedRequest).auth = result.auth;
      handler(req as AuthenticatedRequest, res);
    } else {
      sendFailure(res, result.failure);
    }
  };
  return (req, res) => {
    let result: VerifyResult | Promise<VerifyResult>;
    try {
      result = guard.check(req);
    } catch {
      sendServerError(res);
      return;
    }
    if (result instanceof Promise) {
      result.then(
        (settled) => finish(req, res, settled),
        () => sendServerError(res),
      );
    } else {
      finish(req, res, result);
    }
  };
}

/**
 * Checks the request inside an existing `node:http` handler. Resolves to the token's data, or to
 * `undefined` after the refusal has been sent (then just return).
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-3
 */
export async function authenticateNode(
  guard: RequestChecker,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<AuthInfo | undefined> {
  let result: VerifyResult;
  try {
    result = await guard.check(req);
  } catch {
    sendServerError(res);
    return undefined;
  }
  if (!result.ok) {
    sendFailure(res, result.failure);
    return undefined;
  }
  (req as AuthenticatedRequest).auth = result.auth;
  return result.auth;
}
