/**
 * Who may do what with an app, for the portal pages, the management API and the CLI alike. Every user
 * is a developer who may create apps; an app's owner runs it, its collaborators help, admins run every
 * app. To anyone else the app does not exist: callers answer 404, never 403, so an app's existence is
 * not given away (test/manage-access.test.ts checks every action).
 */
import type { AppMembership } from '../storage/app-members.js';

/** How a user stands to an app. */
export type AppRole = 'admin' | 'owner' | 'collaborator';

/** What can be done to an app. */
export type AppAction =
  | 'view'
  | 'view-errors'
  | 'view-usage'
  | 'edit-redirect-uris'
  | 'edit-details'
  | 'rotate-secret'
  | 'delete'
  | 'manage-collaborators';

/** The actions each role may take; an owner and an admin may take all. */
const COLLABORATOR_ACTIONS: ReadonlySet<AppAction> = new Set([
  'view',
  'view-errors',
  'view-usage',
  'edit-redirect-uris',
  'rotate-secret',
]);

/** The part of a user the rules read. */
export interface Actor {
  id: string;
  isAdmin: boolean;
}

/** The actor's role for the app, or `undefined`: for them the app does not exist (404). */
export function roleFor(actor: Actor, app: AppMembership): AppRole | undefined {
  if (app.ownerId === actor.id) return 'owner';
  if (actor.isAdmin) return 'admin';
  if (app.collaboratorIds.includes(actor.id)) return 'collaborator';
  return undefined;
}

/** Whether a role may take an action (a collaborator may not delete the app nor change who collaborates). */
export function may(role: AppRole, action: AppAction): boolean {
  return role !== 'collaborator' || COLLABORATOR_ACTIONS.has(action);
}

/**
 * The scopes of `requested` that only an admin may give an app (LATCHKEY_RESTRICTED_SCOPES): empty when
 * the actor may give them all.
 */
export function restrictedScopesRefused(
  actor: Actor | 'cli',
  requested: readonly string[],
  restricted: readonly string[],
): string[] {
  if (actor === 'cli' || actor.isAdmin) return [];
  return requested.filter((scope) => restricted.includes(scope));
}
