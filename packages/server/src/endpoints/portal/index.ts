/**
 * The developer portal's pages: My apps, Create app, the app page with its forms (Settings, Rotate
 * secret, Collaborators) and Delete app. Every change goes through manage/app-actions.ts, the same
 * actions and rules as the management API; every form through the anti-CSRF check (http/page.ts).
 */
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../../context.js';
import { appPageEndpoints } from './app-page.js';
import { collaboratorEndpoints } from './collaborators.js';
import { createAppEndpoints } from './create-app.js';
import { deleteAppEndpoints } from './delete-app.js';
import { myAppsEndpoint } from './my-apps.js';
import { rotateSecretEndpoint } from './rotate-secret.js';

/** Registers the portal's pages (in the pages' context, whose errors are HTML pages). */
export function portalEndpoints(app: FastifyInstance, ctx: ServerContext): void {
  myAppsEndpoint(app, ctx);
  createAppEndpoints(app, ctx);
  appPageEndpoints(app, ctx);
  rotateSecretEndpoint(app, ctx);
  collaboratorEndpoints(app, ctx);
  deleteAppEndpoints(app, ctx);
}
