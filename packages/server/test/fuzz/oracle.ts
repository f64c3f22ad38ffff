/**
 * The oracle of the fuzz properties: the error catalogue (src/errors.ts). Every answer must be one the
 * catalogue documents, with the status it gives that code: a JSON `{error, error_description?}` on the
 * API endpoints, an HTML page naming its code on the browser pages, a redirect carrying a redirect
 * error to the app. Never a 5xx: the server is healthy while it is fuzzed, so even the catalogued 500
 * and 503 answers are failures here.
 */
import type { LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import { type CatalogueEntry, ERRORS } from '../../src/errors.js';

const ENTRIES = Object.values(ERRORS) as CatalogueEntry[];

/** App registration errors are the CLI's (exit 2), never an HTTP answer. */
const REGISTRATION_CODES = new Set<string>([
  ERRORS.INVALID_CLIENT_METADATA.code,
  ERRORS.INVALID_REDIRECT_URI.code,
]);

/**
 * `code status` pairs of one kind of answer. REQUEST_UNREADABLE and PAGE_BAD_REQUEST name a range:
 * 413 when the body is too large (their rule, and `oauthError` / `pageError`'s status override).
 */
function pairs(answer: CatalogueEntry['answer']): Map<string, CatalogueEntry> {
  const found = new Map<string, CatalogueEntry>();
  for (const entry of ENTRIES) {
    if (entry.answer !== answer || REGISTRATION_CODES.has(entry.code)) continue;
    found.set(`${entry.code} ${entry.status}`, entry);
  }
  if (answer === 'json') found.set(`${ERRORS.REQUEST_UNREADABLE.code} 413`, ERRORS.REQUEST_UNREADABLE);
  if (answer === 'page') found.set(`${ERRORS.PAGE_BAD_REQUEST.code} 413`, ERRORS.PAGE_BAD_REQUEST);
  return found;
}

const JSON_ANSWERS = pairs('json');
const PAGE_ANSWERS = pairs('page');

/** The codes a redirect back to the app may carry (RFC 6749 §4.1.2.1). */
export const REDIRECT_ERROR_CODES: ReadonlySet<string> = new Set(
  ENTRIES.filter((entry) => entry.answer === 'redirect').map((entry) => entry.code),
);

/** A short printable view of an answer for a failure message. */
function describeAnswer(res: LightMyRequestResponse): string {
  return `${res.statusCode} ${String(res.headers['content-type'])} ${res.body.slice(0, 300)}`;
}

/** No 5xx: whatever a client sends, a healthy server answers it. */
export function expectNoServerError(res: LightMyRequestResponse): void {
  expect(res.statusCode, describeAnswer(res)).toBeLessThan(500);
}

/**
 * An answer of a JSON endpoint (token, revocation, introspection): JSON and `no-store` always; below
 * 300 the parsed body is returned for the caller to check as a success; otherwise exactly
 * `{error, error_description?}` whose code and status the catalogue lists together, with the headers
 * the entry always carries.
 */
export function expectJsonAnswer(res: LightMyRequestResponse): Record<string, unknown> {
  expectNoServerError(res);
  const seen = describeAnswer(res);
  expect(String(res.headers['content-type']), seen).toMatch(/^application\/json/);
  expect(res.headers['cache-control'], seen).toBe('no-store');
  // HEAD has no body (RFC 9110 §9.3.2): its status is still checked below.
  const body = (res.body === '' ? {} : JSON.parse(res.body)) as Record<string, unknown>;
  expect(typeof body === 'object' && body !== null && !Array.isArray(body), seen).toBe(true);
  if (res.statusCode < 300) return body;
  expect(res.statusCode, seen).toBeGreaterThanOrEqual(400);
  if (res.body !== '') {
    expect(
      Object.keys(body).filter((key) => key !== 'error' && key !== 'error_description'),
      seen,
    ).toEqual([]);
    expect(typeof body['error'], seen).toBe('string');
    if ('error_description' in body) expect(typeof body['error_description'], seen).toBe('string');
  }
  const code = res.body === '' ? undefined : String(body['error']);
  const matches = [...JSON_ANSWERS.entries()].filter(([pair]) =>
    code === undefined ? pair.endsWith(` ${res.statusCode}`) : pair === `${code} ${res.statusCode}`,
  );
  expect(
    matches.length,
    `"${code} ${res.statusCode}" is not in the error catalogue: ${seen}`,
  ).toBeGreaterThan(0);
  for (const [, entry] of matches.slice(0, 1)) {
    for (const [name, value] of Object.entries(entry.headers ?? {}))
      expect(res.headers[name], seen).toBe(value);
  }
  return body;
}

/**
 * An answer of a browser page that is not a redirect: HTML; below 300 returned to the caller; otherwise
 * an error page whose status line ("Error 400 · unknown_client") names a catalogued page code with the
 * status the catalogue gives it.
 */
export function expectPageAnswer(res: LightMyRequestResponse): void {
  expectNoServerError(res);
  const seen = describeAnswer(res);
  expect(String(res.headers['content-type']), seen).toMatch(/^text\/html/);
  expect(res.headers['location'], seen).toBeUndefined();
  if (res.statusCode < 300 || res.body === '') return;
  const line = /<p class="status">Error (\d+) · ([a-z_]+)<\/p>/.exec(res.body);
  expect(line, `an error page without its status line: ${seen}`).not.toBeNull();
  const [, status, code] = line as RegExpExecArray;
  expect(Number(status), seen).toBe(res.statusCode);
  expect(PAGE_ANSWERS.has(`${code} ${status}`), `"${code} ${status}" is not a catalogued page: ${seen}`).toBe(
    true,
  );
}

/**
 * The values that must never come back in an answer (a client secret, a code, a refresh token, a
 * verifier): only those long enough that finding them says something.
 */
export function expectNotEchoed(text: string, secrets: Iterable<string>): void {
  for (const secret of secrets) {
    if (secret.length >= 8)
      expect(text.includes(secret), `"${secret}" echoed in: ${text.slice(0, 300)}`).toBe(false);
  }
}
