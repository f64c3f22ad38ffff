/** My apps: the apps the signed-in developer owns or helps with (every app, for an admin), and Create app. */
import { html, safeUrl } from '../html.js';
import { appAvatar, csrfField, flashStatus } from '../parts.js';
import { portalPage } from './layout.js';

/** How the user stands to an app, as the list shows it. */
export type RoleName = 'owner' | 'collaborator' | 'admin';

/** One app of the list. */
export interface MyAppView {
  clientId: string;
  name: string;
  typeLabel: string;
  role: RoleName;
  href: string;
  /** The owner's email, shown when it is not the user. */
  ownerEmail: string | null;
}

/** Values of My apps. */
export interface MyAppsPageView {
  nonce: string;
  csrf: string;
  userEmail: string;
  apps: MyAppView[];
  createHref: string;
  logoutAction: string;
  flash?: string;
}

/** The role as a badge's words. */
export const ROLE_LABELS: Readonly<Record<RoleName, string>> = {
  owner: 'Owner',
  collaborator: 'Collaborator',
  admin: 'Admin',
};

/** One row: the whole row links to the app's page. */
function appRow(app: MyAppView) {
  const owner = app.role === 'owner' ? '' : html` · owned by ${app.ownerEmail ?? 'no one'}`;
  return html`<li><a class="app-entry" href="${safeUrl(app.href, 'href')}">${appAvatar(app.name, 'small')}<div><h2>${app.name}</h2><p class="app-meta">${app.typeLabel}${owner}</p><p class="app-meta"><code>${app.clientId}</code></p></div><span class="badge${app.role === 'owner' ? '' : ' badge-muted'}">${ROLE_LABELS[app.role]}</span></a></li>`;
}

/** My apps: the list (oldest first) with each app's type and the user's role, or an empty state. */
export function myAppsPage(v: MyAppsPageView): string {
  const create = safeUrl(v.createHref, 'createHref');
  const body = html`<div class="page-head">
<div><h1>My apps</h1><p class="lead">Signed in as <strong>${v.userEmail}</strong></p></div>
<a class="button button-primary" href="${create}">Create app</a>
</div>
${flashStatus(v.flash)}
${
  v.apps.length > 0
    ? html`<ul class="app-list">${v.apps.map(appRow)}</ul>`
    : html`<div class="empty"><strong>No apps yet</strong>Create an app to get a client ID and a secret, and your first token a minute later.</div>`
}
<form class="section" method="post" action="${safeUrl(v.logoutAction, 'logoutAction')}">
${csrfField(v.csrf)}
<p class="section-lead">Not ${v.userEmail}? <button class="button button-secondary button-small" type="submit">Sign out</button></p>
</form>`;
  return portalPage({ title: 'My apps', nonce: v.nonce, body });
}
