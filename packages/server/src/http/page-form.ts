/**
 * Reading the body of a page form (sign-in, sign-up, sign-out, consent, Connected apps). The browser
 * sees an HTML error page, never the JSON `invalid_request` of the OAuth endpoints.
 */
import type { FastifyRequest } from 'fastify';
import { OAuthError } from '../oauth/errors.js';
import { type Params, parseForm } from './form.js';
import { pageError } from './page-errors.js';

/**
 * The fields of a page form, parsed as strictly as an OAuth request (a field sent twice is refused,
 * RFC 6749 §3.2, so no check can read one copy and another the other); a refusal is a 400 page
 * (MALFORMED_FORM in errors.ts), thrown before anything is read or changed.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-3.2
 */
export function readPageForm(request: FastifyRequest): Params {
  try {
    return parseForm(typeof request.body === 'string' ? request.body : '');
  } catch (error) {
    if (error instanceof OAuthError) throw pageError('MALFORMED_FORM');
    throw error;
  }
}
