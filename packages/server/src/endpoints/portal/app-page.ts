/**
 * GET /portal/apps/:id, the app page (with its Usage and Recent errors), and POST /portal/apps/:id, its
 * Settings form: what the user's role may change (manage/app-actions.ts updateApp applies the rules). Anyone without a role gets the
 * same 404 page as for an app that does not exist.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ServerContext } from '../../context.js';
import { startPage } from '../../http/page.js';
import { sendPage } from '../../http/page-security.js';
import { singleQueryValue } from '../../http/query.js';
import { loginUrl } from '../../http/session.js';
import { GRACE_CHOICES, updateApp } from '../../manage/app-actions.js';
import type { Caller } from '../../manage/caller.js';
import { type LoadedApp, loadApp } from '../../manage/load-app.js';
import type { AppChangeRequest } from '../../oauth/app-registration.js';
import type { AppFormValues } from '../../pages/portal/app-form.js';
import { type AppPageView, appPage } from '../../pages/portal/app-page.js';
import { activityViews } from './activity.js';
import { formCaller, pageCaller } from './caller.js';
import { APP_ROUTE, appPath, removeCollaboratorPath } from './paths.js';
import { formRefusals, orPageError } from './problems.js';
import {
  formValuesFrom,
  formValuesOf,
  logoutMembersOf,
  portalAppView,
  redirectUrisChecked,
  rightsOf,
  scopeOptions,
} from './views.js';

/** The confirmations the app page shows after a redirect, by the query flag that asks for them. */
const FLASHES: Readonly<Record<string, string>> = {
  saved: 'Changes saved.',
  added: 'Collaborator added. They can see this app under My apps now.',
  already: 'They already collaborate on this app.',
  removed: 'Collaborator removed. The app is no longer theirs to see.',
};

/** What a re-rendered app page carries: the errors of a refused form and what was typed. */
export interface AppPageState {
  values?: AppFormValues;
  errors?: AppPageView['errors'];
}

/** Renders the page of an app the caller has a role for (`loaded`). */
export async function renderAppPage(
  ctx: ServerContext,
  request: FastifyRequest,
  reply: FastifyReply,
  loaded: LoadedApp,
  status: number,
  state: AppPageState = {},
): Promise<string> {
  const { app, role, ownerId } = loaded;
  const rights = rightsOf(role);
  const [owner, secrets, collaborators, activity] = await Promise.all([
    ownerId === null ? undefined : ctx.users.find(ownerId),
    app.isPublic ? [] : ctx.clients.secrets(app.id),
    ctx.appMembers.collaborators(app.id),
    activityViews(ctx, loaded),
  ]);
  const { nonce, csrf } = startPage(ctx, request, reply);
  const flash = Object.keys(FLASHES).find((flag) => singleQueryValue(request, flag) === '1');
  const body = appPage({
    nonce,
    csrf,
    app: portalAppView(ctx, app, role, owner?.email ?? null),
    rights,
    actions: {
      update: appPath(app.id),
      rotate: appPath(app.id, 'secrets'),
      addCollaborator: appPath(app.id, 'collaborators'),
      deleteHref: appPath(app.id, 'delete'),
    },
    values: state.values ?? formValuesOf(app),
    scopes: scopeOptions(ctx),
    secrets: secrets.map((secret) => ({
      createdAt: new Date(secret.createdAt * 1000),
      ...(secret.expiresAt !== undefined && { expiresAt: new Date(secret.expiresAt * 1000) }),
    })),
    graceChoices: GRACE_CHOICES,
    collaborators: collaborators.map((person) => ({
      email: person.email,
      addedAt: new Date(person.addedAt * 1000),
      ...(rights.manageCollaborators && { removeAction: removeCollaboratorPath(app.id, person.userId) }),
    })),
    ...activity,
    ...(state.errors && { errors: state.errors }),
    ...(status === 200 && flash && { flash: FLASHES[flash] }),
  });
  return sendPage(reply, status, nonce, body, [], { script: true });
}

/** The app `id` as the caller may see it, or the 404 page. */
export function viewedApp(ctx: ServerContext, caller: Caller, id: string): Promise<LoadedApp> {
  return orPageError(() => loadApp(ctx, caller, id, 'view'));
}

/**
 * The changes a Settings form asks for: only the fields that differ from the app, so saving an
 * untouched form changes nothing; a collaborator's form has the redirect URIs only.
 */
function changesOf(loaded: LoadedApp, values: AppFormValues, redirectUris: string[]): AppChangeRequest {
  const before = formValuesOf(loaded.app);
  const changes: AppChangeRequest = {};
  if (loaded.app.grantTypes.includes('authorization_code')) {
    if (values.redirectUris !== before.redirectUris) changes.redirectUris = redirectUris;
    const logout = logoutMembersOf(values);
    if (values.postLogoutRedirectUris !== before.postLogoutRedirectUris)
      changes.postLogoutRedirectUris = logout.postLogoutRedirectUris;
    if (values.backchannelLogoutUri !== before.backchannelLogoutUri)
      changes.backchannelLogoutUri = logout.backchannelLogoutUri;
  }
  if (!rightsOf(loaded.role).editDetails) return changes;
  if (values.name !== before.name) changes.name = values.name;
  if (values.description !== before.description) changes.description = values.description;
  if (values.homepageUrl !== before.homepageUrl) changes.homepageUrl = values.homepageUrl;
  const sameScopes =
    values.scopes.length === before.scopes.length && values.scopes.every((s) => before.scopes.includes(s));
  if (!sameScopes) changes.scope = values.scopes.join(' ');
  return changes;
}

/** Registers the app page and its Settings form. */
export function appPageEndpoints(app: FastifyInstance, ctx: ServerContext): void {
  app.get<{ Params: { id: string } }>(APP_ROUTE, async (request, reply) => {
    const caller = await pageCaller(ctx, request);
    if (!caller) return reply.redirect(loginUrl(appPath(request.params.id)), 303);
    return renderAppPage(ctx, request, reply, await viewedApp(ctx, caller, request.params.id), 200);
  });

  app.post<{ Params: { id: string } }>(APP_ROUTE, async (request, reply) => {
    const { params, caller } = await formCaller(ctx, request);
    const loaded = await viewedApp(ctx, caller, request.params.id);
    const typed = formValuesFrom(params, ctx.config.scopes);
    // A collaborator's form has the redirect URIs only: the rest stays as the app has it.
    const values = rightsOf(loaded.role).editDetails
      ? { ...typed, type: formValuesOf(loaded.app).type }
      : {
          ...formValuesOf(loaded.app),
          redirectUris: typed.redirectUris,
          postLogoutRedirectUris: typed.postLogoutRedirectUris,
          backchannelLogoutUri: typed.backchannelLogoutUri,
        };
    // Every field is checked before the form is refused (manage/field-problems.ts).
    const { redirectUris, problems } = redirectUrisChecked(values);
    const changes = changesOf(loaded, values, redirectUris);
    try {
      // A refusal so far (too many redirect URIs) is answered even when nothing else changed.
      if (Object.keys(changes).length > 0 || problems.has('redirect_uris'))
        await updateApp(ctx, caller, loaded.app.id, changes, problems);
    } catch (error) {
      const refused = formRefusals(error);
      return renderAppPage(ctx, request, reply, loaded, refused.status, {
        values,
        errors: { settings: refused.errors },
      });
    }
    return reply.redirect(`${appPath(loaded.app.id)}?saved=1`, 303);
  });
}
