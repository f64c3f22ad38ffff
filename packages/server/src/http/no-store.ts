/** Cache headers for responses that carry tokens or credentials (RFC 6749 §5.1). */

/**
 * Headers every token, revocation and introspection response carries, success or error.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.1
 */
export const NO_STORE_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'cache-control': 'no-store',
  pragma: 'no-cache',
});
