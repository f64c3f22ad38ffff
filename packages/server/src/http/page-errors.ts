/**
 * Errors shown as an HTML page (never a redirect): bad client, bad redirect URI, CSRF, expired request.
 * Their status, headline, text and searchable code come from the error catalogue (errors.ts).
 */
import { ERRORS, type PageErrorName } from '../errors.js';
import type { DeveloperReason } from '../oauth/errors.js';

/** A link out of an error page, for pages of the signed-in user (the portal's "Back to My apps"). */
export interface PageLink {
  href: string;
  label: string;
}

/** An error the browser sees as a page with this status, headline, text and code. */
export class PageError extends Error {
  override readonly name = 'PageError';
  /** For the app's developer only (Recent errors), never on the page: see {@link DeveloperReason}. */
  reason: DeveloperReason | undefined;
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string,
    readonly code: string,
    readonly headers: Record<string, string> = {},
    /** Where the page offers to go instead; without it, the no-redirect page of a broken link. */
    readonly back?: PageLink,
  ) {
    super(`${title}: ${detail}`);
  }

  /** Sets the developer-facing {@link PageError.reason} where the rule is enforced; returns the error. */
  because(reason: DeveloperReason): this {
    this.reason = reason;
    return this;
  }
}

/**
 * The page of catalogue entry `name`; `status` overrides the entry's only where it names a range (413
 * for a body too large); `back` is a way on for a signed-in user's page.
 */
export function pageError(
  name: PageErrorName,
  options: { headers?: Record<string, string>; status?: number; back?: PageLink } = {},
): PageError {
  const entry = ERRORS[name];
  return new PageError(
    options.status ?? entry.status,
    entry.title,
    entry.detail,
    entry.code,
    options.headers,
    options.back,
  );
}
