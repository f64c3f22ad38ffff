/**
 * The page after Create app: the client ID, the secret shown this once (in the answer to the form,
 * never in a URL or a cookie), the warning, and how to get a first token.
 */
import { html, safeUrl } from '../html.js';
import { type CredentialsView, credentialList, tryIt } from './credentials.js';
import { crumbs, portalPage } from './layout.js';

/** Values of the page. */
export interface CreatedAppPageView extends CredentialsView {
  nonce: string;
  name: string;
  typeLabel: string;
  appHref: string;
}

/** "Your app is ready": credentials, warning, example, and the way on to the app's page. */
export function createdAppPage(v: CreatedAppPageView): string {
  const appHref = safeUrl(v.appHref, 'appHref');
  const body = html`${crumbs([{ label: v.name, href: appHref }, { label: 'Created' }])}
<div class="success-mark" aria-hidden="true">✓</div>
<h1>${v.name} is ready</h1>
<p class="lead">${v.typeLabel}. ${v.clientSecret === undefined ? 'It has no secret: it proves itself with PKCE.' : 'Here are its credentials.'}</p>
${credentialList(v)}
${tryIt(v)}
<div class="form-actions">
<a class="button button-primary" href="${appHref}">${v.clientSecret === undefined ? 'Go to the app' : 'I have saved the secret: go to the app'}</a>
</div>`;
  return portalPage({ title: `${v.name} is ready`, nonce: v.nonce, body, copy: true });
}
