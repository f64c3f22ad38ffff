/** The signed-in user of a browser request, from the session cookie. */
import type { FastifyRequest } from 'fastify';
import type { ServerContext } from '../context.js';
import type { Session, User } from '../storage/users.js';
import { readCookie } from './cookies.js';
import { pageCookies } from './page.js';

/** The user of a live session, or `undefined`. */
export async function currentUser(ctx: ServerContext, request: FastifyRequest): Promise<User | undefined> {
  const token = readCookie(request, pageCookies(ctx).session);
  if (!token || !/^[\w-]{43}$/.test(token)) return undefined;
  return ctx.users.sessionUser(token);
}

/** The live session of a browser request, with its `sid` and `auth_time` (OIDC Core §2), or `undefined`. */
export async function currentSession(
  ctx: ServerContext,
  request: FastifyRequest,
): Promise<Session | undefined> {
  const token = readCookie(request, pageCookies(ctx).session);
  if (!token || !/^[\w-]{43}$/.test(token)) return undefined;
  return ctx.users.session(token);
}

/** `/login?return_to=<path>`: where an anonymous browser is sent. */
export function loginUrl(returnTo: string): string {
  return `/login?${new URLSearchParams({ return_to: returnTo })}`;
}
