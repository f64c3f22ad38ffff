/** Small building blocks shared by the pages: anti-CSRF field, alert boxes, app avatar, scope list. */
import { html, type SafeHtml } from './html.js';

/** A scope as shown to people: the RFC 6749 scope token and its human description. */
export interface ScopeView {
  name: string;
  description: string;
}

/** The hidden anti-CSRF input every form carries (name `csrf`). */
export function csrfField(token: string): SafeHtml {
  return html`<input type="hidden" name="csrf" value="${token}">`;
}

/** An error message in a `role="alert"` box (announced by screen readers), or nothing. */
export function errorAlert(message: string | undefined, id = 'form-error'): SafeHtml {
  return html`${message ? html`<div class="alert" role="alert" id="${id}">${message}</div>` : ''}`;
}

/** A success message in a `role="status"` box, or nothing. */
export function flashStatus(message: string | undefined): SafeHtml {
  return html`${message ? html`<div class="flash" role="status">${message}</div>` : ''}`;
}

/** A decorative square with the first letter of the app's name (no image is ever loaded). */
export function appAvatar(name: string, size: 'large' | 'small' = 'large'): SafeHtml {
  const letter = Array.from(name.trim())[0] ?? '?';
  return html`<span class="${size === 'small' ? 'avatar avatar-small' : 'avatar'}" aria-hidden="true">${letter}</span>`;
}

/** The list of scopes: the description first, the scope token below in small monospace. */
export function scopeList(scopes: readonly ScopeView[]): SafeHtml {
  return html`<ul class="scopes">${scopes.map(
    (scope) =>
      html`<li><span class="scope-text"><span class="scope-description">${scope.description || scope.name}</span><code class="scope-name">${scope.name}</code></span></li>`,
  )}</ul>`;
}
