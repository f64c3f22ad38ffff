/** The page a password reset link opens: a new password, twice; and the page after it was set. */
import { html, safeUrl } from './html.js';
import { page } from './layout.js';
import { csrfField, errorAlert } from './parts.js';
import { MIN_PASSWORD_LENGTH } from './signup.js';

/** Values of the "Choose a new password" page. */
export interface ResetPasswordPageView {
  nonce: string;
  /** Anti-CSRF token for the hidden `csrf` field. */
  csrf: string;
  /** Where the form posts (a same-origin path). */
  action: string;
  /** The link's token, posted back in a hidden field. */
  token: string;
  /** The account's email, shown so the user knows which account this is. */
  email: string;
  /** Message shown in a `role="alert"` box, e.g. "The two passwords differ." */
  error?: string;
}

/**
 * "Choose a new password": New password and Confirm new password (new-password, minlength 10), button
 * "Set new password". Says that the new password signs the account out everywhere.
 */
export function resetPasswordPage(v: ResetPasswordPageView): string {
  const invalid = v.error ? html` aria-invalid="true"` : '';
  const describedBy = (hint: string) => (v.error ? `${hint} form-error` : hint);
  const body = html`<h1>Choose a new password</h1>
<p class="lead">For <strong>${v.email}</strong>. Setting it signs you out everywhere, apps included.</p>
${errorAlert(v.error)}
<form class="form" method="post" action="${safeUrl(v.action, 'action')}">
${csrfField(v.csrf)}
<input type="hidden" name="token" value="${v.token}">
<div class="field">
<label for="password">New password</label>
<input id="password" name="password" type="password" autocomplete="new-password" required minlength="${MIN_PASSWORD_LENGTH}" autofocus aria-describedby="${describedBy('password-hint')}"${invalid}>
<p class="hint" id="password-hint">At least ${MIN_PASSWORD_LENGTH} characters.</p>
</div>
<div class="field">
<label for="confirm">Confirm new password</label>
<input id="confirm" name="confirm" type="password" autocomplete="new-password" required minlength="${MIN_PASSWORD_LENGTH}"${v.error ? html` aria-describedby="form-error"` : ''}${invalid}>
</div>
<button class="button button-primary button-block" type="submit">Set new password</button>
</form>`;
  return page({ title: 'Choose a new password', body, nonce: v.nonce });
}

/** Values of the page after a reset. */
export interface PasswordChangedPageView {
  nonce: string;
  loginHref: string;
}

/** "Password changed": what the reset ended, and a Sign in button. */
export function passwordChangedPage(v: PasswordChangedPageView): string {
  const body = html`<div class="done-mark" aria-hidden="true">✓</div>
<h1>Password changed</h1>
<p class="lead" role="status">Your new password is set. You were signed out everywhere, and apps that used your account will ask you to sign in again.</p>
<div class="actions"><a class="button button-primary" href="${safeUrl(v.loginHref, 'loginHref')}">Sign in</a></div>`;
  return page({ title: 'Password changed', body, nonce: v.nonce });
}
