/** `return_to` handling: same-origin relative paths only, anything else ignored (open-redirect defence). */

/** Where to go after sign-in when `return_to` is absent or unsafe. */
export const DEFAULT_RETURN_TO = '/account/apps';

/**
 * Accepts `/path?query` on this server only: no scheme, no `//host`, no backslashes, only printable
 * ASCII (our own links are percent-encoded). Anything else yields the default.
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-4.11 (open redirection)
 */
export function safeReturnTo(value: string | undefined, issuer: string): string {
  if (
    !value?.startsWith('/') ||
    value.startsWith('//') ||
    value.includes('\\') ||
    /[^\x20-\x7e]/.test(value)
  ) {
    return DEFAULT_RETURN_TO;
  }
  const base = new URL(issuer);
  const url = new URL(value, base);
  if (url.origin !== base.origin) return DEFAULT_RETURN_TO;
  return `${url.pathname}${url.search}`;
}
