/** `/manage/v1/apps/{id}/collaborators`: who helps run an app; only its owner (or an admin) changes that. */
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../../context.js';
import { isEmail } from '../../storage/users.js';
import { readJsonBody, requiredString } from '../body.js';
import { callerOf } from '../caller.js';
import { loadApp } from '../load-app.js';
import { problem } from '../problems.js';

const iso = (seconds: number) => new Date(seconds * 1000).toISOString();

/** Registers the collaborator routes. */
export function collaboratorRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const list = async (clientId: string) => ({
    collaborators: (await ctx.appMembers.collaborators(clientId)).map((c) => ({
      user_id: c.userId,
      email: c.email,
      added_at: iso(c.addedAt),
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
    const email = requiredString(body, 'email');
    if (!isEmail(email))
      throw problem('MANAGE_INVALID_BODY', 'email is not an email address', { field: 'email' });
    const { app: client, ownerId } = await loadApp(ctx, caller, request.params.id, 'manage-collaborators');
    // Whether an email is registered is told only to someone who may manage this app's collaborators.
    const user = await ctx.users.findByEmail(email);
    if (!user)
      throw problem('MANAGE_INVALID_BODY', 'no user has that email; they must sign up first', {
        field: 'email',
      });
    if (user.id === ownerId)
      throw problem('MANAGE_INVALID_BODY', 'the owner is not also a collaborator', { field: 'email' });
    const added = await ctx.appMembers.addCollaborator(client.id, user.id);
    if (added) {
      const details = { via: caller.via };
      await ctx.audit.record({
        type: 'app.collaborator_added',
        actor: caller.user.id,
        clientId: client.id,
        userId: user.id,
        details,
      });
    }
    reply.code(added ? 201 : 200);
    return list(client.id);
  });

  app.delete<{ Params: { id: string; userId: string } }>(
    '/apps/:id/collaborators/:userId',
    async (request, reply) => {
      const caller = await callerOf(ctx, request);
      const { app: client } = await loadApp(ctx, caller, request.params.id, 'manage-collaborators');
      if (!(await ctx.appMembers.removeCollaborator(client.id, request.params.userId)))
        throw problem('MANAGE_NOT_FOUND', 'that user is not a collaborator of this app');
      await ctx.audit.record({
        type: 'app.collaborator_removed',
        actor: caller.user.id,
        clientId: client.id,
        userId: request.params.userId,
        details: { via: caller.via },
      });
      return reply.code(204).send();
    },
  );
}
