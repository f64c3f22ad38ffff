/** Create app: the form of a new app's fields; a refused form comes back with each error beside its field. */
import { html, safeUrl } from '../html.js';
import { csrfField } from '../parts.js';
import { type AppFormValues, CREATE_ORDER, controlIdOf, newAppFields, type ScopeOption } from './app-form.js';
import { errorSummary, type FieldErrors } from './fields.js';
import { crumbs, MY_APPS_HREF, portalPage } from './layout.js';

/** Values of the Create app page. */
export interface CreateAppPageView {
  nonce: string;
  csrf: string;
  action: string;
  values: AppFormValues;
  scopes: readonly ScopeOption[];
  errors?: FieldErrors;
}

/** The values of an empty form: a server-side web app, no scope ticked. */
export const EMPTY_APP_FORM: AppFormValues = {
  name: '',
  description: '',
  homepageUrl: '',
  redirectUris: '',
  postLogoutRedirectUris: '',
  backchannelLogoutUri: '',
  type: 'web',
  scopes: [],
};

/** The Create app page. */
export function createAppPage(v: CreateAppPageView): string {
  const errors = v.errors ?? {};
  const body = html`${crumbs([{ label: 'Create app' }])}
<h1>Create an app</h1>
<p class="lead">You get a client ID at once, and a client secret for apps that can keep one.</p>
${errorSummary(errors, controlIdOf, CREATE_ORDER)}
<form class="form" method="post" action="${safeUrl(v.action, 'action')}" novalidate>
${csrfField(v.csrf)}
${newAppFields(v.values, errors, v.scopes)}
<div class="form-actions">
<button class="button button-primary" type="submit">Create app</button>
<a class="button button-secondary" href="${MY_APPS_HREF}">Cancel</a>
</div>
</form>`;
  return portalPage({
    title: Object.keys(errors).length > 0 ? 'Error: Create app' : 'Create app',
    nonce: v.nonce,
    body,
  });
}
