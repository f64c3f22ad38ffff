/** Loads the app a management request names, as the caller may see it: a 404 to anyone without a role. */
import type { ServerContext } from '../context.js';
import type { Client } from '../storage/clients.js';
import { type AppAction, type AppRole, may, roleFor } from './access.js';
import type { Caller } from './caller.js';
import { problem } from './problems.js';

/** An app, and how the caller stands to it. */
export interface LoadedApp {
  app: Client;
  role: AppRole;
  ownerId: string | null;
}

/**
 * The app `id` if the caller has a role for it and that role may take `action`: 404 when there is no
 * such app or no role (the same answer, so an app's existence is not given away), 403 when the role
 * may not take the action.
 */
export async function loadApp(
  ctx: ServerContext,
  caller: Caller,
  id: string,
  action: AppAction,
): Promise<LoadedApp> {
  const membership = await ctx.appMembers.membership(id);
  const role = membership && roleFor(caller.user, membership);
  const app = role && (await ctx.clients.find(id));
  if (!membership || !role || !app)
    throw problem('MANAGE_NOT_FOUND', `no app with client_id "${id.slice(0, 255)}"`);
  if (!may(role, action))
    throw problem('MANAGE_FORBIDDEN', `a ${role} may not ${action.replaceAll('-', ' ')} this app`);
  return { app, role, ownerId: membership.ownerId };
}
