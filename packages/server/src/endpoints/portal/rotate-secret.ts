/**
 * POST /portal/apps/:id/secrets: Rotate secret with a grace period (manage/app-actions.ts
 * rotateAppSecret). The new secret is in the answer to the form itself, never in a URL or a cookie,
 * and the answer is not stored (`Cache-Control: no-store`).
 */
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../../context.js';
import { startPage } from '../../http/page.js';
import { sendPage } from '../../http/page-security.js';
import { rotateAppSecret } from '../../manage/app-actions.js';
import { rotatedSecretPage } from '../../pages/portal/rotated-secret.js';
import { renderAppPage, viewedApp } from './app-page.js';
import { formCaller } from './caller.js';
import { APP_ROUTE, appPath } from './paths.js';
import { formRefusal } from './problems.js';
import { credentialsOf } from './views.js';

/** The grace period a form chose: seconds, as a number (anything else the action refuses). */
function graceOf(value: string | undefined): number | string {
  return value !== undefined && /^\d{1,7}$/.test(value) ? Number(value) : (value ?? '');
}

/** Registers Rotate secret. */
export function rotateSecretEndpoint(app: FastifyInstance, ctx: ServerContext): void {
  app.post<{ Params: { id: string } }>(`${APP_ROUTE}/secrets`, async (request, reply) => {
    const { params, caller } = await formCaller(ctx, request);
    const loaded = await viewedApp(ctx, caller, request.params.id);
    const grace = graceOf(params.get('grace_seconds'));
    let rotation: Awaited<ReturnType<typeof rotateAppSecret>>;
    try {
      rotation = await rotateAppSecret(ctx, caller, loaded.app.id, grace);
    } catch (error) {
      const refusal = formRefusal(error);
      return renderAppPage(ctx, request, reply, loaded, refusal.status, {
        errors: { rotate: refusal.message },
      });
    }
    const { nonce } = startPage(ctx, request, reply);
    const body = rotatedSecretPage({
      nonce,
      name: loaded.app.name,
      appHref: appPath(loaded.app.id),
      graceSeconds: grace as number,
      ...(rotation.previousUntil !== undefined && { previousUntil: new Date(rotation.previousUntil * 1000) }),
      ...credentialsOf(ctx, loaded.app, rotation.secret),
      clientSecret: rotation.secret,
    });
    return sendPage(reply, 200, nonce, body, [], { script: true });
  });
}
