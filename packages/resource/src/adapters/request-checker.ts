// What the framework adapters call on a guard: one check per request, so they need not import TokenGuard.
import type { RequestLike, VerifyResult } from '../types.js';

/**
 * The part of a `TokenGuard` the adapters use: verify one request's Bearer token and scopes.
 * Answers synchronously when it can (a cached token), never rejects for a bad token.
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-3
 */
export interface RequestChecker {
  /** Reads and verifies the request's Bearer token; throws or rejects only on an unexpected error. */
  check(request: RequestLike): VerifyResult | Promise<VerifyResult>;
}
