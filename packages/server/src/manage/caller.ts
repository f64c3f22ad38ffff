/**
 * Who is calling the management API: the user of a portal session (changes carry the session's
 * anti-CSRF value in `X-CSRF-Token`), or the user a bearer access token with the `manage` scope acts for,
 * issued by this server to a three-legged app (RFC 6750 §2.1).
 */
import type { FastifyRequest } from 'fastify';
import type { ServerContext } from '../context.js';
import { csrfHeaderValid } from '../http/csrf.js';
import { pageCookies } from '../http/page.js';
import { currentUser } from '../http/session.js';
import { accessTokenActive } from '../oauth/access-token-state.js';
import type { User } from '../storage/users.js';
import { verifyOwnAccessToken } from '../tokens/verify-access-token.js';
import { problem } from './problems.js';

/** The scope a token needs to manage its user's apps. */
export const MANAGE_SCOPE = 'manage';

/** The caller, and how it proved who it is. */
export interface Caller {
  user: User;
  via: 'session' | 'token';
}

/** RFC 6750 §3: the challenge of a 401 or 403 to a bearer request (no error: no token was sent). */
function challenge(error?: 'invalid_token' | 'insufficient_scope'): Record<string, string> {
  const parts = ['realm="latchkey"', `scope="${MANAGE_SCOPE}"`];
  if (error) parts.push(`error="${error}"`);
  return { 'www-authenticate': `Bearer ${parts.join(', ')}` };
}

const SAFE_METHODS = new Set(['GET', 'HEAD']);

/** The bearer token of `Authorization`, `undefined` when there is none, `''` when malformed. */
function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (header === undefined) return undefined;
  const match = /^Bearer ([\w.~+/-]+=*)$/i.exec(header);
  return match?.[1] ?? '';
}

/** The user a bearer token acts for, or a 401/403 problem. */
async function tokenUser(ctx: ServerContext, token: string): Promise<User> {
  const claims = token ? verifyOwnAccessToken(ctx.keys, ctx.config.issuer, token) : undefined;
  if (!claims || !(await accessTokenActive(ctx, claims)))
    throw problem('MANAGE_UNAUTHENTICATED', 'the bearer token is not valid', {}, challenge('invalid_token'));
  // A two-legged token acts for its app, not for a user (RFC 6749 §4.4): it has no apps to manage.
  if (!claims.scope.split(' ').includes(MANAGE_SCOPE) || claims.gid === undefined) {
    const detail =
      claims.gid === undefined
        ? 'a client-credentials token acts for no user; use a token from the authorization-code flow'
        : `the token lacks the ${MANAGE_SCOPE} scope`;
    throw problem('MANAGE_INSUFFICIENT_SCOPE', detail, {}, challenge('insufficient_scope'));
  }
  // The grant's user: `sub` is the app's subject identifier for them, not the user ID for a pairwise app.
  const grant = await ctx.grantSessions.find(claims.gid);
  const user = grant && (await ctx.users.find(grant.userId));
  if (!user)
    throw problem('MANAGE_UNAUTHENTICATED', 'the bearer token is not valid', {}, challenge('invalid_token'));
  return user;
}

/** Authenticates a management request, or throws the problem that answers it. */
export async function callerOf(ctx: ServerContext, request: FastifyRequest): Promise<Caller> {
  const token = bearerToken(request);
  // A token acts for its user as a developer, never as an admin: an admin who allowed some app the
  // manage scope would otherwise hand that app every app on the server (test/manage-api-access.test.ts).
  if (token !== undefined)
    return { user: { ...(await tokenUser(ctx, token)), isAdmin: false }, via: 'token' };
  const user = await currentUser(ctx, request);
  if (!user)
    throw problem(
      'MANAGE_UNAUTHENTICATED',
      'sign in, or send a bearer token with the manage scope',
      {},
      challenge(),
    );
  if (
    !SAFE_METHODS.has(request.method) &&
    !csrfHeaderValid(request, pageCookies(ctx), ctx.config.issuer, ctx.csrfKey)
  )
    throw problem(
      'MANAGE_CSRF',
      'a change made with a portal session needs its X-CSRF-Token, from the same origin',
    );
  return { user, via: 'session' };
}
