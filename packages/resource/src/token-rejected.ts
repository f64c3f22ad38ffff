// The error a verifier throws when the token itself is at fault (→ 401 invalid_token).

/**
 * The token failed a check. `message` is a fixed description safe to send to the client: it never
 * contains the token or a claim value.
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-3.1
 */
export class TokenRejected extends Error {
  override readonly name = 'TokenRejected';
}
