/**
 * The error catalogue: every error the server answers with, in one place. Each entry names the code a
 * client (or a developer reading an error page) sees, the HTTP status, the rule that defines it, and the
 * files that raise it. `oauth/errors.ts` builds the JSON answers from it, `http/page-errors.ts` the
 * HTML pages; test/error-catalogue.test.ts checks that every entry is raised where it says and that no
 * answer is raised that the catalogue does not list.
 */

import { LOGOUT_ERRORS } from './logout/error-catalogue.js';
import { OIDC_ERRORS } from './oidc/error-catalogue.js';

/** One error the server can answer with. */
export interface CatalogueEntry {
  /** The code on the wire (`error` of a JSON answer or a redirect; the code shown on an error page). */
  readonly code: string;
  /** HTTP status; for a redirect error (RFC 6749 §4.1.2.1), the 303 that carries it. */
  readonly status: number;
  /** How the client receives it. */
  readonly answer: 'json' | 'redirect' | 'page' | 'problem';
  /** The rule that defines it. */
  readonly rule: string;
  /** Source files (under packages/server/src) that raise it. */
  readonly raisedIn: readonly string[];
  /** Headers the answer always carries. */
  readonly headers?: Readonly<Record<string, string>>;
  /** For pages: the headline and what happened, in the user's words. */
  readonly title?: string;
  readonly detail?: string;
}

/**
 * Every error, by a name used in the code that raises it. JSON answers of the token, revocation and
 * introspection endpoints carry `{error, error_description}`; pages show the title, the detail and the
 * code; redirect errors go back to the app's verified redirect URI with `state` and `iss`.
 */
