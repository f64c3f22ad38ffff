/** `/manage/v1/apps/{id}/collaborators`: who helps run an app; only its owner (or an admin) changes that. */
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../../context.js';
import { addCollaborator, removeCollaborator } from '../app-actions.js';
import { isoTime } from '../app-view.js';
import { readJsonBody, requiredString } from '../body.js';
import { callerOf } from '../caller.js';
import { loadApp } from '../load-app.js';

/** Registers the collaborator routes. */
export function collaboratorRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const list = async (clientId: string) => ({
    collaborators: (await ctx.appMembers.collaborators(clientId)).map((c) => ({
      user_id: c.userId,
      email: c.email,
      added_at: isoTime(c.addedAt),
    })),
  });

  app.get<{ Params: { id: string } }>('/apps/:id/collaborators', async (request) => {
    const caller = await callerOf(ctx, request);
    const { app: client } = await loadApp(ctx, caller, request.params.id, 'view');
    return list(client.id);
  });

  app.post<{ Params: { id: string } }>('/apps/:id/collaborators', async (request, reply) => {
    const caller = await callerOf(ctx, request);
    const body = readJsonBody(request, ['email']);
    const added = await addCollaborator(ctx, caller, request.params.id, requiredString(body, 'email'));
    reply.code(added ? 201 : 200);
    return list(request.params.id);
  });

  app.delete<{ Params: { id: string; userId: string } }>(
    '/apps/:id/collaborators/:userId',
    async (request, reply) => {
      const caller = await callerOf(ctx, request);
      await removeCollaborator(ctx, caller, request.params.id, request.params.userId);
      return reply.code(204).send();
    },
  );
}
