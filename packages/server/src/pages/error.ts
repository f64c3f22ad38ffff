/** The error page for requests that must not redirect (unknown client, unregistered redirect_uri). */
import { html, safeUrl } from './html.js';
import { page } from './layout.js';

/** Values of the error page. */
export interface ErrorPageView {
  nonce: string;
  /** Short headline, e.g. "This link doesn't work". */
  title: string;
  /** What went wrong, in words the user understands, e.g. "The app's redirect address is not registered." */
  message: string;
  /** HTTP status the route sends, shown small for support requests. */
  status?: number;
  /** The error's code from the catalogue (errors.ts), shown so a developer can search for it. */
  code?: string;
  /**
   * For a signed-in user's page (the developer portal): a link on, e.g. "Back to My apps", instead of
   * the broken-link explanation of an authorization request.
   */
  back?: { href: string; label: string };
}

/** "Error 400 · redirect_uri_mismatch": the status and the code a developer can search for. */
function statusLine(v: ErrorPageView) {
  if (v.status === undefined && v.code === undefined) return '';
  const parts = [v.status === undefined ? '' : `Error ${v.status}`, v.code ?? ''].filter(Boolean);
  return html`<p class="status">${parts.join(' · ')}</p>`;
}

/**
 * The error page for an authorization request whose client or redirect_uri cannot be trusted: it
 * explains the link is broken and that nothing was sent back to the app. It never redirects and
 * carries no link to the app.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2.1
 */
export function errorPage(v: ErrorPageView): string {
  const body = html`<div class="error-mark" aria-hidden="true">!</div>
<h1>${v.title}</h1>
<p class="lead">${v.message}</p>
${
  v.back
    ? html`<div class="actions"><a class="button button-secondary" href="${safeUrl(v.back.href, 'back.href')}">${v.back.label}</a></div>`
    : html`<p class="note">The link that brought you here is broken or out of date, so <strong>nothing was sent back to the app</strong> and no access was granted. Close this page and go back to the app to try again; if it keeps happening, tell the app's developer.</p>`
}
${statusLine(v)}`;
  return page({ title: v.title, body, nonce: v.nonce });
}
