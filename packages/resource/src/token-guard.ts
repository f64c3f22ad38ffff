// The guard core: read the Bearer token, verify it (through the cache), check scopes, pick the answer.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createExpressMiddleware, type ExpressMiddleware } from './adapters/express-middleware.js';
import {
  createFastifyHook,
  createFastifyPlugin,
  type FastifyGuardPlugin,
  type FastifyHook,
} from './adapters/fastify-plugin.js';
import { type AuthenticatedHandler, authenticateNode, createNodeHandler } from './adapters/node-handler.js';
import type { RequestChecker } from './adapters/request-checker.js';
import { type BearerProblem, readBearerToken } from './bearer-token.js';
import {
  type ChallengeContext,
  insufficientScope,
  invalidRequest,
  invalidToken,
  missingToken,
  unavailable,
} from './failures.js';
import { UpstreamError } from './http-json.js';
import { hasScopes } from './scopes.js';
import type { TokenCache } from './token-cache.js';
import { TokenRejected } from './token-rejected.js';
import type { AuthFailure, AuthInfo, RequestLike, VerifyResult } from './types.js';

/** What every guard derived from one `requireToken` call shares: verifier, cache, challenge context. */
export interface GuardCore {
  readonly context: ChallengeContext;
  /** Verifies a token against the authorization server (signature and claims, or introspection). */
  readonly verifyToken: (token: string) => Promise<AuthInfo>;
  /** Verified tokens; absent when caching is off (introspection mode by default). */
  readonly cache: TokenCache<AuthInfo> | undefined;
  /** Upper bound on how long a cache entry lives, milliseconds (the token's `exp` bounds it too). */
  readonly cacheMaxAgeMs: number;
}

/**
 * Verifies requests for one set of required scopes. Built by {@link requireToken}; derive guards for
 * other scopes with {@link TokenGuard.withScopes} (they share the JWKS and the token cache).
 * @see https://www.rfc-editor.org/rfc/rfc6750
 */
export class TokenGuard implements RequestChecker {
  /** Scopes every request must carry. */
  readonly scopes: readonly string[];
  private readonly problems = new Map<BearerProblem, AuthFailure>();
  private readonly rejections = new Map<string, AuthFailure>();
  private readonly scopeFailure: AuthFailure;
  private readonly unavailableFailure: AuthFailure;
  private expressMiddleware: ExpressMiddleware | undefined;
  private fastifyHookFn: FastifyHook | undefined;
  private fastifyPluginFn: FastifyGuardPlugin | undefined;

  constructor(
    private readonly core: GuardCore,
    scopes: readonly string[],
  ) {
    this.scopes = Object.freeze([...scopes]);
    this.scopeFailure = insufficientScope(core.context, this.scopes);
    this.unavailableFailure = unavailable(core.context);
  }

  /**
   * A guard requiring other scopes, sharing this guard's verifier and caches.
   * @see https://www.rfc-editor.org/rfc/rfc6750#section-3.1
   */
  withScopes(scopes: readonly string[]): TokenGuard {
    return new TokenGuard(this.core, scopes);
  }

  /**
   * Verifies the request's Bearer token and required scopes; never throws for a bad token.
   * @see https://www.rfc-editor.org/rfc/rfc6750#section-3
   */
  async verifyRequest(request: RequestLike): Promise<VerifyResult> {
    return this.check(request);
  }

  /**
   * Same as {@link verifyRequest}, but answers synchronously when the token is in the cache
   * (what the adapters use on the hot path).
   */
  check(request: RequestLike): VerifyResult | Promise<VerifyResult> {
    const token = readBearerToken(request);
    if (typeof token !== 'string') return { ok: false, failure: this.problemFailure(token) };
    const cached = this.core.cache?.get(token);
    if (cached !== undefined) return this.authorize(cached);
    return this.core.verifyToken(token).then(
      (auth) => {
        this.remember(token, auth);
        return this.authorize(auth);
      },
      (error: unknown) => ({ ok: false, failure: this.errorFailure(error) }),
    );
  }

  /**
   * `node:http` adapter: a request listener that runs `handler` (with `req.auth`) only for requests
   * carrying a valid token with the required scopes, and answers RFC 6750 otherwise.
   * @see https://www.rfc-editor.org/rfc/rfc6750#section-3
   */
  nodeHandler(handler: AuthenticatedHandler): (req: IncomingMessage, res: ServerResponse) => void {
    return createNodeHandler(this, handler);
  }

  /**
   * `node:http` adapter for use inside a handler or router: resolves to the token's data, or to
   * `undefined` once the refusal has been sent.
   * @see https://www.rfc-editor.org/rfc/rfc6750#section-3
   */
  authenticate(req: IncomingMessage, res: ServerResponse): Promise<AuthInfo | undefined> {
    return authenticateNode(this, req, res);
  }

  /**
   * Express / Connect middleware `(req, res, next)`: sets `req.auth` or sends the RFC 6750 answer.
   * @see https://www.rfc-editor.org/rfc/rfc6750#section-3
   */
  get express(): ExpressMiddleware {
    this.expressMiddleware ??= createExpressMiddleware(this);
    return this.expressMiddleware;
  }

  /**
   * Fastify hook for `onRequest` or a route's `preHandler`: sets `request.auth` or replies RFC 6750.
   * @see https://www.rfc-editor.org/rfc/rfc6750#section-3
   */
  get fastifyHook(): FastifyHook {
    this.fastifyHookFn ??= createFastifyHook(this);
    return this.fastifyHookFn;
  }

  /**
   * Fastify plugin: `app.register(guard.fastifyPlugin)` protects every route of the registering scope.
   * @see https://www.rfc-editor.org/rfc/rfc6750#section-3
   */
  get fastifyPlugin(): FastifyGuardPlugin {
    this.fastifyPluginFn ??= createFastifyPlugin(this);
    return this.fastifyPluginFn;
  }

  private authorize(auth: AuthInfo): VerifyResult {
    if (!hasScopes(auth.scopes, this.scopes)) return { ok: false, failure: this.scopeFailure };
    return { ok: true, auth };
  }

  private remember(token: string, auth: AuthInfo): void {
    const cache = this.core.cache;
    if (cache === undefined) return;
    // Never past `exp` (leeway applies to verification, not to the cache); tokens without exp: not cached.
    if (auth.expiresAt === undefined) return;
    cache.set(token, auth, Math.min(auth.expiresAt * 1000, Date.now() + this.core.cacheMaxAgeMs));
  }

  private problemFailure(problem: BearerProblem): AuthFailure {
    let failure = this.problems.get(problem);
    if (failure === undefined) {
      failure =
        problem.kind === 'missing'
          ? missingToken(this.core.context, problem.description)
          : invalidRequest(this.core.context, problem.description);
      this.problems.set(problem, failure);
    }
    return failure;
  }

  private errorFailure(error: unknown): AuthFailure {
    if (error instanceof UpstreamError) return this.unavailableFailure;
    if (!(error instanceof TokenRejected)) throw error;
    let failure = this.rejections.get(error.message);
    if (failure === undefined) {
      failure = invalidToken(this.core.context, error.message);
      this.rejections.set(error.message, failure);
    }
    return failure;
  }
}
