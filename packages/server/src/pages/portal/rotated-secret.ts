/**
 * The page after Rotate secret: the new secret, shown this once (in the answer to the form, never in
 * a URL or a cookie), and when the previous secrets stop working.
 */
import { html, safeUrl } from '../html.js';
import { type CredentialsView, credentialList, tryIt } from './credentials.js';
import { durationLabel, moment } from './dates.js';
import { crumbs, portalPage } from './layout.js';

/** Values of the page. */
export interface RotatedSecretPageView extends CredentialsView {
  nonce: string;
  name: string;
  appHref: string;
  clientSecret: string;
  /** When the previous secrets stop; `undefined`: they stopped at once. */
  previousUntil?: Date;
  graceSeconds: number;
}

/** "New secret": the secret with its warning, the old secret's expiry, and the example request. */
export function rotatedSecretPage(v: RotatedSecretPageView): string {
  const appHref = safeUrl(v.appHref, 'appHref');
  const body = html`${crumbs([{ label: v.name, href: appHref }, { label: 'New secret' }])}
<h1>New secret for ${v.name}</h1>
<p class="lead">${
    v.previousUntil === undefined
      ? html`The previous secret <strong>stopped working at once</strong>.`
      : html`The previous secret keeps working for ${durationLabel(v.graceSeconds)}, until <strong>${moment(v.previousUntil)}</strong>. Deploy the new one before then.`
  }</p>
${credentialList(v)}
${tryIt(v)}
<div class="form-actions">
<a class="button button-primary" href="${appHref}">I have saved the secret: back to the app</a>
</div>`;
  return portalPage({ title: `New secret for ${v.name}`, nonce: v.nonce, body, copy: true });
}
