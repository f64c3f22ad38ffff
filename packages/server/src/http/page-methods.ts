/** Browser pages asked for with a method they do not take: a 405 page with `Allow`, never JSON. */
import type { FastifyInstance } from 'fastify';
import { pageError } from './page-errors.js';

/** The methods a page route may be asked for with; HEAD goes with GET. */
const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH'] as const;

/**
 * Answers every other method on a page path with the 405 page and `Allow` (RFC 9110 §15.5.6), so a
 * browser that PUTs to the authorization endpoint sees a page, not the JSON 404 of a path that does
 * not exist (test/fuzz/authorize-request.test.ts).
 */
export function rejectOtherPageMethods(
  pages: FastifyInstance,
  path: string,
  allowed: readonly ('GET' | 'POST')[],
): void {
  const allow = allowed.flatMap((method) => (method === 'GET' ? ['GET', 'HEAD'] : [method])).join(', ');
  pages.route({
    method: METHODS.filter((method) => !(allowed as readonly string[]).includes(method)),
    url: path,
    handler: async () => {
      throw pageError('PAGE_METHOD_NOT_ALLOWED', { headers: { allow } });
    },
  });
}
