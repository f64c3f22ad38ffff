/**
 * RedirectError: an authorization error sent back to the app's redirect URI (RFC 6749 §4.1.2.1, OIDC
 * Core §3.1.2.6), raised only once the client and its redirect URI are known good.
 */
import { ERRORS, type ErrorName } from '../errors.js';
import type { DeveloperReason } from './errors.js';

/** The catalogue entries answered by a redirect to the app. */
export type RedirectErrorName = {
  [K in ErrorName]: (typeof ERRORS)[K]['answer'] extends 'redirect' ? K : never;
}[ErrorName];

/** An error to send back to the app's redirect URI, with `state` and `iss`. */
export class RedirectError extends Error {
  override readonly name = 'RedirectError';
  /** The code on the redirect (`error`). */
  readonly error: string;
  /**
   * @param description the redirect's `error_description`
   * @param reason for the app's developer (Recent errors), when the description is not enough; never
   *   on the redirect
   * @param recorded whether the app's Recent errors list it: an answer to `prompt=none` that the user
   *   must sign in or consent is the protocol working, not the app's mistake
   */
  constructor(
    catalogueName: RedirectErrorName,
    readonly description: string,
    readonly reason?: DeveloperReason,
    readonly recorded = true,
  ) {
    super(description);
    this.error = ERRORS[catalogueName].code;
  }
}
