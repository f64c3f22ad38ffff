/**
 * What the OpenID Foundation's certification modules check at every step, as helpers for
 * test/oidc-conformance.test.ts: the authorization response (state, iss), the ID token (signature and
 * `kid` against the JWKS, iss, aud, azp, exp, iat, nonce, at_hash, auth_time), and the userinfo
 * response.
 */

import type { LightMyRequestResponse } from 'fastify';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { expect } from 'vitest';
import { accessTokenHash } from '../../src/oidc/id-token.js';
import { csrfOf, formAction, type InjectBrowser } from './browser.js';
import { type OidcApp, oidcQuery, redeemCode } from './oidc.js';
import type { TestServer } from './server.js';

/** The issuer of the conformance servers: every endpoint https, as the discovery checks require. */
export const OP_ISSUER = 'https://op.example';

/** The authorization URL of a query. */
export const authorizeUrl = (query: Record<string, string>) =>
  `/oauth/authorize?${new URLSearchParams(query)}`;

/** The redirect back to the app: a 303 to its redirect URI with `iss` (RFC 9207) and the state sent. */
export function expectAnswer(res: LightMyRequestResponse, app: OidcApp, state: string | undefined) {
  expect(res.statusCode, res.body.slice(0, 200)).toBe(303);
  const location = new URL(String(res.headers['location']));
  expect(`${location.origin}${location.pathname}`).toBe(app.redirectUri);
  expect(location.searchParams.get('iss')).toBe(OP_ISSUER);
  expect(location.searchParams.get('state')).toBe(state ?? null);
  return location.searchParams;
}

/** An error redirect (OIDC Core §3.1.2.6): one of `errors`, with the state and iss. */
export function expectAuthError(res: LightMyRequestResponse, app: OidcApp, errors: string[], state = 'st-1') {
  const params = expectAnswer(res, app, state);
  expect(errors).toContain(params.get('error'));
  expect(params.get('code')).toBeNull();
  return params;
}

/** An error page: no redirect anywhere (RFC 6749 §3.1.2.4). */
export function expectErrorPage(res: LightMyRequestResponse, code: string) {
  expect(res.statusCode).toBe(400);
  expect(res.headers['location']).toBeUndefined();
  expect(res.body).toContain(code);
}

/** What the suite's ID-token checks verify (OIDC Core §3.1.3.7), the claims returned. */
export async function validateIdToken(
  s: TestServer,
  app: OidcApp,
  idToken: string | undefined,
  expected: { nonce?: string; accessToken?: string; alg?: string } = {},
) {
  expect(idToken, 'an ID token').toBeTypeOf('string');
  const jwks = (await s.app.inject({ url: '/.well-known/jwks.json' })).json() as { keys: { kid: string }[] };
  const { payload, protectedHeader } = await jwtVerify(idToken as string, createLocalJWKSet(jwks), {
    issuer: OP_ISSUER,
    audience: app.client.id,
    algorithms: [expected.alg ?? 'RS256'],
  });
  expect(jwks.keys.map((k) => k.kid)).toContain(protectedHeader.kid);
  const now = Math.floor(Date.now() / 1000);
  expect(payload.iat as number).toBeLessThanOrEqual(now + 5);
  expect(payload.exp as number).toBeGreaterThan(now);
  expect(payload.sub).toMatch(/^[\x21-\x7e]{1,255}$/);
  expect(payload['azp']).toBe(app.client.id);
  expect(payload['auth_time']).toBeTypeOf('number');
  if (expected.nonce === undefined) expect(payload['nonce']).toBeUndefined();
  else expect(payload['nonce']).toBe(expected.nonce);
  if (expected.accessToken)
    expect(payload['at_hash']).toBe(accessTokenHash(expected.accessToken, protectedHeader.alg as 'RS256'));
  return payload;
}

/** Answers the consent page with Allow when `res` is one; else `res`. */
export async function allowIfAsked(browser: InjectBrowser, res: LightMyRequestResponse) {
  if (res.statusCode !== 200 || !res.body.includes('name="decision"')) return res;
  return browser.post(formAction(res.body), { csrf: csrfOf(res.body), decision: 'allow' });
}

/**
 * The suite's happy path for a browser: authorize (allowing on the consent page if shown), check the
 * answer, redeem the code, validate the ID token. `extra` adds or replaces request parameters.
 */
export async function happyPath(
  s: TestServer,
  browser: InjectBrowser,
  app: OidcApp,
  extra: Record<string, string> = {},
) {
  const { query, verifier } = oidcQuery(app, extra);
  const res = await allowIfAsked(browser, await browser.get(authorizeUrl(query)));
  const back = expectAnswer(res, app, query['state']);
  const code = back.get('code') as string;
  const tokens = await redeemCode(s, app, code, verifier);
  expect(tokens).toMatchObject({ token_type: 'Bearer' });
  const claims = await validateIdToken(s, app, tokens.id_token, {
    ...(query['nonce'] !== undefined && { nonce: query['nonce'] }),
    accessToken: tokens.access_token,
    ...(app.client.idTokenSignedResponseAlg && { alg: app.client.idTokenSignedResponseAlg }),
  });
  return { code, verifier, tokens, claims, query };
}

/** A userinfo answer as the suite checks it: 200 JSON whose `sub` is the ID token's. */
export function expectUserinfo(res: LightMyRequestResponse, sub: unknown) {
  expect(res.statusCode, res.body).toBe(200);
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  const claims = res.json();
  expect(claims.sub).toBe(sub);
  return claims as Record<string, unknown>;
}
