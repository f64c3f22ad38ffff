/** The consent page: which app asks for which scopes, as whom, where the answer goes; Allow or Deny. */
import { html, safeUrl } from './html.js';
import { page } from './layout.js';
import { appAvatar, csrfField, type ScopeView, scopeList } from './parts.js';

/** Values of the consent page. */
export interface ConsentPageView {
  nonce: string;
  /** Anti-CSRF token for the hidden `csrf` field. */
  csrf: string;
  /** Where the form posts (a same-origin path). */
  action: string;
  /** The app's registered name, shown prominently. */
  appName: string;
  /** Email of the signed-in user. */
  userEmail: string;
  /** Requested scopes with human descriptions from the scope catalogue. */
  scopes: ScopeView[];
  /** Host of the redirect_uri, so the user sees where the answer is sent. */
  redirectHost: string;
  /** Where the user sees and revokes what they allowed (the Connected apps page). */
  connectedAppsHref: string;
  /** What the developer portal knows about the app. */
  about: AppAbout;
}

/** What the developer portal knows about an app, as its developer entered it. */
export interface AppAbout {
  description?: string | undefined;
  /** Host of the homepage URL the developer gave; nobody has verified it. */
  homepageHost?: string | undefined;
  /** The developer's email (the app's owner), or `undefined` for an app the operator registered. */
  developer?: string | undefined;
}

/**
 * What is known about the app, each line saying where it comes from: the developer typed the
 * description and homepage, and Latchkey verified neither, so the page says so (RFC 6819 §4.4.1.4:
 * the user decides on what the server can tell about the client; RFC 8252 §8.6 for public clients).
 */
function aboutApp(about: AppAbout) {
  return html`<section class="about-app" aria-label="About this app">
${about.description ? html`<p class="about-description">${about.description}</p>` : ''}
<dl>
<div><dt>Developer</dt><dd>${about.developer ?? 'Registered by the operator of this service'}</dd></div>
<div><dt>Website</dt><dd>${
    about.homepageHost
      ? html`<strong>${about.homepageHost}</strong> <span class="unverified">not verified</span>`
      : html`None given: this app has no verified homepage`
  }</dd></div>
</dl>
</section>`;
}

/**
 * The consent page: one form posting `decision=allow` or `decision=deny` (two submit buttons, Deny
 * first in source order so it is never the implicit default) plus the hidden `csrf` field.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.1
 * @see https://www.rfc-editor.org/rfc/rfc6819#section-4.4.1.1
 */
export function consentPage(v: ConsentPageView): string {
  const body = html`<div class="consent-head">
${appAvatar(v.appName)}
<h1><span class="app-name">${v.appName}</span> wants to access your account</h1>
<p class="identity">Signed in as <strong>${v.userEmail}</strong></p>
</div>
${aboutApp(v.about)}
<h2 class="section-title">This will allow ${v.appName} to:</h2>
${
  v.scopes.length > 0
    ? scopeList(v.scopes)
    : html`<p class="scopes-empty">Know that you have an account here. Nothing else is shared.</p>`
}
<p class="note">You will be sent to <strong>${v.redirectHost}</strong> after you choose. Only allow apps you trust; you can revoke access at any time from <a href="${v.connectedAppsHref}">Connected apps</a>.</p>
<form method="post" action="${safeUrl(v.action, 'action')}">
${csrfField(v.csrf)}
<div class="actions">
<button class="button button-secondary" type="submit" name="decision" value="deny">Deny</button>
<button class="button button-primary" type="submit" name="decision" value="allow">Allow</button>
</div>
</form>`;
  return page({ title: 'Allow access', body, nonce: v.nonce });
}
