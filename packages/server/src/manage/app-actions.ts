/**
 * What can be done to apps, once, for the management API and the portal pages alike: each action
 * applies the access rules (manage/access.ts; 404 to anyone without a role), the registration rules
 * (oauth/app-registration.ts), and records its change in the audit log with the caller as actor.
 * Failures are problems (manage/problems.ts) listing every field at fault (manage/field-problems.ts),
 * which a page shows each beside its field.
 */
import type { ServerContext } from '../context.js';
import type { LogoutRequestMembers } from '../logout/registration.js';
import {
  type AppChangeRequest,
  changeApp,
  checkAppChanges,
  checkAppRequest,
  scopeTokens,
} from '../oauth/app-registration.js';
import { APP_TYPES, type AppTypeName, isAppTypeName } from '../oauth/app-types.js';
import type { OidcRegistrationRequest } from '../oidc/registration.js';
import type { Client, SecretRotation } from '../storage/clients.js';
import { isEmail } from '../storage/users.js';
import { type AppRole, restrictedScopesRefused } from './access.js';
import type { Caller } from './caller.js';
import { FieldProblems } from './field-problems.js';
import { type LoadedApp, loadApp } from './load-app.js';
import { problem } from './problems.js';

/** The grace periods a rotation may give the secrets it replaces: none, 1 hour, 24 hours, 7 days (s). */
export const GRACE_CHOICES = [0, 3600, 86_400, 604_800] as const;

/** An app as listed for a caller: with their role and the owner's email. */
export interface ListedApp {
  app: Client;
  role: AppRole;
  ownerEmail: string | null;
}

/** What creating an app takes (with its logout registration and its OpenID Connect members). */
export interface NewAppInput extends LogoutRequestMembers, OidcRegistrationRequest {
  name: string;
  type: unknown;
  scope: string;
  redirectUris: string[];
  /** What the app does (optional; blank: none). */
  description?: string;
  /** The app's https home page (optional; blank: none). */
  homepageUrl?: string;
}

/** Records a change by the caller. */
async function audit(
  ctx: ServerContext,
  caller: Caller,
  type:
    | 'app.created'
    | 'app.updated'
    | 'app.deleted'
    | 'app.secret_rotated'
    | 'app.collaborator_added'
    | 'app.collaborator_removed',
  clientId: string,
  details: Record<string, string | number | string[]>,
  userId?: string,
): Promise<void> {
  await ctx.audit.record({
    type,
    actor: caller.user.id,
    clientId,
    userId,
    details: { ...details, via: caller.via },
  });
}

/**
 * Refuses (in `problems`) scopes only an admin may give an app (LATCHKEY_RESTRICTED_SCOPES); those the
 * app already has (`had`, given by an admin) it may keep.
 */
function checkRestricted(
  ctx: ServerContext,
  caller: Caller,
  scope: string | undefined,
  problems: FieldProblems,
  had: readonly string[] = [],
): void {
  if (scope === undefined) return;
  // A malformed scope is the registration rules' to refuse.
  const added = (scopeTokens(scope) ?? []).filter((name) => !had.includes(name));
  const refused = restrictedScopesRefused(caller.user, added, ctx.config.restrictedScopes);
  if (refused.length > 0)
    problems.add('scope', `only an admin may give an app the scope ${refused.join(' ')}`, 'MANAGE_FORBIDDEN');
}

/** The caller's apps (every app, for an admin), oldest first. */
export async function listApps(ctx: ServerContext, caller: Caller): Promise<ListedApp[]> {
  const mine = await ctx.appMembers.appsOf(caller.user.id);
  const roles = new Map<string, AppRole>([
    ...mine.collaborating.map((id) => [id, 'collaborator'] as const),
    ...mine.owned.map((id) => [id, 'owner'] as const),
  ]);
  const only = caller.user.isAdmin ? undefined : [...roles.keys()];
  const [apps, owners] = await Promise.all([ctx.clients.list(only), ctx.appMembers.ownerEmails(only)]);
  return apps.map((app) => ({
    app,
    role: roles.get(app.id) ?? 'admin',
    ownerEmail: owners.get(app.id) ?? null,
  }));
}

/**
 * Creates an app owned by the caller; the secret (for a confidential type) is in the answer only. Every
 * member is checked before any is refused: `problems` may hold refusals found before (a member of the
 * wrong JSON type), and the one problem thrown lists them all (manage/field-problems.ts).
 */
