/** Delete app: a confirmation page that names the app and asks for its name to be typed. */
import { html, safeUrl } from '../html.js';
import { csrfField } from '../parts.js';
import { errorSummary, textField } from './fields.js';
import { crumbs, portalPage } from './layout.js';

/** Values of the page. */
export interface DeleteAppPageView {
  nonce: string;
  csrf: string;
  name: string;
  clientId: string;
  action: string;
  appHref: string;
  /** What was typed into a refused form, and why it was refused. */
  typed?: string;
  error?: string;
}

/** The confirmation: what goes with the app, the name to type, Delete and Cancel. */
export function deleteAppPage(v: DeleteAppPageView): string {
  const appHref = safeUrl(v.appHref, 'appHref');
  const body = html`${crumbs([{ label: v.name, href: appHref }, { label: 'Delete' }])}
<div class="error-mark" aria-hidden="true">!</div>
<h1>Delete ${v.name}?</h1>
<p class="lead">The app <strong>${v.name}</strong> (<code>${v.clientId}</code>) will be deleted with its secrets, its collaborators, the tokens it holds and every user’s consent. Whatever uses its credentials stops working at once. This cannot be undone.</p>
${errorSummary(v.error ? { confirm_name: v.error } : {}, () => 'confirm-name')}
<form class="form" method="post" action="${safeUrl(v.action, 'action')}" novalidate>
${csrfField(v.csrf)}
${textField({
  id: 'confirm-name',
  name: 'confirm_name',
  label: `Type the app’s name, ${v.name}, to confirm`,
  value: v.typed ?? '',
  error: v.error,
  required: true,
  autofocus: true,
  attributes: html` autocomplete="off" spellcheck="false"`,
})}
<div class="form-actions">
<button class="button button-danger-solid" type="submit">Delete this app</button>
<a class="button button-secondary" href="${appHref}">Cancel</a>
</div>
</form>`;
  return portalPage({ title: `${v.error ? 'Error: ' : ''}Delete ${v.name}`, nonce: v.nonce, body });
}
