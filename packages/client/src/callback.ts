// Checks an authorization response (the redirect back to the app) and extracts the code.

import { AuthorizationResponseError } from './errors.js';
import { quoteValue } from './message-text.js';

/** What the callback is checked against. */
export interface CallbackExpectations {
  /** The `state` sent in the authorization request. */
  state: string;
  /** The issuer the client talks to, if known. */
  issuer: string | undefined;
  /** Whether the server promised to send `iss` (RFC 9207 §3). */
  issRequired: boolean;
}

/** Reads the callback's query parameters from a URL, a URL string (relative allowed) or parameters. */
export function callbackParams(callback: string | URL | URLSearchParams): URLSearchParams {
  if (callback instanceof URLSearchParams) return callback;
  if (callback instanceof URL) return callback.searchParams;
  if (typeof callback !== 'string')
    throw new TypeError('callbackUrl must be a string, URL or URLSearchParams');
  return new URL(callback, 'http://localhost').searchParams;
}

/**
 * Checks `state`, then `iss`, then `error`, and returns the authorization code. An `iss` mismatch
 * names the expected and the received issuer.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2
 * @see https://www.rfc-editor.org/rfc/rfc9207#section-2.4
 */
export function checkCallback(params: URLSearchParams, expected: CallbackExpectations): string {
  const state = params.get('state') ?? undefined;
  // RFC 6749 §10.12: a response whose state does not match is not ours (CSRF); nothing in it is trusted.
  if (state !== expected.state || params.getAll('state').length > 1) {
    throw new AuthorizationResponseError('OAUTH_STATE_MISMATCH', {
      error: 'state_mismatch',
      errorDescription: 'the state parameter does not match the one sent',
      state,
    });
  }
  const iss = params.get('iss');
  const issMismatch =
    iss === null ? expected.issRequired : expected.issuer !== undefined && iss !== expected.issuer;
  if (issMismatch) {
    // RFC 9207 §2.4: a missing or different iss means a mix-up attack may be under way.
    const expectedText = expected.issuer === undefined ? '' : ` ${JSON.stringify(expected.issuer)}`;
    throw new AuthorizationResponseError('OAUTH_ISSUER_MISMATCH', {
      error: 'issuer_mismatch',
      errorDescription:
        iss === null
          ? `the iss parameter is missing, expected the issuer${expectedText}`
          : `the iss parameter ${quoteValue(iss)} does not match the expected issuer${expectedText}`,
      state,
    });
  }
  const error = params.get('error');
  if (error !== null) {
    throw new AuthorizationResponseError('OAUTH_AUTHORIZATION_ERROR', {
      error,
      errorDescription: params.get('error_description') ?? undefined,
      errorUri: params.get('error_uri') ?? undefined,
      state,
    });
  }
  const code = params.get('code');
  if (!code) {
    throw new AuthorizationResponseError('OAUTH_MISSING_CODE', {
      error: 'missing_code',
      errorDescription: 'the authorization response has no code',
      state,
    });
  }
  return code;
}
