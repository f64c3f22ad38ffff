// Public entry of @latchkey/resource: accept RFC 9068 access tokens in node:http, Express and Fastify.
/** @module @latchkey/resource */
export type { ExpressMiddleware } from './adapters/express-middleware.js';
export type {
  FastifyGuardPlugin,
  FastifyHook,
  FastifyInstanceLike,
  FastifyReplyLike,
  FastifyRequestLike,
} from './adapters/fastify-plugin.js';
export type { AuthenticatedHandler, AuthenticatedRequest } from './adapters/node-handler.js';
export { authorizationServerMetadataUrl } from './discovery.js';
export { DEFAULT_ALGORITHMS, type RequireTokenOptions, SUPPORTED_ALGORITHMS } from './options.js';
export {
  type ProtectedResourceMetadata,
  type ProtectedResourceMetadataOptions,
  protectedResourceMetadata,
  resourceMetadataUrl,
} from './protected-resource-metadata.js';
export { requireToken } from './require-token.js';
export { TokenGuard } from './token-guard.js';
export type {
  AccessTokenClaims,
  AuthFailure,
  AuthInfo,
  BearerErrorCode,
  FetchLike,
  RequestLike,
  VerifyResult,
} from './types.js';
export { type BearerChallenge, formatBearerChallenge } from './www-authenticate.js';
