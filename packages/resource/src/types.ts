// Public types shared by the verifier core and the framework adapters.
import type { IncomingHttpHeaders } from 'node:http';
import type { JWTPayload } from 'jose';

/**
 * What a verified access token tells the API, attached to the request as `req.auth`.
 * @see https://www.rfc-editor.org/rfc/rfc9068#section-2.2
 * @see https://www.rfc-editor.org/rfc/rfc7662#section-2.2
 */
export interface AuthInfo {
  /** The token's claims (JWT payload, or the introspection response). */
  readonly claims: Readonly<AccessTokenClaims>;
  /** Scopes granted to the token, from the space-delimited `scope` claim. */
  readonly scopes: readonly string[];
  /** `sub`: the resource owner, or the client itself for two-legged tokens. */
  readonly subject: string | undefined;
  /** `client_id`: the application the token was issued to. */
  readonly clientId: string | undefined;
  /** `exp` in seconds since the epoch, when the token carries one. */
  readonly expiresAt: number | undefined;
}

/**
 * Claims of an RFC 9068 access token (or an RFC 7662 introspection response).
 * @see https://www.rfc-editor.org/rfc/rfc9068#section-2.2
 */
export interface AccessTokenClaims extends JWTPayload {
  scope?: string;
  client_id?: string;
  active?: boolean;
}

/**
 * RFC 6750 §3.1 error codes this package answers with, plus `temporarily_unavailable` when the
 * authorization server (JWKS, metadata, introspection) cannot be reached.
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-3.1
 */
export type BearerErrorCode =
  | 'invalid_request'
  | 'invalid_token'
  | 'insufficient_scope'
  | 'temporarily_unavailable';

/**
 * A ready-to-send refusal: status, headers (`WWW-Authenticate`, `Cache-Control: no-store`, ...) and
 * JSON body. `error` is absent when the request carried no token at all (RFC 6750 §3.1).
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-3
 */
export interface AuthFailure {
  readonly status: 400 | 401 | 403 | 503;
  readonly error: BearerErrorCode | undefined;
  readonly description: string;
  readonly headers: Readonly<Record<string, string>>;
  /** JSON text: `{"error":..., "error_description":...}`. Never contains the token. */
  readonly body: string;
}

/**
 * Outcome of {@link TokenGuard.verifyRequest}.
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-3
 */
export type VerifyResult =
  | { readonly ok: true; readonly auth: AuthInfo }
  | { readonly ok: false; readonly failure: AuthFailure };

/**
 * The parts of a request the verifier reads. A `node:http` `IncomingMessage`, an Express or Fastify
 * request (`request.raw`) and a web `Request` all fit.
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-2
 */
export interface RequestLike {
  readonly headers: IncomingHttpHeaders | { get(name: string): string | null };
  /** Request target, to detect an `access_token` query parameter (RFC 6750 §2.3). */
  readonly url?: string | undefined;
  /** `node:http` raw header list, to detect a repeated `Authorization` header. */
  readonly rawHeaders?: readonly string[] | undefined;
}

/**
 * A `fetch` implementation (the global one by default).
 * @see https://fetch.spec.whatwg.org/#fetch-method
 */
export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;
