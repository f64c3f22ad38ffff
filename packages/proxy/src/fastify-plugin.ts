// Fastify adapter: a plugin registering the token route (Fastify is not a dependency: structural types).

import type { IncomingMessage } from 'node:http';
import type { RequestAnswerer } from './answer-request.js';
import { splitTarget } from './write-response.js';

/** The parts of a Fastify request the route uses. */
export interface FastifyRequestLike {
  raw: IncomingMessage;
}

/** The parts of a Fastify reply the route uses. */
export interface FastifyReplyLike {
  code(statusCode: number): FastifyReplyLike;
  headers(values: Record<string, string>): FastifyReplyLike;
  send(payload?: unknown): FastifyReplyLike;
}

/** The parts of a Fastify instance the plugin uses. */
export interface FastifyInstanceLike {
  route(options: {
    method: string[];
    url: string;
    handler: (request: FastifyRequestLike, reply: FastifyReplyLike) => Promise<unknown>;
  }): unknown;
}

/** Options of the plugin: `path` overrides the proxy's path (Fastify's `prefix` applies too). */
export interface FastifyProxyPluginOptions {
  path?: string | undefined;
}

/** A Fastify plugin (callback style). */
export type FastifyProxyPlugin = ((
  instance: FastifyInstanceLike,
  options: FastifyProxyPluginOptions | undefined,
  done: (error?: Error) => void,
) => void) & { readonly [key: symbol]: unknown };

/** Methods routed to the proxy so that the others get its 405 (HEAD is added by Fastify for GET). */
const METHODS = ['GET', 'OPTIONS', 'POST', 'PUT', 'PATCH', 'DELETE'];

/**
 * Returns a plugin: `fastify.register(proxy.fastify)` serves the token route at the proxy's path
 * (under the registering scope's prefix).
 * @see https://fastify.dev/docs/latest/Reference/Plugins/
 */
export function createFastifyPlugin(answer: RequestAnswerer, path: string): FastifyProxyPlugin {
  const plugin = (
    instance: FastifyInstanceLike,
    options: FastifyProxyPluginOptions | undefined,
    done: (error?: Error) => void,
  ): void => {
    instance.route({
      method: METHODS,
      url: options?.path ?? path,
      handler: async (request, reply) => {
        const result = await answer(request.raw, splitTarget(request.raw.url).query);
        return reply
          .code(result.status)
          .headers(result.headers)
          .send(result.body === '' ? undefined : result.body);
      },
    });
    done();
  };
  return Object.assign(plugin, { [Symbol.for('fastify.display-name')]: '@latchkey/proxy' });
}
