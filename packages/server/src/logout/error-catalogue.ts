/**
 * The RP-Initiated Logout part of the error catalogue (errors.ts spreads it into `ERRORS`, which
 * test/error-catalogue.test.ts checks): what GET/POST /oauth/logout answers to a link it cannot act
 * on. Each is a page, never a redirect: the return address is not trusted (§3, §4).
 */

/** The entries (the same shape as every entry of errors.ts). */
export const LOGOUT_ERRORS = {
  LOGOUT_MALFORMED_REQUEST: {
    code: 'malformed_link',
    status: 400,
    answer: 'page',
    rule: 'RP-Initiated Logout 1.0 §2, RFC 6749 §3.1: a logout parameter repeated, or bad percent-encoding',
    raisedIn: ['logout/logout-request.ts'],
    title: 'This sign-out link is malformed',
    detail: 'A parameter is repeated or badly encoded, so this link did not sign you out.',
  },
  LOGOUT_UNKNOWN_CLIENT: {
    code: 'unknown_client',
    status: 400,
    answer: 'page',
    rule: 'RP-Initiated Logout 1.0 §2: client_id (or the app of the id_token_hint, with a post_logout_redirect_uri) is not a registered app',
    raisedIn: ['logout/logout-request.ts'],
    title: 'Unknown app',
    detail: 'The app in this sign-out link is not registered here, so this link did not sign you out.',
  },
  LOGOUT_CLIENT_MISMATCH: {
    code: 'client_mismatch',
    status: 400,
    answer: 'page',
    rule: 'RP-Initiated Logout 1.0 §4: client_id is not an audience of the id_token_hint',
    raisedIn: ['logout/logout-request.ts'],
    title: 'This sign-out link does not add up',
    detail: 'It names one app but carries a sign-in of another, so this link did not sign you out.',
  },
  LOGOUT_MISSING_CLIENT: {
    code: 'missing_client_id',
    status: 400,
    answer: 'page',
    rule: 'RP-Initiated Logout 1.0 §2, §3: post_logout_redirect_uri without client_id or a valid id_token_hint to tell the app',
    raisedIn: ['logout/logout-request.ts'],
    title: 'This sign-out link is incomplete',
    detail:
      'It names an address to return to but no app (client_id is missing), so this link did not sign you out.',
  },
  LOGOUT_REDIRECT_URI_MISMATCH: {
    code: 'post_logout_redirect_uri_mismatch',
    status: 400,
    answer: 'page',
    rule: 'RP-Initiated Logout 1.0 §3: post_logout_redirect_uri not registered for the app (exact match)',
    raisedIn: ['logout/logout-request.ts'],
    title: 'Invalid return address',
    detail:
      'The post_logout_redirect_uri in this link is not registered for this app, so this link did not sign you out.',
  },
} as const;
