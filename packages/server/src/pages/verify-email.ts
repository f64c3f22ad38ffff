/**
 * The page a verification link opens: it asks before it verifies (a mail scanner that opens every link
 * does not use it up); and the page after the address was confirmed.
 */
import { html, safeUrl } from './html.js';
import { page } from './layout.js';
import { csrfField } from './parts.js';

/** Values of the "Confirm your email" page. */
export interface VerifyEmailPageView {
  nonce: string;
  /** Anti-CSRF token for the hidden `csrf` field. */
  csrf: string;
  /** Where the form posts (a same-origin path). */
  action: string;
  /** The link's token, posted back in a hidden field. */
  token: string;
  /** The address the link was sent to. */
  email: string;
}

/** "Confirm your email": the address and a "Confirm my email" button. */
export function verifyEmailPage(v: VerifyEmailPageView): string {
  const body = html`<h1>Confirm your email</h1>
<p class="lead">Confirm that <strong>${v.email}</strong> is the email address of your account.</p>
<form method="post" action="${safeUrl(v.action, 'action')}">
${csrfField(v.csrf)}
<input type="hidden" name="token" value="${v.token}">
<button class="button button-primary button-block" type="submit">Confirm my email</button>
</form>`;
  return page({ title: 'Confirm your email', body, nonce: v.nonce });
}

/** Values of the page after a verification. */
export interface EmailVerifiedPageView {
  nonce: string;
  /** Where to go on: the account page. */
  continueHref: string;
}

/** "Email confirmed", with a way on to the account. */
export function emailVerifiedPage(v: EmailVerifiedPageView): string {
  const body = html`<div class="done-mark" aria-hidden="true">✓</div>
<h1>Email confirmed</h1>
<p class="lead" role="status">Thank you. Apps you allow to see your email are told that it is verified.</p>
<div class="actions"><a class="button button-primary" href="${safeUrl(v.continueHref, 'continueHref')}">Go to your account</a></div>`;
  return page({ title: 'Email confirmed', body, nonce: v.nonce });
}
