/** Helpers for the attack suites: DB row counts, token endpoint calls, page checks, codes on demand. */
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import { sha256Hex } from '../../src/tokens/random.js';
import { RefreshTokenFormat, SELECTOR_KEY_NAME } from '../../src/tokens/refresh-token-format.js';
import {
  authorizeAndAllow,
  type InjectBrowser,
  locationParams,
  pkce,
  type registerThreeLeggedApp,
} from './browser.js';
import { FORM, type TestServer } from './server.js';

/** The issuer every test server runs with. */
export const ISSUER = 'http://localhost:4000';

/** A registered three-legged app, as `registerThreeLeggedApp` returns it. */
export type ThreeLeggedApp = Awaited<ReturnType<typeof registerThreeLeggedApp>>;

/** Tables the three-legged flow writes. */
export type FlowTable =
  | 'authorization_requests'
  | 'authorization_codes'
  | 'consents'
  | 'grants'
  | 'refresh_tokens'
  | 'sessions'
  | 'revoked_tokens';

/** Number of rows in a table. */
export async function countRows(s: TestServer, table: FlowTable): Promise<number> {
  const row = await s.ctx.db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Row counts of every flow table, to prove a request stored nothing. */
export async function snapshot(s: TestServer): Promise<Record<FlowTable, number>> {
  const tables: FlowTable[] = [
    'authorization_requests',
    'authorization_codes',
    'consents',
    'grants',
    'refresh_tokens',
    'sessions',
    'revoked_tokens',
  ];
  const counts = await Promise.all(tables.map((t) => countRows(s, t)));
  return Object.fromEntries(tables.map((t, i) => [t, counts[i]])) as Record<FlowTable, number>;
}

/** The hash under which a code or refresh token is stored. */
export const hashOf = (token: string) => sha256Hex(token);

/**
 * A refresh token in this server's own format (its database's selector key) for row `rowId`, with a
 * fresh verifier: what an attacker who knew the key and a row ID could build, lacking the verifier.
 */
export async function ownFormatToken(s: TestServer, rowId: number): Promise<string> {
  const { value } = await s.ctx.db
    .selectFrom('instance_secrets')
    .select('value')
    .where('name', '=', SELECTOR_KEY_NAME)
    .executeTakeFirstOrThrow();
  return new RefreshTokenFormat(Buffer.from(value, 'hex')).issue(rowId);
}

/** Seconds since the epoch. */
export const nowSeconds = () => Math.floor(Date.now() / 1000);

/** POST /oauth/token with a form. */
export function tokenRequest(app: FastifyInstance, basic: string | undefined, form: Record<string, string>) {
  return app.inject({
    method: 'POST',
    url: '/oauth/token',
    headers: { ...FORM, ...(basic ? { authorization: basic } : {}) },
    payload: new URLSearchParams(form).toString(),
  });
}

/** A refresh_token grant request. */
export function refresh(app: FastifyInstance, basic: string, refreshToken: string, scope?: string) {
  return tokenRequest(app, basic, {
    grant_type: 'refresh_token',
    refresh_token: refreshToken,
    ...(scope === undefined ? {} : { scope }),
  });
}

/** POST /oauth/introspect. */
export function introspect(app: FastifyInstance, basic: string | undefined, token: string) {
  return app.inject({
    method: 'POST',
    url: '/oauth/introspect',
    headers: { ...FORM, ...(basic ? { authorization: basic } : {}) },
    payload: new URLSearchParams({ token }).toString(),
  });
}

/** POST /oauth/revoke. */
export function revoke(app: FastifyInstance, basic: string, token: string, hint?: string) {
  return app.inject({
    method: 'POST',
    url: '/oauth/revoke',
    headers: { ...FORM, authorization: basic },
    payload: new URLSearchParams({ token, ...(hint ? { token_type_hint: hint } : {}) }).toString(),
  });
}

/** A 400 `invalid_grant` from the token endpoint. */
export function expectInvalidGrant(res: LightMyRequestResponse) {
  expect({ status: res.statusCode, error: res.json().error }).toEqual({
    status: 400,
    error: 'invalid_grant',
  });
}

/** Exactly the RFC 7662 inactive answer. */
export function expectInactive(res: LightMyRequestResponse) {
  expect(res.statusCode).toBe(200);
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  expect(res.body).toBe('{"active":false}');
}

/** The payload of a JWT. */
export function claimsOf(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split('.')[1] as string, 'base64url').toString('utf8'));
}

