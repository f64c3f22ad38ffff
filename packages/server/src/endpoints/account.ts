/** GET /account/apps and POST /account/apps/:clientId/revoke: the user's Connected apps page. */
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context.js';
import { readCheckedForm, startPage } from '../http/page.js';
import { pageError } from '../http/page-errors.js';
import { sendPage } from '../http/page-security.js';
import { singleQueryValue } from '../http/query.js';
import { currentUser, loginUrl } from '../http/session.js';
import { connectedAppsPage } from '../pages/connected-apps.js';

/** Path of the Connected apps page. */
export const ACCOUNT_APPS_PATH = '/account/apps';

/** Registers the account routes. */
export function accountEndpoints(app: FastifyInstance, ctx: ServerContext): void {
  app.get('/', async (_request, reply) => reply.redirect(ACCOUNT_APPS_PATH, 303));

  app.get(ACCOUNT_APPS_PATH, async (request, reply) => {
    const user = await currentUser(ctx, request);
    if (!user) return reply.redirect(loginUrl(ACCOUNT_APPS_PATH), 303);
    const apps = await ctx.connectedApps.list(user.id);
    const { nonce, csrf } = startPage(ctx, request, reply);
    const revoked = singleQueryValue(request, 'revoked');
    const body = connectedAppsPage({
      nonce,
      csrf,
      userEmail: user.email,
      logoutAction: '/logout',
      flash: revoked === '1' ? 'Access revoked. The app can no longer use your account.' : undefined,
      apps: apps.map((a) => ({
        clientId: a.clientId,
        name: a.name,
        grantedAt: new Date(a.grantedAt * 1000),
        scopes: a.scopes.map((name) => ({ name, description: ctx.config.scopeDescriptions[name] ?? name })),
        revokeAction: `${ACCOUNT_APPS_PATH}/${encodeURIComponent(a.clientId)}/revoke`,
      })),
    });
    return sendPage(reply, 200, nonce, body);
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
