/**
 * The Client secret section of the app page: the secrets that work now, with when each was made and
 * when it stops (never a value: that was shown once), and Rotate secret with a grace period.
 */
import { html, type SafeHtml, safeUrl } from '../html.js';
import { csrfField } from '../parts.js';
import { durationLabel, moment } from './dates.js';
import { beside, describedBy, fieldError } from './fields.js';

/** A working secret. */
export interface SecretView {
  createdAt: Date;
  /** `undefined`: until the next rotation. */
  expiresAt?: Date;
}

/** What the section needs. */
export interface SecretsView {
  /** `false` for an app without a secret (PKCE only). */
  confidential: boolean;
  secrets: readonly SecretView[];
  csrf: string;
  rotateAction: string;
  /** The grace periods on offer, in seconds (manage/app-actions.ts GRACE_CHOICES). */
  graceChoices: readonly number[];
  /** The error of a refused rotation. */
  error?: string;
}

/** One secret: current or in its grace period. */
function secretRow(secret: SecretView): SafeHtml {
  const current = secret.expiresAt === undefined;
  return html`<li><div><p class="row-title">${current ? 'Current secret' : 'Previous secret'}</p><p class="row-meta">Created ${moment(secret.createdAt)}</p></div>${
    current
      ? html`<span class="badge">Works until you rotate</span>`
      : html`<span class="badge badge-muted">Stops ${moment(secret.expiresAt as Date)}</span>`
  }</li>`;
}

/** The rotation form: how long the secrets that work now keep working. */
function rotateForm(v: SecretsView): SafeHtml {
  const select = html`<select id="grace-seconds" name="grace_seconds"${describedBy('grace-seconds', v.error, true)}>${v.graceChoices.map(
    (seconds) =>
      html`<option value="${seconds}"${seconds === 3600 ? html` selected` : ''}>${
        seconds === 0 ? 'None: it stops at once' : durationLabel(seconds)
      }</option>`,
  )}</select>`;
  return html`<form class="form" method="post" action="${safeUrl(v.rotateAction, 'rotateAction')}">
${csrfField(v.csrf)}
<div class="field">
<label for="grace-seconds">Keep the current secret working for</label>
${fieldError('grace-seconds', v.error)}${beside(select, html`<button class="button button-secondary" type="submit">Rotate secret</button>`)}
<p class="hint" id="grace-seconds-hint">The new secret is shown once. A grace period lets you deploy it before the old one stops.</p>
</div>
</form>`;
}

/** The section. */
export function secretsSection(v: SecretsView): SafeHtml {
  if (!v.confidential)
    return html`<section class="section" aria-labelledby="secrets"><h2 id="secrets">Client secret</h2>
<p class="section-lead">This app has no secret: it runs where a secret could be read, so it proves itself with PKCE (RFC 7636) instead.</p>
</section>`;
  return html`<section class="section" aria-labelledby="secrets"><h2 id="secrets">Client secrets</h2>
<p class="section-lead">The secrets that work now. Their values were shown once and are not kept.</p>
${v.secrets.length > 0 ? html`<ul class="rows">${v.secrets.map(secretRow)}</ul>` : html`<p class="note">No secret works now: rotate to get one.</p>`}
${rotateForm(v)}
</section>`;
}
