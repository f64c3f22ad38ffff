/**
 * Errors shown as an HTML page (never a redirect): bad client, bad redirect URI, CSRF, expired request.
 * Their status, headline, text and searchable code come from the error catalogue (errors.ts).
 */
import { ERRORS, type PageErrorName } from '../errors.js';

/** An error the browser sees as a page with this status, headline, text and code. */
export class PageError extends Error {
  override readonly name = 'PageError';
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string,
    readonly code: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(`${title}: ${detail}`);
  }
}

/**
 * The page of catalogue entry `name`; `status` overrides the entry's only where it names a range (413
 * for a body too large).
 */
export function pageError(
  name: PageErrorName,
  options: { headers?: Record<string, string>; status?: number } = {},
): PageError {
  const entry = ERRORS[name];
  return new PageError(
    options.status ?? entry.status,
    entry.title,
    entry.detail,
    entry.code,
    options.headers,
  );
}
