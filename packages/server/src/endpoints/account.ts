/** GET /account/apps and POST /account/apps/:clientId/revoke: the user's Connected apps page. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { lifetimeText } from '../accounts/link-tokens.js';
import type { ServerContext } from '../context.js';
import { readCheckedForm, startPage } from '../http/page.js';
import { pageError } from '../http/page-errors.js';
import { sendPage } from '../http/page-security.js';
import { singleQueryValue } from '../http/query.js';
import { currentUser, loginUrl } from '../http/session.js';
import { connectedAppsPage } from '../pages/connected-apps.js';
import type { User } from '../storage/users.js';

/** Path of the Connected apps page. */
export const ACCOUNT_APPS_PATH = '/account/apps';
/** Where "Send the link again" posts (endpoints/email-verification.ts). */
export const RESEND_VERIFICATION_PATH = '/account/verify-email';

/** What the account page says once, after an action. */
export interface AccountNotes {
  flash?: string | undefined;
  error?: string | undefined;
}

/** Renders the Connected apps page of a signed-in user, with the email's verification status. */
export async function renderAccount(
  ctx: ServerContext,
  request: FastifyRequest,
  reply: FastifyReply,
  user: User,
  status: number,
  notes: AccountNotes = {},
) {
  const apps = await ctx.connectedApps.list(user.id);
  const { nonce, csrf } = startPage(ctx, request, reply);
  const body = connectedAppsPage({
    nonce,
    csrf,
    userEmail: user.email,
    logoutAction: '/logout',
    ...notes,
    emailStatus: { verified: user.emailVerified, resendAction: RESEND_VERIFICATION_PATH },
    apps: apps.map((a) => ({
      clientId: a.clientId,
      name: a.name,
      grantedAt: new Date(a.grantedAt * 1000),
      scopes: a.scopes.map((name) => ({ name, description: ctx.config.scopeDescriptions[name] ?? name })),
      revokeAction: `${ACCOUNT_APPS_PATH}/${encodeURIComponent(a.clientId)}/revoke`,
    })),
  });
  return sendPage(reply, status, nonce, body);
}

/** The one-off note a redirect back to the page asked for (`?revoked=1`, `?sent=1`). */
function notesOf(request: FastifyRequest, user: User): AccountNotes {
  if (singleQueryValue(request, 'revoked') === '1')
    return { flash: 'Access revoked. The app can no longer use your account.' };
  if (singleQueryValue(request, 'sent') === '1' && !user.emailVerified)
    return { flash: `We sent a new link to ${user.email}. It works for ${lifetimeText('verify')}.` };
  return {};
}

/** Registers the account routes. */
export function accountEndpoints(app: FastifyInstance, ctx: ServerContext): void {
  app.get('/', async (_request, reply) => reply.redirect(ACCOUNT_APPS_PATH, 303));

  app.get(ACCOUNT_APPS_PATH, async (request, reply) => {
    const user = await currentUser(ctx, request);
    if (!user) return reply.redirect(loginUrl(ACCOUNT_APPS_PATH), 303);
    return renderAccount(ctx, request, reply, user, 200, notesOf(request, user));
  });

  app.post<{ Params: { clientId: string } }>(
    `${ACCOUNT_APPS_PATH}/:clientId/revoke`,
    async (request, reply) => {
      readCheckedForm(ctx, request);
      const user = await currentUser(ctx, request);
      if (!user) throw pageError('SIGNED_OUT_ACCOUNT');
      // An ID that cannot be an app's has nothing to disconnect (storage/connected-apps.ts): the same answer as
      // any app the user has not connected, never a database error on a page.
      await ctx.connectedApps.disconnect(user.id, request.params.clientId);
      return reply.redirect(`${ACCOUNT_APPS_PATH}?revoked=1`, 303);
    },
  );
}
