/**
 * The account emails: a verification link after sign-up, a password reset link. Each has a plain-text
 * body (the link on a line of its own) and the same in HTML; names and addresses are escaped.
 */
import { escapeHtml } from '../pages/html.js';
import type { EmailLinkPurpose } from '../storage/email-links.js';
import { lifetimeText } from './link-tokens.js';

/** One email to send. */
export interface AccountEmail {
  /** What its link is for (the log fallback says so). */
  purpose: EmailLinkPurpose;
  to: string;
  subject: string;
  text: string;
  html: string;
  /** The link the email carries: the secret part of it. */
  link: string;
}

/** Who an email is for. */
export interface Recipient {
  email: string;
  name?: string | undefined;
}

function greeting(to: Recipient): string {
  return to.name ? `Hello ${to.name},` : 'Hello,';
}

/** The HTML body: the same paragraphs, the link as a button and again in full below it. */
function htmlBody(paragraphs: readonly string[], button: string, link: string, closing: string): string {
  const p = (text: string) => `<p style="margin:0 0 16px">${escapeHtml(text)}</p>`;
  const href = escapeHtml(link);
  return `<!doctype html>
<html lang="en"><body style="margin:0;padding:24px;background:#f4f5f8;font-family:system-ui,-apple-system,'Segoe UI',Roboto,Arial,sans-serif;font-size:16px;line-height:1.5;color:#151a24">
<div style="max-width:480px;margin:0 auto;background:#ffffff;border:1px solid #dfe3ea;border-radius:14px;padding:32px">
${paragraphs.map(p).join('\n')}
<p style="margin:24px 0"><a href="${href}" style="display:inline-block;padding:12px 20px;border-radius:10px;background:#3347d4;color:#ffffff;font-weight:600;text-decoration:none">${escapeHtml(button)}</a></p>
<p style="margin:0 0 16px;font-size:14px;color:#556070">Or open this link: <a href="${href}" style="color:#3347d4;word-break:break-all">${href}</a></p>
${p(closing)}
</div></body></html>
`;
}

/** The email that asks the user to confirm their address (sent after sign-up and on request). */
export function verificationEmail(to: Recipient, link: string): AccountEmail {
  const intro = `Confirm that ${to.email} is the email address of your Latchkey account.`;
  const closing = `The link works once, for ${lifetimeText('verify')}. If you did not create an account, ignore this email.`;
  return {
    purpose: 'verify',
    to: to.email,
    subject: 'Confirm your email address',
    text: `${greeting(to)}\n\n${intro}\n\n${link}\n\n${closing}\n`,
    html: htmlBody([greeting(to), intro], 'Confirm my email', link, closing),
    link,
  };
}

/** The email with a link to choose a new password ("Forgot password?"). */
export function resetEmail(to: Recipient, link: string): AccountEmail {
  const intro = `Someone asked to reset the password of the Latchkey account ${to.email}. If it was you, choose a new password here:`;
  const closing = `The link works once, for ${lifetimeText('reset')}. A new password signs you out everywhere, apps included. If you did not ask, ignore this email: your password stays as it is.`;
  return {
    purpose: 'reset',
    to: to.email,
    subject: 'Reset your password',
    text: `${greeting(to)}\n\n${intro}\n\n${link}\n\n${closing}\n`,
    html: htmlBody([greeting(to), intro], 'Choose a new password', link, closing),
    link,
  };
}