export const ERRORS = {
  // ---- JSON answers (token, revocation, introspection, discovery) --------------------------------
  INVALID_REQUEST: {
    code: 'invalid_request',
    status: 400,
    answer: 'json',
    rule: 'RFC 6749 §5.2: missing, repeated or malformed parameter; credentials sent twice',
    raisedIn: ['http/form.ts', 'http/request.ts', 'oauth/client-auth.ts', 'grants/authorization-code.ts'],
  },
  VALUE_REJECTED: {
    code: 'invalid_request',
    status: 400,
    answer: 'json',
    rule: 'RFC 6749 §5.2: a value the database cannot store or compare (storage ValueRejectedError)',
    raisedIn: ['http/error-handler.ts'],
  },
  REQUEST_UNREADABLE: {
    code: 'invalid_request',
    status: 400,
    answer: 'json',
    rule: 'RFC 9110 §15.5: a body, URL or Content-Type that cannot be read (Fastify refused it); 413 when too large, else 400',
    raisedIn: ['http/error-handler.ts', 'http/framework-errors.ts'],
  },
  REQUEST_TIMEOUT: {
    code: 'invalid_request',
    status: 408,
    answer: 'json',
    rule: 'RFC 9110 §15.5.9: the whole request (headers and body) did not arrive within LATCHKEY_REQUEST_TIMEOUT; the connection is closed',
    raisedIn: ['http/framework-errors.ts'],
  },
  METHOD_NOT_ALLOWED: {
    code: 'invalid_request',
    status: 405,
    answer: 'json',
    rule: 'RFC 9110 §15.5.6: the endpoint takes another method (with Allow)',
    raisedIn: ['http/request.ts'],
  },
  INVALID_CLIENT: {
    code: 'invalid_client',
    status: 401,
    answer: 'json',
    rule: 'RFC 6749 §5.2: client authentication failed (with WWW-Authenticate: Basic)',
    raisedIn: ['oauth/client-auth.ts', 'endpoints/introspect.ts'],
    headers: { 'www-authenticate': 'Basic realm="latchkey", charset="UTF-8"' },
  },
  INVALID_GRANT: {
    code: 'invalid_grant',
    status: 400,
    answer: 'json',
    rule: 'RFC 6749 §5.2: code or refresh token invalid, expired, revoked, replayed or not bound to this request',
    raisedIn: ['grants/user-tokens.ts'],
  },
  UNAUTHORIZED_CLIENT: {
    code: 'unauthorized_client',
    status: 400,
    answer: 'json',
    rule: 'RFC 6749 §5.2: the app is not registered for this grant',
    raisedIn: ['endpoints/token.ts', 'grants/client-credentials.ts'],
  },
  UNSUPPORTED_GRANT_TYPE: {
    code: 'unsupported_grant_type',
    status: 400,
    answer: 'json',
    rule: 'RFC 6749 §5.2: grant_type not in the grant catalogue (grants/index.ts)',
    raisedIn: ['endpoints/token.ts'],
  },
  INVALID_SCOPE: {
    code: 'invalid_scope',
    status: 400,
    answer: 'json',
    rule: 'RFC 6749 §5.2, §6: scope malformed, outside the app, or wider than the grant on refresh',
    raisedIn: ['oauth/scope.ts', 'grants/refresh-token.ts'],
  },
  TOO_MANY_REQUESTS: {
    code: 'temporarily_unavailable',
    status: 429,
    answer: 'json',
    // RFC 6749 §5.2 has no code for this; `slow_down` belongs to device-code polling (RFC 8628 §3.5)
    // and `invalid_client` would tell a client holding the right secret that it is wrong.
    // `temporarily_unavailable` (RFC 6749 §4.1.2.1: the same request may succeed later) is what clients
    // and our token proxy retry after `Retry-After`. The body is the same whoever is refused.
    rule: 'RFC 6585 §4, RFC 6819 §5.1.4.2.3: too many failed client authentications (with Retry-After)',
    raisedIn: ['oauth/client-auth.ts'],
  },
  UNAVAILABLE: {
    code: 'temporarily_unavailable',
    status: 503,
    answer: 'json',
    rule: "RFC 9110 §15.6.4: the database (or the throttles' shared counters) cannot be reached (with Retry-After)",
    raisedIn: ['http/error-handler.ts'],
  },
  SHUTTING_DOWN: {
    code: 'temporarily_unavailable',
    status: 503,
    answer: 'json',
    rule: 'RFC 9110 §15.6.4: a request on a kept-alive connection while the server drains',
    raisedIn: ['app.ts'],
  },
  SERVER_ERROR: {
    code: 'server_error',
    status: 500,
    answer: 'json',
    rule: 'RFC 6749 §5.2 (server_error of §4.1.2.1): a bug; logged, never a stack in the body',
    raisedIn: ['http/error-handler.ts'],
  },
  NOT_FOUND: {
    code: 'not_found',
    status: 404,
    answer: 'json',
    rule: 'RFC 9110 §15.5.5: no such endpoint',
    raisedIn: ['http/error-handler.ts'],
  },

  // ---- Redirects to the app (its client and redirect URI are verified) ---------------------------
  AUTHORIZE_INVALID_REQUEST: {
    code: 'invalid_request',
    status: 303,
    answer: 'redirect',
    rule: 'RFC 6749 §4.1.2.1, RFC 7636 §4.4.1: repeated parameter, bad state, PKCE missing or not S256',
    raisedIn: ['endpoints/authorize.ts'],
  },
  AUTHORIZE_UNSUPPORTED_RESPONSE_TYPE: {
    code: 'unsupported_response_type',
    status: 303,
    answer: 'redirect',
    rule: 'RFC 6749 §4.1.2.1: response_type other than code',
    raisedIn: ['endpoints/authorize.ts'],
  },
  AUTHORIZE_UNAUTHORIZED_CLIENT: {
    code: 'unauthorized_client',
    status: 303,
    answer: 'redirect',
    rule: 'RFC 6749 §4.1.2.1: the app is not registered for the authorization code grant',
    raisedIn: ['endpoints/authorize.ts'],
  },
  AUTHORIZE_INVALID_SCOPE: {
    code: 'invalid_scope',
    status: 303,
    answer: 'redirect',
    rule: 'RFC 6749 §4.1.2.1: scope malformed or outside the app',
    raisedIn: ['endpoints/authorize.ts'],
  },
  ACCESS_DENIED: {
    code: 'access_denied',
    status: 303,
    answer: 'redirect',
    rule: 'RFC 6749 §4.1.2.1: the user chose Deny',
    raisedIn: ['endpoints/authorize.ts'],
  },

  // ---- HTML pages (never a redirect: RFC 6749 §4.1.2.1, §3.1.2.4) ----------------------------------
  MISSING_CLIENT_ID: {
    code: 'missing_client_id',
    status: 400,
    answer: 'page',
    rule: 'RFC 6749 §4.1.2.1: no client_id, so no app to answer',
    raisedIn: ['endpoints/authorize.ts'],
    title: 'This link is incomplete',
    detail: 'The request names no app (client_id is missing). Nothing was sent back to any app.',
  },
  UNKNOWN_CLIENT: {
    code: 'unknown_client',
    status: 400,
    answer: 'page',
    rule: 'RFC 6749 §4.1.2.1: the client_id is not registered',
    raisedIn: ['endpoints/authorize.ts'],
    title: 'Unknown app',
    detail: 'The app in this link is not registered here. Nothing was sent back to it.',
  },
  MISSING_REDIRECT_URI: {
    code: 'missing_redirect_uri',
    status: 400,
    answer: 'page',
    rule: 'RFC 6749 §3.1.2.3: no redirect_uri, and the app registered several',
    raisedIn: ['endpoints/authorize.ts'],
    title: 'This link is incomplete',
    detail: 'The request names no redirect_uri and the app has several. Nothing was sent back to the app.',
  },
  REDIRECT_URI_MISMATCH: {
    code: 'redirect_uri_mismatch',
    status: 400,
    answer: 'page',
    rule: 'RFC 6749 §3.1.2.4: redirect_uri not registered for the app (exact match; loopback any port)',
    raisedIn: ['endpoints/authorize.ts'],
    title: 'Invalid redirect',
    detail: 'The redirect_uri in this link is not registered for this app. Nothing was sent back to the app.',
  },
  MALFORMED_LINK: {
    code: 'malformed_link',
    status: 400,
    answer: 'page',
    rule: 'RFC 6749 §3.1: client_id or redirect_uri repeated, or bad percent-encoding',
    raisedIn: ['endpoints/authorize.ts'],
    title: 'This link is malformed',
    detail: 'A parameter is repeated or badly encoded. Nothing was sent back to any app.',
  },
  FORM_EXPIRED: {
    code: 'form_expired',
    status: 403,
    answer: 'page',
    rule: 'RFC 6749 §10.12, RFC 9700 §4.7: anti-CSRF token missing, wrong or not bound to this browser’s session, or a foreign Origin',
    raisedIn: ['http/csrf.ts'],
    title: 'This form has expired',
    detail: 'Go back, reload the page and try again. Nothing was changed.',
  },
  MALFORMED_FORM: {
    code: 'malformed_form',
    status: 400,
    answer: 'page',
    rule: 'RFC 6749 §3.2: a page form with a repeated field or bad percent-encoding',
    raisedIn: ['http/page-form.ts'],
    title: 'This form was not understood',
    detail:
      'A field was sent more than once or badly encoded. Go back, reload the page and try again. Nothing was changed.',
  },
  SIGNED_OUT_CONSENT: {
    code: 'signed_out',
    status: 403,
    answer: 'page',
    rule: 'a consent answer without a session',
    raisedIn: ['endpoints/authorize.ts'],
    title: 'You are signed out',
    detail: 'Sign in again from the app. Nothing was allowed.',
  },
  SIGNED_OUT_ACCOUNT: {
    code: 'signed_out',
    status: 403,
    answer: 'page',
    rule: 'a Connected apps, "Send the link again" or developer portal form without a session',
    raisedIn: ['endpoints/account.ts', 'endpoints/email-verification.ts', 'endpoints/portal/caller.ts'],
    title: 'You are signed out',
    detail: 'Sign in again to manage your apps.',
  },
  EMAIL_LINK_INVALID: {
    code: 'link_expired',
    status: 410,
    answer: 'page',
    rule: 'RFC 9110 §15.5.11: an email verification or password reset link that is unknown, used, expired (24 h, 30 min), or whose account no longer has the address it was sent to',
    raisedIn: ['endpoints/email-verification.ts', 'endpoints/reset-password.ts'],
    title: 'This link no longer works',
    detail:
      'Each link works once, for a limited time, and this one expired or was used already. Ask for a new one.',
  },
  APP_NOT_FOUND: {
    code: 'not_found',
    status: 404,
    answer: 'page',
    rule: 'a portal page of an app that does not exist, or that the user has no role for (manage/access.ts: the same answer)',
    raisedIn: ['endpoints/portal/problems.ts'],
    title: 'App not found',
    detail:
      'There is no such app, or you have no access to it. Check the link, or ask the app’s owner to add you as a collaborator.',
  },
  APP_FORBIDDEN: {
    code: 'forbidden',
    status: 403,
    answer: 'page',
    rule: 'a portal action the user’s role may not take (a collaborator deleting the app or changing who collaborates)',
    raisedIn: ['endpoints/portal/problems.ts'],
    title: 'Not allowed for collaborators',
    detail: 'Only the app’s owner or an admin can do this. Nothing was changed.',
  },
  DECISION_NOT_UNDERSTOOD: {
    code: 'decision_not_understood',
    status: 400,
    answer: 'page',
    rule: 'a consent answer that is neither allow nor deny',
    raisedIn: ['endpoints/authorize.ts'],
    title: 'This answer was not understood',
    detail: 'Go back and choose Allow or Deny. Nothing was allowed.',
  },
  REQUEST_EXPIRED: {
    code: 'request_expired',
    status: 400,
    answer: 'page',
    rule: 'a consent answer whose pending request is unknown, used, expired or another user’s',
    raisedIn: ['endpoints/authorize.ts'],
    title: 'This request has expired',
    detail: 'Go back to the app and start again. Nothing was allowed.',
  },
  PAGE_METHOD_NOT_ALLOWED: {
    code: 'method_not_allowed',
    status: 405,
    answer: 'page',
    rule: 'RFC 9110 §15.5.6, RFC 6749 §3.1: the authorization endpoint asked for by another method than GET, or the consent answer by another than POST (with Allow)',
    raisedIn: ['http/page-methods.ts'],
    title: 'This page cannot be opened this way',
    detail: 'It was asked for in a way it does not accept. Nothing was sent back to any app.',
  },
  PAGE_BAD_REQUEST: {
    code: 'bad_request',
    status: 400,
    answer: 'page',
    rule: 'RFC 9110 §15.5: a page request that could not be read (413 when too large)',
    raisedIn: ['http/error-handler.ts'],
    title: 'This request was not understood',
    detail: 'Go back and try again.',
  },
  PAGE_UNAVAILABLE: {
    code: 'temporarily_unavailable',
    status: 503,
    answer: 'page',
    rule: "RFC 9110 §15.6.4: the database cannot be reached, or, for sign-in, the throttles' shared counters",
    raisedIn: ['http/error-handler.ts'],
    title: 'Temporarily unavailable',
    detail: 'The service cannot answer right now. Try again in a moment.',
  },
  PAGE_SERVER_ERROR: {
    code: 'server_error',
    status: 500,
    answer: 'page',
    rule: 'a bug on a page; logged',
    raisedIn: ['http/error-handler.ts'],
    title: 'Something went wrong',
    detail: 'An unexpected error occurred. Nothing was changed.',
  },

  // ---- App registration (RFC 7591 §3.2.2 codes; the CLI prints the message and exits 2) -----------
  INVALID_CLIENT_METADATA: {
    code: 'invalid_client_metadata',
    status: 400,
    answer: 'json',
    rule: 'RFC 7591 §3.2.2: name, scope or grants of an app are invalid (AppRegistrationError; CLI: exit 2)',
    raisedIn: ['oauth/app-registration.ts'],
  },
  INVALID_REDIRECT_URI: {
    code: 'invalid_redirect_uri',
    status: 400,
    answer: 'json',
    rule: 'RFC 7591 §3.2.2, RFC 8252 §7.3, §8.3: a redirect URI that may not be registered (RedirectUriError; CLI: exit 2)',
    raisedIn: ['oauth/redirect-uri.ts'],
  },

  // ---- OpenID Connect: authorization requests, userinfo (kept in their own file) ------------------
  ...OIDC_ERRORS,
  ...LOGOUT_ERRORS,
} as const satisfies Record<string, CatalogueEntry>;

/** The name of a catalogue entry. */
export type ErrorName = keyof typeof ERRORS;

/** The names of the page errors. */
export type PageErrorName = {
  [K in ErrorName]: (typeof ERRORS)[K]['answer'] extends 'page' ? K : never;
}[ErrorName];

/**
 * An error class that names its catalogue entry (jose's style: errors told apart by code), so the HTTP
 * layer answers it from the catalogue without knowing the class.
 */
export interface CataloguedError extends Error {
  readonly catalogueName: ErrorName;
}

/** Whether `error` names its catalogue entry. */
export function isCatalogued(error: unknown): error is CataloguedError {
  return (
    error instanceof Error &&
    typeof (error as Partial<CataloguedError>).catalogueName === 'string' &&
    (error as CataloguedError).catalogueName in ERRORS
  );
}
