/** Whether the signed-in user's email is verified, on the account page, with "Send the link again". */
import { html, type SafeHtml, safeUrl } from './html.js';
import { csrfField } from './parts.js';

/** The account's email and whether it is verified. */
export interface EmailStatusView {
  verified: boolean;
  /** Where "Send the link again" posts (a same-origin path). */
  resendAction: string;
}

/** A small "Verified" or "Not verified" badge, for after the address. */
export function emailBadge(status: EmailStatusView): SafeHtml {
  return status.verified
    ? html`<span class="badge badge-ok">Verified</span>`
    : html`<span class="badge badge-muted">Not verified</span>`;
}

/**
 * For an address not verified yet: what to do, and a "Send the link again" form; nothing once verified
 * (OIDC Core §5.1 `email_verified` is true only after the link was followed).
 */
export function verifyNotice(status: EmailStatusView, csrf: string): SafeHtml {
  if (status.verified) return html``;
  return html`<div class="notice">
<p><strong>Confirm your email.</strong> Open the link we sent you, so apps can trust your address.</p>
<form method="post" action="${safeUrl(status.resendAction, 'resendAction')}">
${csrfField(csrf)}
<button class="button button-secondary button-small" type="submit">Send the link again</button>
</form>
</div>`;
}
