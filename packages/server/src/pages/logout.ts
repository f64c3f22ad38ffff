/**
 * The pages of RP-Initiated Logout 1.0: "Sign out of Latchkey?", asked when the app's request cannot
 * show that it is about this session (§2: the OP asks the user), and "You are signed out".
 */
import { html, safeUrl } from './html.js';
import { page } from './layout.js';
import { appAvatar, csrfField } from './parts.js';

/** This family's own rules, after the shared stylesheet. */
const STYLES = `
.logout-head { text-align: center; }
.logout-head .avatar, .done-mark { margin-bottom: 16px; }
.done-mark {
  display: inline-flex; align-items: center; justify-content: center;
  width: 48px; height: 48px; border-radius: 50%;
  background: var(--success-soft); color: var(--success-text);
}
.done-mark::before {
  content: ""; width: 16px; height: 9px; margin-top: -4px;
  border-left: 3px solid currentColor; border-bottom: 3px solid currentColor; transform: rotate(-45deg);
}
.logout-head .lead { margin-top: 10px; }
@media (max-width: 480px) { .logout-actions { flex-direction: column-reverse; } }
`;

/** Values of the confirmation page. */
export interface LogoutConfirmView {
  nonce: string;
  /** Anti-CSRF token for the hidden `csrf` field. */
  csrf: string;
  /** Where the form posts (a same-origin path). */
  action: string;
  /** Email of the signed-in user. */
  userEmail: string;
  /** The app that asks, when the request names one. */
  appName?: string;
  /** Hidden fields that carry the request to the confirmation: `client_id`, the return URI, `state`. */
  carried: Readonly<Record<string, string>>;
  /** Where "Stay signed in" goes (a same-origin path). */
  stayHref: string;
}

/**
 * "Sign out of Latchkey?": who is signed in, the app that asks (when known), and one form posting the
 * sign-out with the anti-CSRF field; "Stay signed in" is a plain link, so nothing ends without the
 * button. Sign out comes last in source order, the primary action.
 */
export function logoutConfirmPage(v: LogoutConfirmView): string {
  const body = html`<div class="logout-head">
${v.appName ? appAvatar(v.appName) : ''}
<h1>Sign out of Latchkey?</h1>
<p class="lead">${
    v.appName
      ? html`<span class="app-name">${v.appName}</span> asks you to sign out.`
      : 'A link asks you to sign out.'
  }</p>
<p class="identity">Signed in as <strong>${v.userEmail}</strong></p>
</div>
<p class="note">Signing out ends your Latchkey session in this browser. Apps you signed in to with Latchkey may sign you out too. You will need your password to sign in again.</p>
<form method="post" action="${safeUrl(v.action, 'action')}">
${csrfField(v.csrf)}
${Object.entries(v.carried).map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`)}
<div class="actions logout-actions">
<a class="button button-secondary" href="${safeUrl(v.stayHref, 'stayHref')}">Stay signed in</a>
<button class="button button-primary" type="submit">Sign out</button>
</div>
</form>`;
  return page({ title: 'Sign out?', body, nonce: v.nonce, styles: STYLES });
}

/** Values of the signed-out page. */
export interface SignedOutView {
  nonce: string;
  /** The app the user came from, when known. */
  appName?: string;
  /** Where "Sign in again" goes. */
  loginHref: string;
}

/** "You are signed out", with the app to go back to when known, and a way to sign in again. */
export function signedOutPage(v: SignedOutView): string {
  const body = html`<div class="logout-head">
<div class="done-mark" aria-hidden="true"></div>
<h1>You are signed out</h1>
<p class="lead">${
    v.appName
      ? html`You signed out of Latchkey in this browser. You can close this page and go back to <span class="app-name">${v.appName}</span>.`
      : 'You signed out of Latchkey in this browser. You can close this page.'
  }</p>
</div>
<a class="button button-secondary button-block" href="${safeUrl(v.loginHref, 'loginHref')}">Sign in again</a>`;
  return page({ title: 'Signed out', body, nonce: v.nonce, styles: STYLES });
}
