/**
 * The fields of an app, as the Create app form and the app page show them: Name, Description,
 * Homepage URL, App type (the three kinds of oauth/app-types.ts), Redirect URIs (one per line) and
 * Scopes (the catalogue, with descriptions; those only an admin may give marked "Admins only").
 */
import { APP_TYPES, type AppTypeName } from '../../oauth/app-types.js';
import { html, type SafeHtml } from '../html.js';
import { describedBy, type FieldErrors, type FormField, fieldError, textArea, textField } from './fields.js';
import { type LogoutFormValues, logoutFields } from './logout-fields.js';

/**
 * What the form holds: as typed, so a refused form comes back as it was sent (with the logout fields,
 * pages/portal/logout-fields.ts).
 */
export interface AppFormValues extends LogoutFormValues {
  name: string;
  description: string;
  homepageUrl: string;
  /** The Redirect URIs textarea, one per line. */
  redirectUris: string;
  type: string;
  /** The ticked scopes. */
  scopes: readonly string[];
}

/** A scope the form offers. */
export interface ScopeOption {
  name: string;
  description: string;
  /** Only an admin may give it to an app (LATCHKEY_RESTRICTED_SCOPES). */
  restricted: boolean;
}

/** Longest values the form lets a browser type (the server checks them too: oauth/app-registration.ts). */
const MAX = { name: 100, description: 500, homepage: 2000 } as const;

/** The id of the control that shows a field's error (the summary links to it). */
export function controlIdOf(field: FormField): string {
  if (field === 'type') return 'type-web';
  if (field === 'scope') return 'scopes';
  if (field === 'form') return 'main';
  return field.replaceAll('_', '-');
}

/** The first field with an error, among those on the form, which gets the focus. */
export function firstInvalid(errors: FieldErrors, order: readonly FormField[]): FormField | undefined {
  return order.find((field) => errors[field] !== undefined);
}

/** What the user sees of each type below its label: who it is for, and the grants that follow. */
const TYPE_HINTS: Readonly<Record<AppTypeName, string>> = {
  web: 'Runs on your server and signs users in; it keeps a client secret.',
  native: 'Runs on the user’s device, so it cannot keep a secret; signs users in with PKCE.',
  service: 'Calls the API as itself, with no user: two-legged tokens from its ID and secret.',
};

/** The grants a type gets, in words for the hint. */
function grantsOf(type: AppTypeName): string {
  return APP_TYPES[type].grants.join(', ');
}

/** Name, Description and Homepage URL. */
export function profileFields(values: AppFormValues, errors: FieldErrors, focus?: FormField): SafeHtml {
  return html`${textField({
    id: 'name',
    name: 'name',
    label: 'Name',
    value: values.name,
    error: errors.name,
    hint: 'Users see it when your app asks for access, with the description, the homepage and your email.',
    required: true,
    maxlength: MAX.name,
    autofocus: focus === 'name',
    attributes: html` autocomplete="off"`,
  })}
${textArea({
  id: 'description',
  name: 'description',
  label: 'Description',
  value: values.description,
  error: errors.description,
  hint: `What your app does, in a sentence or two. Up to ${MAX.description} characters.`,
  optional: true,
  maxlength: MAX.description,
  autofocus: focus === 'description',
})}
${textField({
  id: 'homepage-url',
  name: 'homepage_url',
  label: 'Homepage URL',
  type: 'url',
  value: values.homepageUrl,
  error: errors.homepage_url,
  hint: 'Starts with https:// (http:// only for localhost).',
  optional: true,
  maxlength: MAX.homepage,
  autofocus: focus === 'homepage_url',
  attributes: html` inputmode="url" spellcheck="false" autocapitalize="none" placeholder="https://"`,
})}`;
}

/** App type: a radio group of the three types, with the grants each gets. */
export function typeField(values: AppFormValues, errors: FieldErrors, focus?: FormField): SafeHtml {
  const names = Object.keys(APP_TYPES) as AppTypeName[];
  return html`<fieldset class="field${errors.type ? ' invalid' : ''}"${describedBy('type', errors.type, false)}>
<legend>App type</legend>
${fieldError('type', errors.type)}<div class="choices">${names.map(
    (name, i) =>
      html`<div class="choice"><input type="radio" id="type-${name}" name="type" value="${name}"${
        values.type === name ? html` checked` : ''
      }${i === 0 ? html` required` : ''}${focus === 'type' && i === 0 ? html` autofocus` : ''} aria-describedby="type-${name}-hint"><div><label for="type-${name}">${APP_TYPES[name].label}</label><p class="hint" id="type-${name}-hint">${TYPE_HINTS[name]} Grants: ${grantsOf(name)}.</p></div></div>`,
  )}</div>
</fieldset>`;
}

/** Redirect URIs, one per line. */
export function redirectUrisField(values: AppFormValues, errors: FieldErrors, focus?: FormField): SafeHtml {
  return textArea({
    id: 'redirect-uris',
    name: 'redirect_uris',
    label: 'Redirect URIs',
    value: values.redirectUris,
    error: errors.redirect_uris,
    hint: html`One per line, matched exactly: <code>https://</code>, <code>http://127.0.0.1</code> (any port), or an app scheme such as <code>com.example.app:/callback</code>. Leave empty for a server-to-server app.`,
    rows: 3,
    mono: true,
    autofocus: focus === 'redirect_uris',
  });
}

/** Scopes: a checkbox each, its description first and its name below. */
export function scopesField(
  values: AppFormValues,
  errors: FieldErrors,
  scopes: readonly ScopeOption[],
  focus?: FormField,
): SafeHtml {
  return html`<fieldset class="field${errors.scope ? ' invalid' : ''}" id="scopes" tabindex="-1"${describedBy('scope', errors.scope, true)}>
<legend>Scopes</legend>
<p class="hint" id="scope-hint">What your app may ask for. A user is asked to allow them; a server-to-server app gets them at once.</p>
${fieldError('scope', errors.scope)}<div class="choices scope-choices">${scopes.map(
    (scope, i) =>
      html`<div class="choice"><input type="checkbox" id="scope-${i}" name="scope.${scope.name}" value="on"${
        values.scopes.includes(scope.name) ? html` checked` : ''
      }${focus === 'scope' && i === 0 ? html` autofocus` : ''}><div><label for="scope-${i}">${scope.description}${
        scope.restricted ? html` <span class="badge badge-muted">Admins only</span>` : ''
      }</label><p class="hint"><code>${scope.name}</code></p></div></div>`,
  )}</div>
</fieldset>`;
}

/** The order fields appear in on the Create app form. */
export const CREATE_ORDER: readonly FormField[] = [
  'name',
  'description',
  'homepage_url',
  'type',
  'redirect_uris',
  'post_logout_redirect_uris',
  'backchannel_logout_uri',
  'scope',
];

/** Every field of a new app, the first one in error focused. */
export function newAppFields(
  values: AppFormValues,
  errors: FieldErrors,
  scopes: readonly ScopeOption[],
): SafeHtml {
  const focus = firstInvalid(errors, CREATE_ORDER) ?? (errors.form ? undefined : 'name');
  return html`${profileFields(values, errors, focus)}
${typeField(values, errors, focus)}
${redirectUrisField(values, errors, focus)}
${logoutFields(values, errors, focus)}
${scopesField(values, errors, scopes, focus)}`;
}
