// Fastify adapter: an onRequest/preHandler hook and a plugin that installs it on the registering scope.
import type { IncomingMessage } from 'node:http';
import type { AuthInfo } from '../types.js';
import type { RequestChecker } from './request-checker.js';

/** The parts of a Fastify request the hook uses (Fastify itself is not a dependency). */
export interface FastifyRequestLike {
  raw: IncomingMessage;
  auth?: AuthInfo | null;
}

/** The parts of a Fastify reply the hook uses. */
export interface FastifyReplyLike {
  code(statusCode: number): FastifyReplyLike;
  headers(values: Record<string, string>): FastifyReplyLike;
  send(payload?: unknown): FastifyReplyLike;
}

/** The parts of a Fastify instance the plugin uses. */
export interface FastifyInstanceLike {
  addHook(name: 'onRequest', hook: FastifyHook): unknown;
  decorateRequest(name: string, value: unknown): unknown;
  hasRequestDecorator(name: string): boolean;
}

/** An async Fastify `onRequest` / `preHandler` hook. */
export type FastifyHook = (request: FastifyRequestLike, reply: FastifyReplyLike) => Promise<unknown>;

/** A Fastify plugin (callback style) that applies to the scope registering it. */
export type FastifyGuardPlugin = ((
  instance: FastifyInstanceLike,
  options: unknown,
  done: (error?: Error) => void,
) => void) & { readonly [key: symbol]: unknown };

/**
 * Returns a hook for `onRequest` or a route's `preHandler`: sets `request.auth`, or sends the RFC
 * 6750 answer and ends the request.
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-3
 */
export function createFastifyHook(guard: RequestChecker): FastifyHook {
  return async (request, reply) => {
    const result = await guard.check(request.raw);
    if (result.ok) {
      request.auth = result.auth;
      return undefined;
    }
    return reply.code(result.failure.status).headers(result.failure.headers).send(result.failure.body);
  };
}

/**
 * Returns a plugin adding the hook (`onRequest`) to every route of the scope that registers it
 * (`skip-override`, as `fastify-plugin` does) and decorating requests with `auth`.
 * Register it inside the scope of the protected routes, not where the metadata route lives.
 * @see https://fastify.dev/docs/latest/Reference/Plugins/
 */
export function createFastifyPlugin(guard: RequestChecker): FastifyGuardPlugin {
  const hook = createFastifyHook(guard);
  const plugin = (instance: FastifyInstanceLike, _options: unknown, done: (error?: Error) => void): void => {
    if (!instance.hasRequestDecorator('auth')) instance.decorateRequest('auth', null);
    instance.addHook('onRequest', hook);
    done();
  };
  return Object.assign(plugin, {
    [Symbol.for('skip-override')]: true,
    [Symbol.for('fastify.display-name')]: '@latchkey/resource',
  });
}
