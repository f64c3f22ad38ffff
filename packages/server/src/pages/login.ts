/** The sign-in page: email and password form, optional app name, error and sign-up link. */
import { html, safeUrl } from './html.js';
import { page } from './layout.js';
import { csrfField, errorAlert } from './parts.js';

/** Values of the sign-in page. */
export interface LoginPageView {
  nonce: string;
  /** Anti-CSRF token for the hidden `csrf` field. */
  csrf: string;
  /** Where the form posts (a same-origin path). */
  action: string;
  /** Email to prefill after a failed attempt. */
  email?: string;
  /** Message shown in a `role="alert"` box, e.g. "Wrong email or password". */
  error?: string;
  /** Name of the app the user is signing in for, when the sign-in is part of an authorization. */
  appName?: string;
  /** Link to the sign-up page; omit when sign-up is turned off. */
  signupHref?: string;
  /** Link to the "Forgot password?" page, shown beside the Password label. */
  forgotHref?: string;
}

/**
 * The sign-in page: fields labelled Email and Password and a Sign in button posting to `action`.
 * Focus starts in the first empty field.
 */
export function loginPage(v: LoginPageView): string {
  const aria = v.error ? html` aria-invalid="true" aria-describedby="form-error"` : '';
  const body = html`<h1>${v.appName ? html`Sign in to continue to <span class="app-name">${v.appName}</span>` : 'Sign in'}</h1>
<p class="lead">${v.appName ? 'The app never sees your password.' : 'Welcome back. Enter your email and password.'}</p>
${errorAlert(v.error)}
<form class="form" method="post" action="${safeUrl(v.action, 'action')}">
${csrfField(v.csrf)}
<div class="field">
<label for="email">Email</label>
<input id="email" name="email" type="email" autocomplete="username" required maxlength="254" spellcheck="false" autocapitalize="none" value="${v.email ?? ''}"${v.email ? '' : html` autofocus`}${aria}>
</div>
<div class="field">
${v.forgotHref ? html`<div class="label-row"><label for="password">Password</label><a href="${safeUrl(v.forgotHref, 'forgotHref')}">Forgot password?</a></div>` : html`<label for="password">Password</label>`}
<input id="password" name="password" type="password" autocomplete="current-password" required${v.email ? html` autofocus` : ''}${aria}>
</div>
<button class="button button-primary button-block" type="submit">Sign in</button>
</form>
${v.signupHref ? html`<p class="switch">No account? <a href="${safeUrl(v.signupHref, 'signupHref')}">Create one</a></p>` : ''}`;
  return page({ title: 'Sign in', body, nonce: v.nonce });
}
