/** The Connected apps page: the apps a user allowed, their scopes, a Revoke button each, and Sign out. */

import { type EmailStatusView, emailBadge, verifyNotice } from './email-status.js';
import { html, safeUrl } from './html.js';
import { page } from './layout.js';
import { appAvatar, csrfField, errorAlert, flashStatus, type ScopeView, scopeList } from './parts.js';

/** One app the user has allowed. */
export interface ConnectedAppView {
  clientId: string;
  name: string;
  scopes: ScopeView[];
  /** When the user allowed it (shown as a UTC date). */
  grantedAt: Date;
  /** Where the Revoke form posts (a same-origin path). */
  revokeAction: string;
}

/** Values of the Connected apps page. */
export interface ConnectedAppsPageView {
  nonce: string;
  /** Anti-CSRF token for every form's hidden `csrf` field. */
  csrf: string;
  userEmail: string;
  apps: ConnectedAppView[];
  /** Where the Sign out form posts. */
  logoutAction: string;
  /** A one-off confirmation, e.g. "Access for Acme was revoked.", in a `role="status"` box. */
  flash?: string;
  /** A one-off refusal, e.g. "Try again in 10 minutes.", in a `role="alert"` box. */
  error?: string;
  /** Whether the email is verified, and where "Send the link again" posts; omitted: not shown. */
  emailStatus?: EmailStatusView;
}

const DATE = new Intl.DateTimeFormat('en', { dateStyle: 'long', timeZone: 'UTC' });

/** "Allowed on <time>", or "Allowed earlier" when the date is invalid. */
function allowedOn(date: Date) {
  if (Number.isNaN(date.getTime())) return html`Allowed earlier`;
  return html`Allowed on <time datetime="${date.toISOString()}">${DATE.format(date)}</time>`;
}

/** One app card: name, date, scopes and its Revoke form (the button is described by the app name). */
function appCard(app: ConnectedAppView, index: number, csrf: string) {
  const nameId = `app-${index}-name`;
  return html`<li class="app" data-client-id="${app.clientId}">
<div class="app-title">${appAvatar(app.name, 'small')}<div><h2 id="${nameId}">${app.name}</h2><p class="app-meta">${allowedOn(app.grantedAt)}</p></div></div>
${app.scopes.length > 0 ? scopeList(app.scopes) : html`<p class="scopes-empty">Only knows that you have an account.</p>`}
<form class="app-actions" method="post" action="${safeUrl(app.revokeAction, 'revokeAction')}">
${csrfField(csrf)}
<button class="button button-danger button-small" type="submit" aria-describedby="${nameId}">Revoke access</button>
</form>
</li>`;
}

/**
 * The Connected apps page: each allowed app in a card with its scopes, grant date and a
 * "Revoke access" form; an empty state when there are none; a "Sign out" form.
 * @see https://www.rfc-editor.org/rfc/rfc7009
 */
export function connectedAppsPage(v: ConnectedAppsPageView): string {
  const body = html`<div class="page-head">
<div><h1>Connected apps</h1><p class="lead">Signed in as <strong>${v.userEmail}</strong>${v.emailStatus ? emailBadge(v.emailStatus) : ''}</p></div>
<form method="post" action="${safeUrl(v.logoutAction, 'logoutAction')}">
${csrfField(v.csrf)}
<button class="button button-secondary button-small" type="submit">Sign out</button>
</form>
</div>
${flashStatus(v.flash)}
${errorAlert(v.error)}
${v.emailStatus ? verifyNotice(v.emailStatus, v.csrf) : ''}
${
  v.apps.length > 0
    ? html`<p class="note">These apps can use your account. Revoking access signs the app out: it can no longer act for you until you allow it again.</p>
<ul class="apps">${v.apps.map((app, i) => appCard(app, i, v.csrf))}</ul>`
    : html`<div class="empty"><strong>No connected apps</strong>When you allow an app to use your account, it shows up here.</div>`
}`;
  return page({ title: 'Connected apps', body, nonce: v.nonce, width: 'wide', nav: 'connected' });
}
