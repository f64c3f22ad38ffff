/**
 * The OpenID Connect part of the error catalogue (errors.ts spreads it into `ERRORS`, which
 * test/error-catalogue.test.ts checks): what the authorization endpoint answers to OpenID Connect
 * requests, and the userinfo endpoint's RFC 6750 answers.
 */

/** `WWW-Authenticate` of a userinfo answer to a bad token (RFC 6750 §3). */
const INVALID_TOKEN_CHALLENGE = 'Bearer realm="latchkey", error="invalid_token"';

/** The entries (the same shape as every entry of errors.ts). */
export const OIDC_ERRORS = {
  // ---- Redirects to the app (its client and redirect URI are verified) ---------------------------
  AUTHORIZE_OIDC_INVALID_REQUEST: {
    code: 'invalid_request',
    status: 303,
    answer: 'redirect',
    rule: 'OIDC Core §3.1.2.1, §3.1.2.6: prompt, max_age, response_mode, nonce or id_token_hint malformed, unsupported or contradictory (prompt=none with another value)',
    raisedIn: ['oidc/authorize-params.ts'],
  },
  LOGIN_REQUIRED: {
    code: 'login_required',
    status: 303,
    answer: 'redirect',
    rule: 'OIDC Core §3.1.2.6: prompt=none, and no session, a session older than max_age, or an id_token_hint naming someone else',
    raisedIn: ['oidc/prompt.ts'],
  },
  CONSENT_REQUIRED: {
    code: 'consent_required',
    status: 303,
    answer: 'redirect',
    rule: 'OIDC Core §3.1.2.6: prompt=none, and the consent page would be shown (not consented yet, a public app, or prompt asked for consent)',
    raisedIn: ['oidc/prompt.ts'],
  },
  REQUEST_NOT_SUPPORTED: {
    code: 'request_not_supported',
    status: 303,
    answer: 'redirect',
    rule: 'OIDC Core §3.1.2.6, §6: a request object (`request`) is not supported',
    raisedIn: ['oidc/authorize-params.ts'],
  },
  REQUEST_URI_NOT_SUPPORTED: {
    code: 'request_uri_not_supported',
    status: 303,
    answer: 'redirect',
    rule: 'OIDC Core §3.1.2.6, §6: a request object by reference (`request_uri`) is not supported',
    raisedIn: ['oidc/authorize-params.ts'],
  },

  // ---- HTML pages ----------------------------------------------------------------------------------
  OIDC_MISSING_REDIRECT_URI: {
    code: 'missing_redirect_uri',
    status: 400,
    answer: 'page',
    rule: 'OIDC Core §3.1.2.1: redirect_uri is REQUIRED in an OpenID Connect request (scope openid), even for an app with one',
    raisedIn: ['oidc/authorize-params.ts'],
    title: 'This link is incomplete',
    detail:
      'The request names no redirect_uri, which a sign-in with OpenID Connect must. Nothing was sent back to the app.',
  },

  // ---- The userinfo endpoint (RFC 6750 §3, OIDC Core §5.3.3) ---------------------------------------
  USERINFO_INVALID_TOKEN: {
    code: 'invalid_token',
    status: 401,
    answer: 'json',
    rule: 'RFC 6750 §3.1, OIDC Core §5.3.3: the access token is malformed, expired, revoked, of a deleted app, not ours, acts for no user, or was not granted openid (with WWW-Authenticate: Bearer error="invalid_token")',
    raisedIn: ['endpoints/userinfo.ts'],
    headers: { 'www-authenticate': INVALID_TOKEN_CHALLENGE },
  },
  USERINFO_NO_TOKEN: {
    code: 'invalid_token',
    status: 401,
    answer: 'json',
    rule: 'RFC 6750 §3, §3.1: no access token was sent (the challenge names no error, as §3.1 says for a request without authentication)',
    raisedIn: ['endpoints/userinfo.ts'],
    headers: { 'www-authenticate': 'Bearer realm="latchkey"' },
  },
  USERINFO_INVALID_REQUEST: {
    code: 'invalid_request',
    status: 400,
    answer: 'json',
    // The challenge is set where it is raised: a fixed header here would make every JSON invalid_request
    // 400 (the token endpoint's) look like it should carry one.
    rule: 'RFC 6750 §2, §3.1: the access token sent by more than one method, or in a query string (with WWW-Authenticate: Bearer error="invalid_request")',
    raisedIn: ['endpoints/userinfo.ts'],
  },
} as const;
