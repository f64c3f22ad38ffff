/** `/manage/v1/apps`: list, create, read, update and delete the caller's apps. */
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../../context.js';
import { type AppChangeRequest, changeApp, registerApp } from '../../oauth/app-registration.js';
import { APP_TYPES, isAppTypeName } from '../../oauth/app-types.js';
import { parseScope } from '../../oauth/scope.js';
import { restrictedScopesRefused } from '../access.js';
import { appView } from '../app-view.js';
import { readJsonBody, requiredString, stringMember, stringsMember } from '../body.js';
import { callerOf } from '../caller.js';
import { loadApp } from '../load-app.js';
import { problem } from '../problems.js';

/** The email of a user, or `null`. */
async function emailOf(ctx: ServerContext, userId: string | null): Promise<string | null> {
  return userId === null ? null : ((await ctx.users.find(userId))?.email ?? null);
}

/** Refuses scopes only an admin may give an app (LATCHKEY_RESTRICTED_SCOPES). */
function checkRestricted(
  ctx: ServerContext,
  user: { id: string; isAdmin: boolean },
  scope: string | undefined,
) {
  if (scope === undefined) return;
  const refused = restrictedScopesRefused(user, parseScope(scope), ctx.config.restrictedScopes);
  if (refused.length > 0)
    throw problem('MANAGE_FORBIDDEN', `only an admin may give an app the scope ${refused.join(' ')}`, {
      field: 'scope',
    });
}

/** Registers the app routes. */
export function appRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get('/apps', async (request) => {
    const { user } = await callerOf(ctx, request);
    const mine = await ctx.appMembers.appsOf(user.id);
    const roles = new Map<string, 'owner' | 'collaborator' | 'admin'>([
      ...mine.collaborating.map((id) => [id, 'collaborator'] as const),
      ...mine.owned.map((id) => [id, 'owner'] as const),
    ]);
    // An admin sees every app; anyone else the apps they own or collaborate on.
    const only = user.isAdmin ? undefined : [...roles.keys()];
    const apps = await ctx.clients.list(only);
    const owners = await ctx.appMembers.ownerEmails(only);
    const views = apps.map((c) => appView(c, roles.get(c.id) ?? 'admin', owners.get(c.id) ?? null));
    return { apps: views };
  });

  app.post('/apps', async (request, reply) => {
    const { user, via } = await callerOf(ctx, request);
    const body = readJsonBody(request, ['name', 'type', 'redirect_uris', 'scope']);
    const type = body['type'];
    if (!isAppTypeName(type))
      throw problem('MANAGE_INVALID_BODY', `type must be one of ${Object.keys(APP_TYPES).join(', ')}`, {
        field: 'type',
      });
    const kind = APP_TYPES[type];
    const scope = requiredString(body, 'scope');
    checkRestricted(ctx, user, scope);
    const redirectUris = stringsMember(body, 'redirect_uris') ?? [];
    if (!kind.redirects && redirectUris.length > 0)
      throw problem('MANAGE_INVALID_BODY', `a ${type} app signs no user in: send no redirect_uris`, {
        field: 'redirect_uris',
      });
    const { client, clientSecret } = await registerApp(ctx.clients, ctx.config.scopes, {
      name: requiredString(body, 'name'),
      scope,
      redirectUris,
      grants: kind.grants,
      isPublic: kind.isPublic,
    });
    await ctx.appMembers.setOwner(client.id, user.id);
    const details = { name: client.name, type, scope: client.scopes.join(' '), via };
    await ctx.audit.record({ type: 'app.created', actor: user.id, clientId: client.id, details });
    reply.code(201).header('location', `/manage/v1/apps/${encodeURIComponent(client.id)}`);
    // The secret is in this answer only (RFC 7591 §3.2.1); stored as its hash.
    return { ...appView(client, 'owner', user.email), ...(clientSecret && { client_secret: clientSecret }) };
  });

  app.get<{ Params: { id: string } }>('/apps/:id', async (request) => {
    const caller = await callerOf(ctx, request);
    const { app: client, role, ownerId } = await loadApp(ctx, caller, request.params.id, 'view');
    return appView(client, role, await emailOf(ctx, ownerId));
  });

  app.patch<{ Params: { id: string } }>('/apps/:id', async (request) => {
    const caller = await callerOf(ctx, request);
    const body = readJsonBody(request, ['name', 'redirect_uris', 'scope']);
    const changes: AppChangeRequest = {
      name: stringMember(body, 'name'),
      scope: stringMember(body, 'scope'),
      redirectUris: stringsMember(body, 'redirect_uris'),
    };
    const details = changes.name !== undefined || changes.scope !== undefined;
    const action = details ? 'edit-details' : 'edit-redirect-uris';
    const { app: client, role, ownerId } = await loadApp(ctx, caller, request.params.id, action);
    checkRestricted(ctx, caller.user, changes.scope);
    const changed = await changeApp(ctx.clients, ctx.config.scopes, client, changes);
    const fields = Object.entries(changes).flatMap(([key, value]) => (value === undefined ? [] : [key]));
    await ctx.audit.record({
      type: 'app.updated',
      actor: caller.user.id,
      clientId: client.id,
      details: { changed: fields, via: caller.via },
    });
    return appView(changed, role, await emailOf(ctx, ownerId));
  });

  app.delete<{ Params: { id: string } }>('/apps/:id', async (request, reply) => {
    const caller = await callerOf(ctx, request);
    const { app: client } = await loadApp(ctx, caller, request.params.id, 'delete');
    await ctx.clients.delete(client.id);
    await ctx.audit.record({
      type: 'app.deleted',
      actor: caller.user.id,
      clientId: client.id,
      details: { name: client.name, via: caller.via },
    });
    return reply.code(204).send();
  });
}
