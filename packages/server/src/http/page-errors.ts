/** Errors shown as an HTML page (never a redirect): bad client, bad redirect URI, CSRF, expired request. */

/** An error the browser sees as a page with this status. */
export class PageError extends Error {
  override readonly name = 'PageError';
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(`${title}: ${detail}`);
  }
}

/** SECURITY.md: a login or consent POST without the anti-CSRF token or from a foreign origin. */
export const forbiddenForm = () =>
  new PageError(403, 'This form has expired', 'Go back, reload the page and try again. Nothing was changed.');