export async function createApp(
  ctx: ServerContext,
  caller: Caller,
  input: NewAppInput,
  problems: FieldProblems = new FieldProblems(),
): Promise<{ app: Client; clientSecret?: string; type: AppTypeName }> {
  const type = isAppTypeName(input.type) ? input.type : undefined;
  if (type === undefined) problems.add('type', `type must be one of ${Object.keys(APP_TYPES).join(', ')}`);
  checkRestricted(ctx, caller, input.scope, problems);
  const kind = type && APP_TYPES[type];
  if (kind && !kind.redirects && input.redirectUris.length > 0)
    problems.add('redirect_uris', `a ${type} app signs no user in: give it no redirect URIs`);
  // RFC 6749 §3.1.2: an app that signs users in names where they come back.
  if (kind?.redirects && input.redirectUris.length === 0)
    problems.add('redirect_uris', `a ${type} app signs users in: give it at least one redirect URI`);
  // Without a valid type, the rest is checked by the registration rules all the same.
  const valid = problems.check(() =>
    checkAppRequest(
      ctx.config.scopes,
      {
        name: input.name,
        scope: input.scope,
        redirectUris: input.redirectUris,
        description: input.description,
        homepageUrl: input.homepageUrl,
        ...(kind && { grants: kind.grants, isPublic: kind.isPublic }),
        postLogoutRedirectUris: input.postLogoutRedirectUris,
        subjectType: input.subjectType,
        idTokenSignedResponseAlg: input.idTokenSignedResponseAlg,
        backchannelLogoutUri: input.backchannelLogoutUri,
      },
      ctx.config.backchannelLogout.privateNetworks,
    ),
  );
  problems.throwIfAny();
  if (!valid || !type) throw new Error('a registration refused without a refusal');
  const { client, clientSecret } = await ctx.clients.create(valid);
  await ctx.appMembers.setOwner(client.id, caller.user.id);
  await audit(ctx, caller, 'app.created', client.id, {
    name: client.name,
    type,
    scope: client.scopes.join(' '),
  });
  return { app: client, type, ...(clientSecret && { clientSecret }) };
}

/**
 * Changes an app: name, description, homepage and scope need the owner or an admin, redirect URIs a
 * collaborator too. Every member is checked before any is refused, as for {@link createApp}.
 */
export async function updateApp(
  ctx: ServerContext,
  caller: Caller,
  id: string,
  changes: AppChangeRequest,
  problems: FieldProblems = new FieldProblems(),
): Promise<LoadedApp> {
  const details = [
    changes.name,
    changes.scope,
    changes.description,
    changes.homepageUrl,
    changes.subjectType,
    changes.idTokenSignedResponseAlg,
  ].some((value) => value !== undefined);
  const loaded = await loadApp(ctx, caller, id, details ? 'edit-details' : 'edit-redirect-uris');
  checkRestricted(ctx, caller, changes.scope, problems, loaded.app.scopes);
  const { privateNetworks } = ctx.config.backchannelLogout;
  problems.check(() => checkAppChanges(ctx.config.scopes, loaded.app, changes, privateNetworks));
  problems.throwIfAny();
  const app = await changeApp(ctx.clients, ctx.config.scopes, loaded.app, changes, privateNetworks);
  const changed = Object.entries(changes).flatMap(([key, value]) => (value === undefined ? [] : [key]));
  await audit(ctx, caller, 'app.updated', app.id, { changed });
  return { ...loaded, app };
}

/** Deletes an app (owner or admin), and with it everything of it. */
export async function deleteApp(ctx: ServerContext, caller: Caller, id: string): Promise<Client> {
  const { app } = await loadApp(ctx, caller, id, 'delete');
  await ctx.clients.delete(app.id);
  await audit(ctx, caller, 'app.deleted', app.id, { name: app.name });
  return app;
}

/** Issues a new secret; the ones that work now keep working for `grace` seconds (one of {@link GRACE_CHOICES}). */
export async function rotateAppSecret(
  ctx: ServerContext,
  caller: Caller,
  id: string,
  grace: unknown,
): Promise<SecretRotation> {
  if (!GRACE_CHOICES.includes(grace as (typeof GRACE_CHOICES)[number]))
    throw problem('MANAGE_INVALID_BODY', `grace_seconds must be one of ${GRACE_CHOICES.join(', ')}`, {
      field: 'grace_seconds',
    });
  const { app } = await loadApp(ctx, caller, id, 'rotate-secret');
  const rotation = app.isPublic ? undefined : await ctx.clients.rotateSecret(app.id, grace as number);
  if (!rotation) throw problem('MANAGE_INVALID_BODY', 'a public app has no secret to rotate');
  await audit(ctx, caller, 'app.secret_rotated', app.id, { grace_seconds: grace as number });
  return rotation;
}

/** Adds a registered user as a collaborator (owner or admin); `false` if they already were one. */
export async function addCollaborator(
  ctx: ServerContext,
  caller: Caller,
  id: string,
  email: string,
): Promise<boolean> {
  if (!isEmail(email))
    throw problem('MANAGE_INVALID_BODY', 'email is not an email address', { field: 'email' });
  const { app, ownerId } = await loadApp(ctx, caller, id, 'manage-collaborators');
  // Whether an email is registered is told only to someone who may manage this app's collaborators.
  const user = await ctx.users.findByEmail(email);
  if (!user)
    throw problem('MANAGE_INVALID_BODY', 'no user has that email; they must sign up first', {
      field: 'email',
    });
  if (user.id === ownerId)
    throw problem('MANAGE_INVALID_BODY', 'the owner is not also a collaborator', { field: 'email' });
  const added = await ctx.appMembers.addCollaborator(app.id, user.id);
  if (added) await audit(ctx, caller, 'app.collaborator_added', app.id, {}, user.id);
  return added;
}

/** Removes a collaborator (owner or admin). */
export async function removeCollaborator(
  ctx: ServerContext,
  caller: Caller,
  id: string,
  userId: string,
): Promise<void> {
  const { app } = await loadApp(ctx, caller, id, 'manage-collaborators');
  if (!(await ctx.appMembers.removeCollaborator(app.id, userId)))
    throw problem('MANAGE_NOT_FOUND', 'that user is not a collaborator of this app');
  await audit(ctx, caller, 'app.collaborator_removed', app.id, {}, userId);
}
