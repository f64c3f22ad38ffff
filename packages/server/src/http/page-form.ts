/**
 * Reading the body of a page form (sign-in, sign-up, sign-out, consent, Connected apps). The browser
 * sees an HTML error page, never the JSON `invalid_request` of the OAuth endpoints.
 */
import type { FastifyRequest } from 'fastify';
import { OAuthError } from '../oauth/errors.js';
import { type Params, parseForm } from './form.js';
import { PageError } from './page-errors.js';

/** A page form with a repeated field or bad percent-encoding: nothing was done. */
export const malformedForm = () =>
  new PageError(
    400,
    'This form was not understood',
    'A field was sent more than once or badly encoded. Go back, reload the page and try again. Nothing was changed.',
  );

/**
 * The fields of a page form, parsed as strictly as an OAuth request (a field sent twice is refused,
 * RFC 6749 §3.2, so no check can read one copy and another the other); a refusal is a 400 page
 * ({@link malformedForm}), thrown before anything is read or changed.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-3.2
 */
export function readPageForm(request: FastifyRequest): Params {
  try {
    return parseForm(typeof request.body === 'string' ? request.body : '');
  } catch (error) {
    if (error instanceof OAuthError) throw malformedForm();
    throw error;
  }
}
