/**
 * The app page: its credentials (the client ID; secrets are listed by their times only), Usage, Recent
 * errors, Settings, Client secrets with Rotate, Collaborators, and Delete app for those who may.
 */
import { html, type SafeHtml, safeUrl } from '../html.js';
import { appAvatar, flashStatus } from '../parts.js';
import { ACTIVITY_STYLES } from './activity-styles.js';
import type { RecentErrorsView, UsageView } from './activity-view.js';
import { type AppFormValues, controlIdOf, type ScopeOption } from './app-form.js';
import { EDIT_ORDER, settingsSection } from './app-settings.js';
import type { AppRights, PortalAppView } from './app-view.js';
import { type CollaboratorView, collaboratorsSection } from './collaborators-section.js';
import { day } from './dates.js';
import { errorSummary, type FieldErrors } from './fields.js';
import { copyable, crumbs, portalPage } from './layout.js';
import { ROLE_LABELS } from './my-apps.js';
import { recentErrorsSection } from './recent-errors-section.js';
import { type SecretView, secretsSection } from './secrets-section.js';
import { usageSection } from './usage-section.js';

/** Where the page's forms post. */
export interface AppPageActions {
  update: string;
  rotate: string;
  addCollaborator: string;
  deleteHref: string;
}

/** Values of the app page. */
export interface AppPageView {
  nonce: string;
  csrf: string;
  app: PortalAppView;
  rights: AppRights;
  actions: AppPageActions;
  /** The Settings form: the app's values, or what was typed into a refused form. */
  values: AppFormValues;
  scopes: readonly ScopeOption[];
  secrets: readonly SecretView[];
  graceChoices: readonly number[];
  collaborators: readonly CollaboratorView[];
  /** Its traffic, when the user's role may see it. */
  usage?: UsageView;
  recentErrors?: RecentErrorsView;
  /** Errors of a refused form, by the form they belong to. */
  errors?: { settings?: FieldErrors; rotate?: string; collaborator?: { email: string; error: string } };
  flash?: string;
}

/** Avatar, name with the user's role, type and creation date. */
function head(app: PortalAppView): SafeHtml {
  return html`<div class="app-head">${appAvatar(app.name)}<div><h1>${app.name} <span class="badge${
    app.role === 'owner' ? '' : ' badge-muted'
  }">${ROLE_LABELS[app.role]}</span></h1><p class="lead">${app.typeLabel} · created ${day(app.createdAt)}</p></div></div>`;
}

/** Delete app: a link to the confirmation page, which names the app. */
function dangerZone(app: PortalAppView, href: string): SafeHtml {
  return html`<section class="danger-zone" aria-labelledby="delete"><div><h2 id="delete">Delete app</h2><p>Its secrets, tokens and every user’s consent go with it. This cannot be undone.</p></div>
<a class="button button-danger" href="${safeUrl(href, 'deleteHref')}" aria-describedby="delete">Delete ${app.name}…</a></section>`;
}

/** The app page. */
export function appPage(v: AppPageView): string {
  const settingsErrors = v.errors?.settings ?? {};
  const hasErrors = Object.keys(settingsErrors).length > 0 || v.errors?.rotate || v.errors?.collaborator;
  const body = html`${crumbs([{ label: v.app.name }])}
${head(v.app)}
${flashStatus(v.flash)}
${errorSummary(settingsErrors, controlIdOf, EDIT_ORDER)}
<dl class="credentials">
<div><dt>Client ID</dt><dd>${copyable(v.app.clientId, { id: 'client-id', what: 'client ID' })}</dd></div>
</dl>
<div class="activity" id="activity">
${v.usage ? usageSection(v.usage) : ''}
${v.recentErrors ? recentErrorsSection(v.recentErrors) : ''}
</div>
${settingsSection({
  app: v.app,
  rights: v.rights,
  csrf: v.csrf,
  action: v.actions.update,
  values: v.values,
  errors: settingsErrors,
  scopes: v.scopes,
})}
${secretsSection({
  confidential: v.app.confidential,
  secrets: v.secrets,
  csrf: v.csrf,
  rotateAction: v.actions.rotate,
  graceChoices: v.graceChoices,
  error: v.errors?.rotate,
})}
${collaboratorsSection({
  ownerEmail: v.app.ownerEmail,
  collaborators: v.collaborators,
  manage: v.rights.manageCollaborators,
  csrf: v.csrf,
  addAction: v.actions.addCollaborator,
  email: v.errors?.collaborator?.email,
  error: v.errors?.collaborator?.error,
})}
${v.rights.delete ? dangerZone(v.app, v.actions.deleteHref) : ''}`;
  return portalPage({
    title: `${hasErrors ? 'Error: ' : ''}${v.app.name}`,
    nonce: v.nonce,
    body,
    copy: true,
    styles: ACTIVITY_STYLES,
  });
}
