/**
 * POST /portal/apps/:id/collaborators (add by email) and POST /portal/apps/:id/collaborators/:userId/remove,
 * for the app's owner or an admin (manage/app-actions.ts addCollaborator, removeCollaborator).
 */
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../../context.js';
import { emailInput } from '../../http/email-input.js';
import { addCollaborator, removeCollaborator } from '../../manage/app-actions.js';
import { loadApp } from '../../manage/load-app.js';
import { ManageProblem } from '../../manage/problems.js';
import { renderAppPage, viewedApp } from './app-page.js';
import { formCaller } from './caller.js';
import { APP_ROUTE, appPath } from './paths.js';
import { formRefusal, orPageError } from './problems.js';

/** Registers the collaborator forms. */
export function collaboratorEndpoints(app: FastifyInstance, ctx: ServerContext): void {
  app.post<{ Params: { id: string } }>(`${APP_ROUTE}/collaborators`, async (request, reply) => {
    const { params, caller } = await formCaller(ctx, request);
    const loaded = await viewedApp(ctx, caller, request.params.id);
    const typed = params.get('email') ?? '';
    // Control characters or an overlong value never reach the database (http/email-input.ts).
    const email = emailInput(typed);
    let added: boolean;
    try {
      added = await addCollaborator(ctx, caller, loaded.app.id, email ?? '');
    } catch (error) {
      const refusal = formRefusal(error);
      const message = typed === '' ? 'Enter the email of the person to add.' : refusal.message;
      return renderAppPage(ctx, request, reply, loaded, refusal.status, {
        errors: { collaborator: { email: typed, error: message } },
      });
    }
    return reply.redirect(`${appPath(loaded.app.id)}?${added ? 'added' : 'already'}=1#collaborators`, 303);
  });

  app.post<{ Params: { id: string; userId: string } }>(
    `${APP_ROUTE}/collaborators/:userId/remove`,
    async (request, reply) => {
      const { caller } = await formCaller(ctx, request);
      const { app: client } = await orPageError(() =>
        loadApp(ctx, caller, request.params.id, 'manage-collaborators'),
      );
      try {
        await removeCollaborator(ctx, caller, client.id, request.params.userId);
      } catch (error) {
        // The app is theirs to manage: a 404 now is someone already removed (in another tab), which is done.
        if (!(error instanceof ManageProblem && error.status === 404)) throw error;
      }
      return reply.redirect(`${appPath(client.id)}?removed=1#collaborators`, 303);
    },
  );
}
