/**
 * Who is using the portal: the user of the browser's session, as a management caller
 * (manage/caller.ts) whose actions the audit log records `via: session`.
 */
import type { FastifyRequest } from 'fastify';
import type { ServerContext } from '../../context.js';
import type { Params } from '../../http/form.js';
import { readCheckedForm } from '../../http/page.js';
import { pageError } from '../../http/page-errors.js';
import { currentUser, loginUrl } from '../../http/session.js';
import type { Caller } from '../../manage/caller.js';
import { PORTAL_PATH } from './paths.js';

/** The signed-in user as a caller, or `undefined` (a page then sends the browser to sign in). */
export async function pageCaller(ctx: ServerContext, request: FastifyRequest): Promise<Caller | undefined> {
  const user = await currentUser(ctx, request);
  return user && { user, via: 'session' };
}

/**
 * A portal form: read strictly and checked against this browser's anti-CSRF value before anything
 * else (http/page.ts), then its signed-in user; without a session, the "signed out" page.
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-4.7 (CSRF)
 */
export async function formCaller(
  ctx: ServerContext,
  request: FastifyRequest,
): Promise<{ params: Params; caller: Caller }> {
  const params = readCheckedForm(ctx, request);
  const caller = await pageCaller(ctx, request);
  if (!caller)
    throw pageError('SIGNED_OUT_ACCOUNT', { back: { href: loginUrl(PORTAL_PATH), label: 'Sign in' } });
  return { params, caller };
}
