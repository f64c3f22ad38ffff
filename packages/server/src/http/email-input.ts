/** The email typed into the sign-in and sign-up forms, checked before it goes near the database. */
import { normalizeEmail } from '../storage/users.js';

/** RFC 5321 §4.5.3.1: 64 octets of local part, `@`, 255 of domain. */
export const MAX_EMAIL_LENGTH = 320;

/**
 * The normalized email, or `undefined` when it cannot be an address: longer than 320 characters
 * (RFC 5321 §4.5.3.1) or containing a control character (C0, DEL, C1; PostgreSQL refuses NUL in
 * text, so such a value must never reach a query).
 * @see https://www.rfc-editor.org/rfc/rfc5321#section-4.5.3.1
 */
export function emailInput(raw: string): string | undefined {
  const email = normalizeEmail(raw);
  if (email.length > MAX_EMAIL_LENGTH || /\p{Cc}/u.test(email)) return undefined;
  return email;
}
