/** `/manage/v1/apps/{id}/secrets`: list an app's working secrets (never their values), rotate with a grace period. */
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../../context.js';
import { secretView } from '../app-view.js';
import { readJsonBody } from '../body.js';
import { callerOf } from '../caller.js';
import { loadApp } from '../load-app.js';
import { problem } from '../problems.js';

/** The grace periods the portal offers: none, 1 hour, 24 hours, 7 days (seconds). */
export const GRACE_CHOICES = [0, 3600, 86_400, 604_800] as const;

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
    const grace = body['grace_seconds'] ?? 0;
    if (!GRACE_CHOICES.includes(grace as (typeof GRACE_CHOICES)[number]))
      throw problem('MANAGE_INVALID_BODY', `grace_seconds must be one of ${GRACE_CHOICES.join(', ')}`, {
        field: 'grace_seconds',
      });
    const { app: client } = await loadApp(ctx, caller, request.params.id, 'rotate-secret');
    if (client.isPublic) throw problem('MANAGE_INVALID_BODY', 'a public app has no secret to rotate');
    const rotation = await ctx.clients.rotateSecret(client.id, grace as number);
    if (!rotation) throw problem('MANAGE_NOT_FOUND', `no app with client_id "${client.id}"`);
    await ctx.audit.record({
      type: 'app.secret_rotated',
      actor: caller.user.id,
      clientId: client.id,
      details: { grace_seconds: grace as number, via: caller.via },
    });
    reply.code(201);
    // Shown once (RFC 7591 §3.2.1): listed afterwards by its times only.
    return {
      client_secret: rotation.secret,
      previous_secrets_expire_at:
        rotation.previousUntil === undefined ? null : new Date(rotation.previousUntil * 1000).toISOString(),
      secrets: (await ctx.clients.secrets(client.id)).map(secretView),
    };
  });
}
