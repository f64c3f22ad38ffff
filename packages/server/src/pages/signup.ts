/** The sign-up page: name, email and a new password (at least 10 characters), error and sign-in link. */
import { html, safeUrl } from './html.js';
import { page } from './layout.js';
import { csrfField, errorAlert } from './parts.js';

/** Longest name the form takes; the server enforces it too (accounts/name.ts). */
export const MAX_NAME_LENGTH = 200;

/** Minimum password length the form asks for; the server must enforce it too. */
export const MIN_PASSWORD_LENGTH = 10;

/** Values of the sign-up page. */
export interface SignupPageView {
  nonce: string;
  /** Anti-CSRF token for the hidden `csrf` field. */
  csrf: string;
  /** Where the form posts (a same-origin path). */
  action: string;
  /** Name to prefill after a failed attempt. */
  name?: string;
  /** Email to prefill after a failed attempt. */
  email?: string;
  /** Message shown in a `role="alert"` box, e.g. "That email is already registered". */
  error?: string;
  /** Link back to the sign-in page. */
  loginHref: string;
}

/**
 * The sign-up page: fields labelled Name (at most 200 characters), Email and Password (new-password,
 * minlength 10), button Create account. Focus starts in the first empty field.
 */
export function signupPage(v: SignupPageView): string {
  const aria = v.error ? html` aria-invalid="true" aria-describedby="form-error"` : '';
  const body = html`<h1>Create your account</h1>
<p class="lead">One account to sign in to every app that uses Latchkey.</p>
${errorAlert(v.error)}
<form class="form" method="post" action="${safeUrl(v.action, 'action')}">
${csrfField(v.csrf)}
<div class="field">
<label for="name">Name</label>
<input id="name" name="name" type="text" autocomplete="name" required maxlength="${MAX_NAME_LENGTH}" value="${v.name ?? ''}"${v.name ? '' : html` autofocus`}${aria}>
</div>
<div class="field">
<label for="email">Email</label>
<input id="email" name="email" type="email" autocomplete="username" required maxlength="254" spellcheck="false" autocapitalize="none" value="${v.email ?? ''}"${v.name && !v.email ? html` autofocus` : ''}${aria}>
</div>
<div class="field">
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="new-password" required minlength="${MIN_PASSWORD_LENGTH}"${v.name && v.email ? html` autofocus` : ''} aria-describedby="password-hint${v.error ? ' form-error' : ''}"${v.error ? html` aria-invalid="true"` : ''}>
<p class="hint" id="password-hint">At least ${MIN_PASSWORD_LENGTH} characters.</p>
</div>
<button class="button button-primary button-block" type="submit">Create account</button>
</form>
<p class="switch">Already have an account? <a href="${safeUrl(v.loginHref, 'loginHref')}">Sign in</a></p>`;
  return page({ title: 'Create account', body, nonce: v.nonce });
}
