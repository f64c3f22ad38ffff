/**
 * The links account emails carry: where each purpose's link opens, how long it works, and reading its
 * token back from a request. The token is 256 bits from the CSPRNG; the database keeps only its SHA-256
 * (storage/email-links.ts), so a copy of the database opens no account.
 */
import type { EmailLinkPurpose } from '../storage/email-links.js';
import { hasIssuedShape } from '../tokens/random.js';

/** Path of the page a verification link opens (it asks before it verifies). */
export const VERIFY_EMAIL_PATH = '/verify-email';
/** Path of the page a password reset link opens. */
export const RESET_PASSWORD_PATH = '/reset-password';
/** Path of the "Forgot password?" page. */
export const FORGOT_PASSWORD_PATH = '/forgot-password';

/** How long a link works, in seconds: a verification 24 hours, a password reset 30 minutes. */
export const LINK_LIFETIME: Readonly<Record<EmailLinkPurpose, number>> = {
  verify: 24 * 3600,
  reset: 30 * 60,
};

const PATHS: Readonly<Record<EmailLinkPurpose, string>> = {
  verify: VERIFY_EMAIL_PATH,
  reset: RESET_PASSWORD_PATH,
};

/** The absolute link for a token: the issuer's origin and path, the token in the query. */
export function linkUrl(issuer: string, purpose: EmailLinkPurpose, token: string): string {
  return `${issuer}${PATHS[purpose]}?${new URLSearchParams({ token })}`;
}

/**
 * A link token as presented (query or form field), or `undefined` when it cannot be one we issued: a
 * value of another shape never reaches a query (test/storage-attacks.test.ts has the same rule).
 */
export function presentedToken(value: string | undefined): string | undefined {
  return value !== undefined && hasIssuedShape('token', value) ? value : undefined;
}

/** "24 hours", "30 minutes": a lifetime as an email or a page says it. */
export function lifetimeText(purpose: EmailLinkPurpose): string {
  const seconds = LINK_LIFETIME[purpose];
  return seconds % 3600 === 0 ? `${seconds / 3600} hours` : `${seconds / 60} minutes`;
}
