/** `/manage/v1/apps/{id}/secrets`: list an app's working secrets (never their values), rotate with a grace period. */
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../../context.js';
import { rotateAppSecret } from '../app-actions.js';
import { isoTime, secretView } from '../app-view.js';
import { readJsonBody } from '../body.js';
import { callerOf } from '../caller.js';
import { loadApp } from '../load-app.js';

/** Registers the secret routes. */
export function secretRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get<{ Params: { id: string } }>('/apps/:id/secrets', async (request) => {
    const caller = await callerOf(ctx, request);
    const { app: client } = await loadApp(ctx, caller, request.params.id, 'view');
    return { secrets: (await ctx.clients.secrets(client.id)).map(secretView) };
  });

  app.post<{ Params: { id: string } }>('/apps/:id/secrets', async (request, reply) => {
    const caller = await callerOf(ctx, request);
    const body = readJsonBody(request, ['grace_seconds']);
    const rotation = await rotateAppSecret(ctx, caller, request.params.id, body['grace_seconds'] ?? 0);
    reply.code(201);
    // Shown once (RFC 7591 §3.2.1): listed afterwards by its times only.
    return {
      client_secret: rotation.secret,
      previous_secrets_expire_at:
        rotation.previousUntil === undefined ? null : isoTime(rotation.previousUntil),
      secrets: (await ctx.clients.secrets(request.params.id)).map(secretView),
    };
  });
}
