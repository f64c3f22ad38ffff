/** `return_to` handling: same-origin relative paths only, anything else ignored (open-redirect defence). */

/** Where to go after sign-in when `return_to` is absent or unsafe. */
export const DEFAULT_RETURN_TO = '/account/apps';

/**
 * Whether a resolved path would leave this origin when a browser follows it as a Location:
 * `//host` is protocol-relative and a backslash counts as a slash; checked on the decoded path too,
 * in case something between here and the browser decodes `%2f` or `%5c`.
 */
function leavesOrigin(path: string): boolean {
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    return true;
  }
  return [path, decoded].some((p) => p.startsWith('//') || p.includes('\\'));
}

/**
 * Accepts `/path?query` on this server only: no scheme, no `//host`, no backslashes, only printable
 * ASCII (our own links are percent-encoded). The input is resolved first and the *resolved* path is
 * checked again, since dot segments turn `/..//evil.example` or `/%2e%2e//evil.example` into
 * `//evil.example`. Anything else yields the default.
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-4.11 (open redirection)
 */
export function safeReturnTo(value: string | undefined, issuer: string): string {
  if (
    typeof value !== 'string' ||
    !value.startsWith('/') ||
    value.startsWith('//') ||
    value.includes('\\') ||
    /[^\x20-\x7e]/.test(value)
  ) {
    return DEFAULT_RETURN_TO;
  }
  const base = new URL(issuer);
  let url: URL;
  try {
    url = new URL(value, base);
  } catch {
    return DEFAULT_RETURN_TO;
  }
  if (url.origin !== base.origin || leavesOrigin(url.pathname)) return DEFAULT_RETURN_TO;
  return `${url.pathname}${url.search}`;
}
