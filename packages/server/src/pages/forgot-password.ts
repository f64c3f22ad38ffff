/**
 * "Forgot password?": the page asking for the account's email, and the page every request answers with
 * afterwards, whether an account has that email or not (it never says which).
 */
import { html, safeUrl } from './html.js';
import { page } from './layout.js';
import { csrfField, errorAlert } from './parts.js';

/** Values of the "Forgot password?" page. */
export interface ForgotPasswordPageView {
  nonce: string;
  /** Anti-CSRF token for the hidden `csrf` field. */
  csrf: string;
  /** Where the form posts (a same-origin path). */
  action: string;
  /** Email to prefill after a refused attempt. */
  email?: string;
  /** Message shown in a `role="alert"` box, e.g. "Too many requests". */
  error?: string;
  /** Link back to the sign-in page. */
  loginHref: string;
}

/** The form: one field labelled Email, button "Send the link", and a way back to sign-in. */
export function forgotPasswordPage(v: ForgotPasswordPageView): string {
  const aria = v.error ? html` aria-invalid="true" aria-describedby="form-error"` : '';
  const body = html`<h1>Reset your password</h1>
<p class="lead">Enter the email of your account. We will send you a link to choose a new password.</p>
${errorAlert(v.error)}
<form class="form" method="post" action="${safeUrl(v.action, 'action')}">
${csrfField(v.csrf)}
<div class="field">
<label for="email">Email</label>
<input id="email" name="email" type="email" autocomplete="username" required maxlength="254" spellcheck="false" autocapitalize="none" value="${v.email ?? ''}" autofocus${aria}>
</div>
<button class="button button-primary button-block" type="submit">Send the link</button>
</form>
<p class="switch">Remembered it? <a href="${safeUrl(v.loginHref, 'loginHref')}">Sign in</a></p>`;
  return page({ title: 'Reset your password', body, nonce: v.nonce });
}

/** Values of the page shown after the form was sent. */
export interface ResetLinkSentPageView {
  nonce: string;
  /** How long the link works, e.g. "30 minutes". */
  lifetime: string;
  /** The form again, to ask for another link. */
  againHref: string;
  loginHref: string;
}

/**
 * "Check your email": the same words whether or not an account has the address, so the page tells no
 * one who is registered.
 * @see https://cheatsheetseries.owasp.org/cheatsheets/Forgot_Password_Cheat_Sheet.html
 */
export function resetLinkSentPage(v: ResetLinkSentPageView): string {
  const body = html`<div class="done-mark" aria-hidden="true">✉</div>
<h1>Check your email</h1>
<p class="lead" role="status">If an account exists for that email, we sent it a link to choose a new password. The link works for ${v.lifetime}.</p>
<p class="note">Nothing after a few minutes? Look in your spam folder, or <a href="${safeUrl(v.againHref, 'againHref')}">ask for another link</a>.</p>
<div class="actions"><a class="button button-secondary" href="${safeUrl(v.loginHref, 'loginHref')}">Back to sign in</a></div>`;
  return page({ title: 'Check your email', body, nonce: v.nonce });
}
