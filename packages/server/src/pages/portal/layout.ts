/** The developer portal's page shell: the signed-in navigation, the portal's styles, breadcrumbs. */
import { html, type SafeHtml, safeUrl } from '../html.js';
import { page } from '../layout.js';
import { COPY_SCRIPT } from './copy-script.js';
import { PORTAL_STYLES } from './styles.js';

/** Path of My apps, the portal's first page (the link the breadcrumbs start with). */
export const MY_APPS_HREF = '/portal';

/** Options of {@link portalPage}. */
export interface PortalPageOptions {
  title: string;
  nonce: string;
  body: SafeHtml;
  /**
   * Adds the Copy buttons (pages/portal/copy-script.ts) to every `data-copy` value; send the page with
   * `sendPage(..., { script: true })`.
   */
  copy?: boolean;
  /** CSS of this page's own sections, after the portal's. */
  styles?: string;
}

/** A portal page: the wide card, "My apps" current in the navigation. */
export function portalPage(opts: PortalPageOptions): string {
  return page({
    title: opts.title,
    body: opts.body,
    nonce: opts.nonce,
    width: 'wide',
    nav: 'apps',
    styles: PORTAL_STYLES + (opts.styles ?? ''),
    ...(opts.copy && { script: COPY_SCRIPT }),
  });
}

/** One step of the breadcrumbs: a link, or (the last) the current page's name. */
export interface Crumb {
  label: string;
  href?: string;
}

/** The breadcrumbs above a portal page's heading, starting at My apps. */
export function crumbs(trail: readonly Crumb[]): SafeHtml {
  const all: Crumb[] = [{ label: 'My apps', href: MY_APPS_HREF }, ...trail];
  return html`<nav class="crumbs" aria-label="Breadcrumb"><ol>${all.map((crumb, i) =>
    i === all.length - 1 || crumb.href === undefined
      ? html`<li aria-current="page">${crumb.label}</li>`
      : html`<li><a href="${safeUrl(crumb.href, 'href')}">${crumb.label}</a></li>`,
  )}</ol></nav>`;
}

/** A value with a Copy button added by the page script (selectable text without it). */
export function copyable(
  value: string,
  options: { id: string; what: string; block?: boolean; secret?: boolean },
): SafeHtml {
  const classes = ['copy-value', options.secret ? 'secret-value' : ''].filter(Boolean).join(' ');
  const element = options.block
    ? html`<pre class="${classes}" id="${options.id}" data-copy="${options.what}">${value}</pre>`
    : html`<code class="${classes}" id="${options.id}" data-copy="${options.what}">${value}</code>`;
  return html`<div class="copy-row">${element}</div>`;
}
