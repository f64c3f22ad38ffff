// @latchkey/proxy: a token endpoint handing two-legged tokens to browser code, for node:http, Express, Fastify.

export { createTokenProxy, type TokenProxy } from './create-token-proxy.js';
export type { ExpressMiddleware } from './express-middleware.js';
export type {
  FastifyInstanceLike,
  FastifyProxyPlugin,
  FastifyProxyPluginOptions,
  FastifyReplyLike,
  FastifyRequestLike,
} from './fastify-plugin.js';
export type { LogFields, ProxyLogger } from './logger.js';
export type { NodeHandler } from './node-handler.js';
export type { AuthorizeHook, AuthorizeResult, TokenProxyOptions } from './options.js';
export type { ProxyResponse } from './proxy-response.js';
export { backoffDelay, parseRetryAfter } from './retry-policy.js';
export { UpstreamFailure, type UpstreamFailureKind } from './upstream-failure.js';