/** The security headers of every HTML page, and no third-party resources or scripts in it. */
export function expectSecurePage(res: LightMyRequestResponse) {
  expect(res.headers['content-type']).toMatch(/^text\/html/);
  expect(res.headers['x-frame-options']).toBe('DENY');
  expect(String(res.headers['content-security-policy'])).toContain("frame-ancestors 'none'");
  expect(res.headers['referrer-policy']).toBe('no-referrer');
  const body = res.body;
  expect(body).not.toMatch(/<script/i);
  expect(body).not.toMatch(/<iframe|<object|<embed/i);
  // No attribute loads or links anything absolute or protocol-relative.
  expect(body).not.toMatch(/\b(?:src|href|srcset|action|poster|data)\s*=\s*["']?\s*(?:[a-z][\w+.-]*:)?\/\//i);
  expect(body).not.toMatch(/url\(\s*["']?\s*(?:[a-z][\w+.-]*:)?\/\//i);
  expect(body).not.toMatch(/@import/i);
}

/** A page error: status, HTML, never a redirect. */
export function expectErrorPage(res: LightMyRequestResponse, status = 400) {
  expect(res.statusCode).toBe(status);
  expect(res.headers['content-type']).toMatch(/^text\/html/);
  expect(res.headers['location']).toBeUndefined();
  expectSecurePage(res);
}

/** A redirect to `redirectUri` carrying `error`, the echoed `state` and `iss` (RFC 9207), and no code. */
export function expectRedirectError(
  res: LightMyRequestResponse,
  redirectUri: string,
  error: string,
  state: string | undefined,
) {
  expect(res.statusCode).toBe(303);
  const location = String(res.headers['location']);
  expect(location.startsWith(`${redirectUri}?`)).toBe(true);
  const params = locationParams(res);
  expect(params.get('error')).toBe(error);
  expect(params.get('state')).toBe(state ?? null);
  expect(params.get('iss')).toBe(ISSUER);
  expect(params.get('code')).toBeNull();
}

/** The session cookie named in a response's Set-Cookie, if any (a deletion counts as none). */
export function sessionCookieSet(res: LightMyRequestResponse): boolean {
  const header = res.headers['set-cookie'];
  const list = header === undefined ? [] : Array.isArray(header) ? header : [header];
  return list.some((line) => /^lk_session=[^;]+/.test(line) && !/Max-Age=0/i.test(line));
}

/** A session for a user without going through the (slow) password form. */
export async function signedInBrowser(s: TestServer, browser: InjectBrowser, userId: string) {
  const token = await s.ctx.users.createSession(userId, 3600);
  browser.cookies.set('lk_session', token);
  return browser;
}

/** Gets a code through the authorization endpoint for a signed-in browser (allowing consent if asked). */
export async function getCode(
  browser: InjectBrowser,
  app: ThreeLeggedApp,
  options: { scope?: string; redirectUri?: string | null; withPkce?: boolean; state?: string } = {},
) {
  const pair = pkce();
  const withPkce = options.withPkce ?? true;
  const redirectUri = options.redirectUri === undefined ? app.redirectUri : options.redirectUri;
  const query: Record<string, string> = {
    response_type: 'code',
    client_id: app.client.id,
    scope: options.scope ?? 'data:read data:write',
    state: options.state ?? 'st',
  };
  if (redirectUri !== null) query['redirect_uri'] = redirectUri;
  if (withPkce) Object.assign(query, { code_challenge: pair.challenge, code_challenge_method: 'S256' });
  const res = await authorizeAndAllow(browser, query);
  expect(res.statusCode).toBe(303);
  const code = locationParams(res).get('code');
  if (!code) throw new Error(`no code in ${String(res.headers['location'])}`);
  return {
    code,
    verifier: withPkce ? pair.verifier : undefined,
    redirectUri: redirectUri ?? app.redirectUri,
    location: String(res.headers['location']),
  };
}

/** Redeems a fresh code and returns the token response body. */
export async function getTokens(
  s: TestServer,
  browser: InjectBrowser,
  app: ThreeLeggedApp,
  options: { scope?: string } = {},
) {
  const { code, verifier, redirectUri } = await getCode(browser, app, options);
  const res = await tokenRequest(s.app, app.basic, {
    grant_type: 'authorization_code',
    code,
    redirect_uri: redirectUri,
    code_verifier: verifier as string,
  });
  expect(res.statusCode).toBe(200);
  return res.json() as {
    access_token: string;
    refresh_token: string;
    scope: string;
    expires_in: number;
    token_type: string;
  };
}
