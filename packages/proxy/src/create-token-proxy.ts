// createTokenProxy: wires options, upstream fetcher, cache and the three adapters into one object.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { createAnswerer } from './answer-request.js';
import { createExpressMiddleware, type ExpressMiddleware } from './express-middleware.js';
import { createFastifyPlugin, type FastifyProxyPlugin } from './fastify-plugin.js';
import { type ProxyLogger, silentLogger, stderrLogger } from './logger.js';
import { createNodeHandler, type NodeHandler } from './node-handler.js';
import { resolveOptions, type TokenProxyOptions } from './options.js';
import type { ProxyResponse } from './proxy-response.js';
import { type RetryTiming, systemTiming } from './retry-policy.js';
import { TokenCache } from './token-cache.js';
import { createUpstreamFetcher } from './upstream-token.js';
import { splitTarget } from './write-response.js';

/**
 * The token proxy. Itself a function: `http.createServer(proxy)` (404 for other paths) or
 * `app.use(proxy)` in Express (other paths go to `next()`).
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.4
 */
export interface TokenProxy {
  (req: IncomingMessage, res: ServerResponse, next?: (error?: unknown) => void): void;
  /** `node:http` listener: the token route at `path`, 404 JSON elsewhere. */
  readonly handler: NodeHandler;
  /** Express / Connect middleware: the token route at `path`, `next()` elsewhere. */
  readonly express: ExpressMiddleware;
  /** Fastify plugin: `fastify.register(proxy.fastify)` adds the route at `path`. */
  readonly fastify: FastifyProxyPlugin;
  /** The answer to a request of the token route, for other frameworks (never rejects). */
  answer(req: IncomingMessage): Promise<ProxyResponse>;
  /** Drops the cached tokens. */
  clear(): void;
  /** The path served. */
  readonly path: string;
}

/**
 * Creates a token proxy that hands two-legged tokens to browser code without exposing the client
 * secret: `GET /token?scope=data:read` → `{ access_token, token_type, expires_in }`, tokens cached per
 * scope set, CORS for allowed origins only, bounded retries, 502 / 504 with a generic body.
 * Throws `TypeError` naming a bad option.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.4
 * @see https://aps.autodesk.com/en/docs/oauth/v2/tutorials/get-2-legged-token/
 */
export function createTokenProxy(options: TokenProxyOptions): TokenProxy {
  return createTokenProxyWithTiming(options);
}

/**
 * {@link createTokenProxy} with the clock its retry loop runs on: the deadline, the waits between
 * attempts and `Retry-After` dates (see {@link RetryTiming}). The default is the system clock; tests
 * pass a virtual clock that records the waits instead of sleeping. Not exported by the package.
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-10.2.3
 */
export function createTokenProxyWithTiming(
  options: TokenProxyOptions,
  timing: RetryTiming = systemTiming,
): TokenProxy {
  const resolved = resolveOptions(options);
  const logger: ProxyLogger =
    options.logger === false ? silentLogger : options.logger === undefined ? stderrLogger : options.logger;
  const cache = new TokenCache(createUpstreamFetcher(resolved, logger, timing), resolved.skewSeconds);
  const answer = createAnswerer(resolved, cache, logger);
  const handler = createNodeHandler(answer, resolved.path);
  const express = createExpressMiddleware(answer, resolved.path);
  const fastify = createFastifyPlugin(answer, resolved.path);
  const proxy = (req: IncomingMessage, res: ServerResponse, next?: (error?: unknown) => void): void => {
    if (typeof next === 'function') express(req, res, next);
    else handler(req, res);
  };
  return Object.assign(proxy, {
    handler,
    express,
    fastify,
    path: resolved.path,
    answer: async (req: IncomingMessage) => answer(req, splitTarget(req.url).query),
    clear: () => cache.clear(),
  });
}
