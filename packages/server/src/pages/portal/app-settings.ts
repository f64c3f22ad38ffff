/**
 * The Settings of the app page: the form of every field the user may change (for a collaborator, the
 * redirect URIs only) and, read-only, what they may not.
 */
import { html, type SafeHtml, safeUrl } from '../html.js';
import { csrfField } from '../parts.js';
import {
  type AppFormValues,
  firstInvalid,
  profileFields,
  redirectUrisField,
  type ScopeOption,
  scopesField,
} from './app-form.js';
import type { AppRights, PortalAppView } from './app-view.js';
import type { FieldErrors, FormField } from './fields.js';
import { logoutFields } from './logout-fields.js';

/** What the Settings section needs. */
export interface SettingsView {
  app: PortalAppView;
  rights: AppRights;
  csrf: string;
  action: string;
  values: AppFormValues;
  errors: FieldErrors;
  scopes: readonly ScopeOption[];
}

/** The order fields appear in on the Settings form. */
export const EDIT_ORDER: readonly FormField[] = [
  'name',
  'description',
  'homepage_url',
  'redirect_uris',
  'post_logout_redirect_uris',
  'backchannel_logout_uri',
  'scope',
];

/**
 * A link to the homepage, shown as its text. One that safeUrl refuses (stored before registration
 * refused such URLs) is shown as text only: the page that would fix it must still render.
 */
function homepageLink(url: string | undefined): SafeHtml {
  if (url === undefined) return html`<span class="optional">None</span>`;
  try {
    return html`<a href="${safeUrl(url, 'homepageUrl')}" rel="noopener noreferrer">${url}</a>`;
  } catch {
    return html`${url}`;
  }
}

/** The app type, which no one changes after creation. */
function fixedType(app: PortalAppView): SafeHtml {
  return html`<div class="field"><p class="label" id="type-label">App type</p><p>${app.typeLabel}</p><p class="hint">Set when the app was created. For another type, create another app.</p></div>`;
}

/** What a collaborator may not change: name, description, homepage, type and scopes. */
function readOnlyDetails(app: PortalAppView): SafeHtml {
  return html`<dl class="facts">
<dt>Name</dt><dd>${app.name}</dd>
<dt>Description</dt><dd>${app.description ?? html`<span class="optional">None</span>`}</dd>
<dt>Homepage URL</dt><dd>${homepageLink(app.homepageUrl)}</dd>
<dt>App type</dt><dd>${app.typeLabel}</dd>
<dt>Scopes</dt><dd><ul>${app.scopes.map((scope) => html`<li>${scope.description} <code>${scope.name}</code></li>`)}</ul></dd>
</dl>
<p class="note">Only the app’s owner or an admin can change these. As a collaborator you can change the redirect and logout URIs and rotate the secret.</p>`;
}

/** The Settings section. */
export function settingsSection(v: SettingsView): SafeHtml {
  const { app, rights, values, errors } = v;
  const focus = firstInvalid(errors, EDIT_ORDER);
  const redirects = app.type !== 'service';
  const form = (
    fields: SafeHtml,
    label: string,
  ) => html`<form class="form" method="post" action="${safeUrl(v.action, 'action')}" novalidate>
${csrfField(v.csrf)}
${fields}
<div class="form-actions"><button class="button button-primary" type="submit">${label}</button></div>
</form>`;
  let content: SafeHtml;
  if (rights.editDetails) {
    content = form(
      html`${profileFields(values, errors, focus)}
${fixedType(app)}
${
  redirects
    ? html`${redirectUrisField(values, errors, focus)}
${logoutFields(values, errors, focus)}`
    : ''
}
${scopesField(values, errors, v.scopes, focus)}`,
      'Save changes',
    );
  } else {
    content = html`${readOnlyDetails(app)}
${
  redirects
    ? form(
        html`${redirectUrisField(values, errors, focus)}
${logoutFields(values, errors, focus)}`,
        'Save redirect URIs',
      )
    : ''
}`;
  }
  return html`<section class="section" aria-labelledby="settings"><h2 id="settings">Settings</h2>
${content}
</section>`;
}
