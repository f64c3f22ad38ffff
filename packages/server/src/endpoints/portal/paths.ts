/** Where the developer portal's pages live. */

/** My apps. */
export const PORTAL_PATH = '/portal';
/** Create app. */
export const NEW_APP_PATH = `${PORTAL_PATH}/apps/new`;

/** The route of an app's page (Fastify's `:id` parameter); its actions are below it. */
export const APP_ROUTE = `${PORTAL_PATH}/apps/:id`;

/** The page of app `id`, and (with `then`) one of its actions: `secrets`, `delete`, `collaborators`. */
export function appPath(id: string, then?: string): string {
  const base = `${PORTAL_PATH}/apps/${encodeURIComponent(id)}`;
  return then === undefined ? base : `${base}/${then}`;
}

/** Where the Remove form of a collaborator posts. */
export function removeCollaboratorPath(id: string, userId: string): string {
  return appPath(id, `collaborators/${encodeURIComponent(userId)}/remove`);
}
