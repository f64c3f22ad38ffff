/**
 * Query parameters of the page routes. Fastify parses a repeated key into an array; RFC 6749 §3.1 says
 * parameters "MUST NOT be included more than once", so a repeated one is never used as a value.
 */
import type { FastifyRequest } from 'fastify';
import { parseForm } from './form.js';

/**
 * The value of a query parameter that appears once, or `undefined` when it is absent or repeated.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-3.1
 */
export function singleQueryValue(request: FastifyRequest, name: string): string | undefined {
  const value = (request.query as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value : undefined;
}

/** A query string split into the parameters sent once and the names sent more than once. */
export interface QueryParams {
  /** Parameters that appear exactly once (empty values count as omitted, RFC 6749 §3.1). */
  params: ReadonlyMap<string, string>;
  /** Names that appear more than once; none of their values is in `params`. */
  repeated: ReadonlySet<string>;
}

/**
 * Parses a query string like {@link parseForm} (strict percent-decoding, which still throws
 * `invalid_request`), but reports repeated names instead of throwing, so the authorization endpoint
 * can tell a repeated `client_id` (error page) from a repeated `scope` (error redirect).
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-3.1
 */
export function parseQueryWithRepeats(query: string): QueryParams {
  const params = new Map<string, string>();
  const repeated = new Set<string>();
  for (const pair of query.split('&')) {
    // One pair at a time: parseForm cannot see a repeat, and decodes exactly as it does for bodies.
    for (const [name, value] of parseForm(pair)) {
      if (repeated.has(name)) continue;
      if (params.has(name)) {
        params.delete(name);
        repeated.add(name);
      } else {
        params.set(name, value);
      }
    }
  }
  return { params, repeated };
}
