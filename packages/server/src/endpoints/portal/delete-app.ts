/**
 * GET and POST /portal/apps/:id/delete: Delete app, behind a confirmation page that names the app and
 * takes its name typed in full (manage/app-actions.ts deleteApp: the owner or an admin).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ServerContext } from '../../context.js';
import { startPage } from '../../http/page.js';
import { sendPage } from '../../http/page-security.js';
import { loginUrl } from '../../http/session.js';
import { deleteApp } from '../../manage/app-actions.js';
import { type LoadedApp, loadApp } from '../../manage/load-app.js';
import { deleteAppPage } from '../../pages/portal/delete-app.js';
import { formCaller, pageCaller } from './caller.js';
import { APP_ROUTE, appPath, PORTAL_PATH } from './paths.js';
import { orPageError } from './problems.js';

/** The confirmation page, empty or with what was typed and why it was refused. */
function render(
  ctx: ServerContext,
  request: FastifyRequest,
  reply: FastifyReply,
  { app }: LoadedApp,
  status: number,
  refused?: { typed: string; error: string },
) {
  const { nonce, csrf } = startPage(ctx, request, reply);
  const body = deleteAppPage({
    nonce,
    csrf,
    name: app.name,
    clientId: app.id,
    action: appPath(app.id, 'delete'),
    appHref: appPath(app.id),
    ...refused,
  });
  return sendPage(reply, status, nonce, body);
}

/** Registers Delete app. */
export function deleteAppEndpoints(app: FastifyInstance, ctx: ServerContext): void {
  app.get<{ Params: { id: string } }>(`${APP_ROUTE}/delete`, async (request, reply) => {
    const caller = await pageCaller(ctx, request);
    if (!caller) return reply.redirect(loginUrl(appPath(request.params.id, 'delete')), 303);
    const loaded = await orPageError(() => loadApp(ctx, caller, request.params.id, 'delete'));
    return render(ctx, request, reply, loaded, 200);
  });

  app.post<{ Params: { id: string } }>(`${APP_ROUTE}/delete`, async (request, reply) => {
    const { params, caller } = await formCaller(ctx, request);
    const loaded = await orPageError(() => loadApp(ctx, caller, request.params.id, 'delete'));
    const typed = params.get('confirm_name') ?? '';
    if (typed.trim() !== loaded.app.name) {
      const error =
        typed === ''
          ? `Type the app’s name, ${loaded.app.name}, to delete it.`
          : `That is not the app’s name. Type ${loaded.app.name} exactly.`;
      return render(ctx, request, reply, loaded, 400, { typed, error });
    }
    await orPageError(() => deleteApp(ctx, caller, loaded.app.id));
    return reply.redirect(`${PORTAL_PATH}?deleted=1`, 303);
  });
}
