/**
 * OAuthError, the one class of every JSON error answer, built from the error catalogue (errors.ts):
 * `oauthError('INVALID_GRANT', description)` carries the entry's code and status.
 */
import { type CatalogueEntry, ERRORS, type ErrorName } from '../errors.js';

/**
 * Why a request failed, in the words its app's developer needs to fix it (the portal's Recent errors):
 * never on the wire, never a secret, code or token, nor what a wrong secret was. A function when
 * finding out takes a database read, done only if the failure is recorded (activity/error-recorder.ts).
 */
export type DeveloperReason = string | (() => Promise<string>);

/** An error the protocol defines: serialized as `{error, error_description}` with its HTTP status. */
export class OAuthError extends Error {
  override readonly name = 'OAuthError';
  /** Extra response headers (`WWW-Authenticate`, `Retry-After`, `Allow`). */
  readonly headers: Record<string, string>;
  /** For the app's developer only (Recent errors); the serializers never read it. */
  reason: DeveloperReason | undefined;

  /**
   * @param error the RFC error code (`invalid_request`, `invalid_client`, ...)
   * @param description human-readable text; never contains a secret or a token
   * @param status HTTP status
   * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.2
   */
  constructor(
    readonly error: string,
    readonly description: string,
    readonly status = 400,
    headers: Record<string, string> = {},
  ) {
    super(`${error}: ${description}`);
    this.headers = headers;
  }

  /** Sets the developer-facing {@link OAuthError.reason} where the rule is enforced; returns the error. */
  because(reason: DeveloperReason): this {
    this.reason = reason;
    return this;
  }
}

/**
 * The JSON answer of catalogue entry `name`, with its code and status. `description` is for the
 * developer reading the answer: never a secret, a token or a value that tells a stolen credential apart.
 * `status` overrides the entry's only where it names a range (413 for a body too large).
 */
export function oauthError(
  name: ErrorName,
  description: string,
  headers: Record<string, string> = {},
  status: number = ERRORS[name].status,
): OAuthError {
  const entry: CatalogueEntry = ERRORS[name];
  return new OAuthError(entry.code, description, status, { ...entry.headers, ...headers });
}

/** A `Retry-After` value (RFC 9110 §10.2.3): whole seconds, at least 1. */
export function retryAfterValue(seconds: number): string {
  return String(Math.max(1, Math.ceil(seconds)));
}
