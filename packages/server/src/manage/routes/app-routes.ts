/** `/manage/v1/apps`: list, create, read, update and delete the caller's apps (manage/app-actions.ts). */
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../../context.js';
import { createApp, deleteApp, listApps, updateApp } from '../app-actions.js';
import { appView } from '../app-view.js';
import { type JsonObject, readJsonBody, requiredString, stringMember, stringsMember } from '../body.js';
import { callerOf } from '../caller.js';
import { FieldProblems } from '../field-problems.js';
import { loadApp } from '../load-app.js';

/** The email of a user, or `null`. */
async function emailOf(ctx: ServerContext, userId: string | null): Promise<string | null> {
  return userId === null ? null : ((await ctx.users.find(userId))?.email ?? null);
}

/** The logout members of an app (logout/registration.ts), in a create or an update. */
const LOGOUT_MEMBERS = ['post_logout_redirect_uris', 'backchannel_logout_uri'] as const;

/** The logout members of a body; absent ones stay absent (unchanged). */
function logoutMembersOf(body: JsonObject, problems: FieldProblems) {
  const uris = stringsMember(body, 'post_logout_redirect_uris', problems);
  const receiver = stringMember(body, 'backchannel_logout_uri', problems);
  return {
    ...(uris !== undefined && { postLogoutRedirectUris: uris }),
    ...(receiver !== undefined && { backchannelLogoutUri: receiver }),
  };
}

/** The OpenID Connect members of an app (oidc/registration.ts), in a create or an update. */
const OIDC_MEMBERS = ['subject_type', 'id_token_signed_response_alg'] as const;

/** The OpenID Connect members of a body; absent ones stay absent (unchanged). */
function oidcMembersOf(body: JsonObject, problems: FieldProblems) {
  const subjectType = stringMember(body, 'subject_type', problems);
  const alg = stringMember(body, 'id_token_signed_response_alg', problems);
  return {
    ...(subjectType !== undefined && { subjectType }),
    ...(alg !== undefined && { idTokenSignedResponseAlg: alg }),
  };
}

/** The members a create and an update both take after `name` (and a create's `type`), in this order. */
const APP_MEMBERS = [
  'redirect_uris',
  'scope',
  'description',
  'homepage_url',
  ...LOGOUT_MEMBERS,
  ...OIDC_MEMBERS,
] as const;

/** The optional members a create and an update read alike; absent ones stay absent. */
function detailsOf(body: JsonObject, problems: FieldProblems) {
  return {
    description: stringMember(body, 'description', problems),
    homepageUrl: stringMember(body, 'homepage_url', problems),
    ...logoutMembersOf(body, problems),
    ...oidcMembersOf(body, problems),
  };
}

/** Registers the app routes. */
export function appRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get('/apps', async (request) => {
    const caller = await callerOf(ctx, request);
    const apps = await listApps(ctx, caller);
    return { apps: apps.map((listed) => appView(listed.app, listed.role, listed.ownerEmail)) };
  });

  app.post('/apps', async (request, reply) => {
    const caller = await callerOf(ctx, request);
    const body = readJsonBody(request, ['name', 'type', ...APP_MEMBERS]);
    // Every member is read and checked before any is refused: one problem lists them all.
    const problems = new FieldProblems();
    const input = {
      name: requiredString(body, 'name', problems) ?? '',
      type: body['type'],
      scope: requiredString(body, 'scope', problems) ?? '',
      redirectUris: stringsMember(body, 'redirect_uris', problems) ?? [],
      ...detailsOf(body, problems),
    };
    const created = await createApp(ctx, caller, input, problems);
    reply.code(201).header('location', `/manage/v1/apps/${encodeURIComponent(created.app.id)}`);
    // The secret is in this answer only (RFC 7591 §3.2.1); stored as its hash.
    const secret = created.clientSecret && { client_secret: created.clientSecret };
    return { ...appView(created.app, 'owner', caller.user.email), ...secret };
  });

  app.get<{ Params: { id: string } }>('/apps/:id', async (request) => {
    const caller = await callerOf(ctx, request);
    const { app: client, role, ownerId } = await loadApp(ctx, caller, request.params.id, 'view');
    return appView(client, role, await emailOf(ctx, ownerId));
  });

  app.patch<{ Params: { id: string } }>('/apps/:id', async (request) => {
    const caller = await callerOf(ctx, request);
    const body = readJsonBody(request, ['name', ...APP_MEMBERS]);
    const problems = new FieldProblems();
    const changes = {
      name: stringMember(body, 'name', problems),
      scope: stringMember(body, 'scope', problems),
      redirectUris: stringsMember(body, 'redirect_uris', problems),
      ...detailsOf(body, problems),
    };
    const { app: client, role, ownerId } = await updateApp(ctx, caller, request.params.id, changes, problems);
    return appView(client, role, await emailOf(ctx, ownerId));
  });

  app.delete<{ Params: { id: string } }>('/apps/:id', async (request, reply) => {
    const caller = await callerOf(ctx, request);
    await deleteApp(ctx, caller, request.params.id);
    return reply.code(204).send();
  });
}
