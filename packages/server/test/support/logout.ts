/** Helpers of the logout suites: ID tokens to hint with, the browser's session, apps that log out. */
import type { Session } from '../../src/storage/users.js';
import { signJwt } from '../../src/tokens/jwt.js';
import { ISSUER } from './attacks.js';
import type { InjectBrowser } from './browser.js';
import type { TestServer } from './server.js';

/**
 * An ID token as this server signs them (`typ: JWT`, RS256, its issuer): what an app passes back as
 * `id_token_hint`. Built here because the ID token endpoint work is not on this branch; the hint is
 * verified by the same `verifyIdTokenHint` either way.
 */
export function idTokenHint(
  s: TestServer,
  claims: { sub: string; aud: string; sid?: string },
  options: { alg?: 'RS256' | 'ES256' | 'EdDSA'; iss?: string } = {},
): Promise<string> {
  const iat = Math.floor(Date.now() / 1000);
  return signJwt(s.ctx.signer, s.ctx.keys.activeFor(options.alg ?? 'RS256'), 'JWT', {
    iss: options.iss ?? ISSUER,
    iat,
    exp: iat + 600,
    auth_time: iat,
    ...claims,
  });
}

/** The live session of a browser's cookie, or `undefined`. */
export async function sessionOf(s: TestServer, browser: InjectBrowser): Promise<Session | undefined> {
  const token = browser.cookies.get('lk_session');
  return token === undefined ? undefined : s.ctx.users.session(token);
}

/** The session of a browser that must be signed in. */
export async function liveSession(s: TestServer, browser: InjectBrowser): Promise<Session> {
  const session = await sessionOf(s, browser);
  if (!session) throw new Error('the browser is not signed in');
  return session;
}
