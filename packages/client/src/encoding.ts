// Byte and text encodings used on the wire: base64url, form encoding, Basic credentials, randomness.

/**
 * Encodes bytes as unpadded base64url.
 * @see https://www.rfc-editor.org/rfc/rfc4648#section-5
 */
export function base64url(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/**
 * Returns `size` cryptographically random bytes as base64url (32 bytes = 256 bits by default).
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-10.10
 */
export function randomString(size = 32): string {
  return base64url(crypto.getRandomValues(new Uint8Array(size)));
}

/**
 * Encodes one value with the `application/x-www-form-urlencoded` algorithm (space becomes `+`).
 * @see https://url.spec.whatwg.org/#concept-urlencoded-serializer
 */
export function formEncode(value: string): string {
  return new URLSearchParams([['', value]]).toString().slice(1);
}

/**
 * Builds an HTTP Basic `Authorization` value from a client id and secret, each form-encoded first.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-2.3.1
 */
export function basicCredentials(clientId: string, clientSecret: string): string {
  return `Basic ${btoa(`${formEncode(clientId)}:${formEncode(clientSecret)}`)}`;
}

/**
 * Decodes unpadded base64url into bytes; `undefined` when `text` holds a character outside the
 * base64url alphabet or cannot be decoded.
 * @see https://www.rfc-editor.org/rfc/rfc7515#section-2
 */
export function fromBase64url(text: string): Uint8Array | undefined {
  if (!/^[\w-]*$/.test(text)) return undefined;
  try {
    return Uint8Array.from(atob(text.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0));
  } catch {
    return undefined;
  }
}
