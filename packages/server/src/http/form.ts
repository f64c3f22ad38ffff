/** Strict application/x-www-form-urlencoded parsing for OAuth requests (RFC 6749 §3.2, Appendix B). */
import { oauthError } from '../oauth/errors.js';

/** Parameters of one request: a Map, so `__proto__` or `a[b]` are plain names and nothing nests. */
export type Params = ReadonlyMap<string, string>;

function decodeComponent(raw: string): string {
  const plus = raw.includes('+') ? raw.replaceAll('+', ' ') : raw;
  if (!plus.includes('%')) return plus;
  try {
    return decodeURIComponent(plus);
  } catch {
    throw oauthError('INVALID_REQUEST', 'malformed percent-encoding in the request body');
  }
}

/**
 * Parses a form body. Duplicate parameters are refused (RFC 6749 §3.2: "MUST NOT be included more
 * than once"); empty values count as omitted (§3.1), so an empty copy is no repeat, wherever it stands
 * (test/fuzz/form.test.ts); bad percent-encoding is `invalid_request`.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-3.2
 */
export function parseForm(body: string): Params {
  const params = new Map<string, string>();
  if (body.length === 0) return params;
  for (const pair of body.split('&')) {
    if (pair.length === 0) continue;
    const eq = pair.indexOf('=');
    const name = decodeComponent(eq === -1 ? pair : pair.slice(0, eq));
    const value = eq === -1 ? '' : decodeComponent(pair.slice(eq + 1));
    // Omitted before the repeat check, so `a=1&a=` and `a=&a=1` read the same (as the query parser does).
    if (value === '') continue;
    if (params.has(name)) throw oauthError('INVALID_REQUEST', `parameter "${printable(name)}" is repeated`);
    params.set(name, value);
  }
  return params;
}

/** A parameter name safe to echo in an error description. */
export function printable(name: string): string {
  const clean = name.replace(/[^\x20-\x7e]/g, '?');
  return clean.length > 40 ? `${clean.slice(0, 40)}...` : clean;
}

/** Reads a required parameter or throws `invalid_request` naming it. */
export function requireParam(params: Params, name: string): string {
  const value = params.get(name);
  if (value === undefined) throw oauthError('INVALID_REQUEST', `missing required parameter "${name}"`);
  return value;
}
