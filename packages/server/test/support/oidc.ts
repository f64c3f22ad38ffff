/** Helpers for the OpenID Connect suites: an OIDC server, apps, the code flow with ID tokens, userinfo. */
import { createLocalJWKSet, type JWTPayload, jwtVerify } from 'jose';
import { registerApp } from '../../src/oauth/app-registration.js';
import {
  authorizeAndAllow,
  csrfOf,
  formAction,
  InjectBrowser,
  locationParams,
  pkce,
  redeem,
  signIn,
} from './browser.js';
import { type DialectName, FORM, startTestServer, type TestServer } from './server.js';

/** The scopes of the OIDC suites' servers: an API's and OpenID Connect's. */
export const OIDC_SCOPES = 'data:read data:write openid profile email offline_access';

/** A server whose catalogue has the OpenID Connect scopes. */
export function startOidcServer(dialect: DialectName, env: Record<string, string> = {}): Promise<TestServer> {
  return startTestServer(dialect, { LATCHKEY_SCOPES: OIDC_SCOPES, ...env });
}

/** What {@link registerOidcApp} registers. */
export interface OidcAppOptions {
  name?: string;
  redirectUris?: string[];
  scope?: string;
  isPublic?: boolean;
  subjectType?: string;
  idTokenSignedResponseAlg?: string;
  grants?: string[];
}

/** A registered app, with its Basic credentials. */
export type OidcApp = Awaited<ReturnType<typeof registerOidcApp>>;

/** Registers a code-flow app allowed the OpenID Connect scopes. */
export async function registerOidcApp(s: TestServer, options: OidcAppOptions = {}) {
  const { client, clientSecret } = await registerApp(s.ctx.clients, s.config.scopes, {
    name: options.name ?? 'Sign-in App',
    scope: options.scope ?? OIDC_SCOPES,
    redirectUris: options.redirectUris ?? ['https://rp.example/cb'],
    grants: options.grants ?? ['authorization_code', 'refresh_token'],
    isPublic: options.isPublic ?? false,
    ...(options.subjectType !== undefined && { subjectType: options.subjectType }),
    ...(options.idTokenSignedResponseAlg !== undefined && {
      idTokenSignedResponseAlg: options.idTokenSignedResponseAlg,
    }),
  });
  const basic = `Basic ${Buffer.from(`${client.id}:${clientSecret ?? ''}`).toString('base64')}`;
  return { client, clientSecret, basic, redirectUri: client.redirectUris[0] as string };
}

/** A browser signed in as `email` (created with `password` if new). */
export async function signedIn(s: TestServer, email: string, password = 'correct horse battery') {
  if (!(await s.ctx.users.findByEmail(email))) await s.ctx.users.create(email, password);
  const browser = new InjectBrowser(s.app);
  const res = await signIn(browser, email, password);
  if (res.statusCode !== 303) throw new Error(`sign-in failed: ${res.statusCode}`);
  return browser;
}

/**
 * The query of an OpenID Connect authorization request of `app`, with PKCE; `extra` added or replacing
 * (an empty value removes the parameter).
 */
export function oidcQuery(app: OidcApp, extra: Record<string, string> = {}) {
  const { verifier, challenge } = pkce();
  const query: Record<string, string> = {
    response_type: 'code',
    client_id: app.client.id,
    redirect_uri: app.redirectUri,
    scope: 'openid profile email',
    state: 'st-1',
    nonce: 'n-0S6_WzA2Mj',
    code_challenge: challenge,
    code_challenge_method: 'S256',
    ...extra,
  };
  // An empty value in `extra` leaves the parameter out.
  for (const [name, value] of Object.entries(query)) if (value === '') delete query[name];
  return { query, verifier };
}

/** Authorizes (allowing on the consent page if shown) and returns the code's redirect parameters. */
export async function authorizeCode(browser: InjectBrowser, query: Record<string, string>) {
  const res = await authorizeAndAllow(browser, query);
  if (res.statusCode !== 303)
    throw new Error(`authorize answered ${res.statusCode}: ${res.body.slice(0, 300)}`);
  return locationParams(res);
}

/** The token response of redeeming `code`. */
export async function redeemCode(s: TestServer, app: OidcApp, code: string, verifier: string) {
  const form = { code, redirect_uri: app.redirectUri, code_verifier: verifier };
  // A public app authenticates with nothing but its client_id (RFC 6749 §4.1.3).
  const res = app.clientSecret
    ? await redeem(s.app, app.basic, form)
    : await redeem(s.app, undefined, { ...form, client_id: app.client.id });
  if (res.statusCode !== 200) throw new Error(`token answered ${res.statusCode}: ${res.body}`);
  return res.json() as {
    access_token: string;
    id_token?: string;
    refresh_token?: string;
    scope: string;
    expires_in: number;
  };
}

/** The whole code flow for a signed-in browser: the token response. */
export async function codeFlow(
  s: TestServer,
  browser: InjectBrowser,
  app: OidcApp,
  extra: Record<string, string> = {},
) {
  const { query, verifier } = oidcQuery(app, extra);
  const back = await authorizeCode(browser, query);
  return redeemCode(s, app, back.get('code') as string, verifier);
}

/** A refresh of `refreshToken` for `app`. */
export function refresh(s: TestServer, app: OidcApp, refreshToken: string, extra = '') {
  return s.app.inject({
    method: 'POST',
    url: '/oauth/token',
    headers: { ...FORM, authorization: app.basic },
    payload: `grant_type=refresh_token&refresh_token=${refreshToken}${extra}`,
  });
}

/** The header and claims of a JWT, unverified. */
export function decodeJwt(token: string): { header: Record<string, unknown>; payload: JWTPayload } {
  const [header, payload] = token.split('.') as [string, string];
  const json = (part: string) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  return { header: json(header), payload: json(payload) };
}

/** Verifies an ID token as an app would: our JWKS, our issuer, the app as audience, `typ: JWT`. */
export async function verifyIdToken(s: TestServer, token: string, audience: string) {
  const jwks = createLocalJWKSet((await s.app.inject({ url: '/.well-known/jwks.json' })).json());
  return jwtVerify(token, jwks, { issuer: s.config.issuer, audience, typ: 'JWT' });
}

/** Calls the userinfo endpoint: GET with the header, POST with the header, or POST with the form body. */
export function userinfo(s: TestServer, token: string, how: 'get' | 'post-header' | 'post-body' = 'get') {
  if (how === 'get')
    return s.app.inject({ url: '/oauth/userinfo', headers: { authorization: `Bearer ${token}` } });
  if (how === 'post-header')
    return s.app.inject({
      method: 'POST',
      url: '/oauth/userinfo',
      headers: { authorization: `Bearer ${token}` },
    });
  return s.app.inject({
    method: 'POST',
    url: '/oauth/userinfo',
    headers: FORM,
    payload: `access_token=${encodeURIComponent(token)}`,
  });
}

/** Follows a 303 to the sign-in page and signs in there again; returns the sign-in's answer. */
export async function signInAgain(browser: InjectBrowser, location: string, email: string, password: string) {
  const page = await browser.get(location);
  if (page.statusCode !== 200) throw new Error(`sign-in page answered ${page.statusCode}`);
  return browser.post(formAction(page.body), { csrf: csrfOf(page.body), email, password });
}
