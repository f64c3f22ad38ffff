/** GET /portal: My apps, the signed-in developer's apps with their role (every app, for an admin). */
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../../context.js';
import { startPage } from '../../http/page.js';
import { sendPage } from '../../http/page-security.js';
import { singleQueryValue } from '../../http/query.js';
import { loginUrl } from '../../http/session.js';
import { listApps } from '../../manage/app-actions.js';
import { APP_TYPES, appTypeOf } from '../../oauth/app-types.js';
import { myAppsPage } from '../../pages/portal/my-apps.js';
import { pageCaller } from './caller.js';
import { appPath, NEW_APP_PATH, PORTAL_PATH } from './paths.js';

/** The one-off confirmations My apps shows after a redirect, by the query flag that asks for them. */
const FLASHES: Readonly<Record<string, string>> = {
  deleted: 'The app was deleted. Its credentials no longer work.',
};

/** Registers My apps. */
export function myAppsEndpoint(app: FastifyInstance, ctx: ServerContext): void {
  app.get(PORTAL_PATH, async (request, reply) => {
    const caller = await pageCaller(ctx, request);
    if (!caller) return reply.redirect(loginUrl(PORTAL_PATH), 303);
    const apps = await listApps(ctx, caller);
    const { nonce, csrf } = startPage(ctx, request, reply);
    const flash = Object.keys(FLASHES).find((flag) => singleQueryValue(request, flag) === '1');
    const body = myAppsPage({
      nonce,
      csrf,
      userEmail: caller.user.email,
      createHref: NEW_APP_PATH,
      logoutAction: '/logout',
      ...(flash && { flash: FLASHES[flash] }),
      apps: apps.map(({ app: client, role, ownerEmail }) => ({
        clientId: client.id,
        name: client.name,
        typeLabel: APP_TYPES[appTypeOf(client)].label,
        role,
        ownerEmail,
        href: appPath(client.id),
      })),
    });
    return sendPage(reply, 200, nonce, body);
  });
}
