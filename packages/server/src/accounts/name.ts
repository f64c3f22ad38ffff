/** A person's name as typed at sign-up or given to `latchkey users create --name`: checked before it is stored. */
import { MAX_NAME_LENGTH } from '../pages/signup.js';

/**
 * A name, or why it cannot be one and what the form shows again (what was typed, without control
 * characters, cut to the field's length).
 */
export type NameInput = { name: string } | { problem: string; kept: string };

/**
 * The name with surrounding spaces cut (Unicode NFC), or the problem with it: empty, longer than
 * `MAX_NAME_LENGTH` (200) characters (code points, as PostgreSQL's `varchar(200)` counts them), or
 * with a control character or line separator (a line break would let a name start a new line in an
 * email or a log, and PostgreSQL refuses NUL). Shown as the OIDC `name` claim.
 * @see https://openid.net/specs/openid-connect-core-1_0.html#StandardClaims
 */
export function nameInput(raw: string): NameInput {
  const name = raw.trim().normalize('NFC');
  const refuse = (problem: string) => ({
    problem,
    kept: [...name.replace(/[\p{Cc}\p{Zl}\p{Zp}]/gu, ' ')].slice(0, MAX_NAME_LENGTH).join(''),
  });
  if (name === '') return refuse('Enter your name.');
  if ([...name].length > MAX_NAME_LENGTH)
    return refuse(`Use at most ${MAX_NAME_LENGTH} characters for your name.`);
  if (/[\p{Cc}\p{Zl}\p{Zp}]/u.test(name))
    return refuse('Enter your name on one line, without control characters.');
  return { name };
}
