/**
 * The document shell every page shares: head, inline nonce'd styles, header (with the signed-in
 * navigation on account pages), centred card, footer, and at most one inline nonce'd script.
 */
import { html, SafeHtml } from './html.js';
import { LOGO } from './icon.js';
import { STYLES } from './styles.js';

/** CSP nonce-source is base64 (RFC 4648, either alphabet); anything else would never match the header. */
const NONCE = /^[A-Za-z0-9+/_-]+={0,2}$/;

/** Options of {@link page}. */
export interface PageOptions {
  /** Text of <title> (suffixed with "· Latchkey"). */
  title: string;
  /** Content of the main card, built with `html`. */
  body: SafeHtml;
  /** The CSP nonce the response's `style-src 'nonce-…'` carries. */
  nonce: string;
  /** `wide` for list pages such as Connected apps; forms use the default narrow card. */
  width?: 'narrow' | 'wide';
  /** On a signed-in user's pages: the header's navigation, with this entry marked as the current one. */
  nav?: NavEntry;
  /** CSS after the shared stylesheet: a family of pages' own rules (the developer portal's). */
  styles?: string;
  /**
   * An inline script carrying the same nonce (it may only enhance: every page works without it).
   * Send the page with `sendPage(..., { script: true })` so the CSP allows it.
   */
  script?: string;
}

/** The entries of the signed-in navigation. */
export type NavEntry = 'apps' | 'connected';

/** The signed-in navigation: the developer portal and the apps the user allowed. */
const NAV: readonly { entry: NavEntry; href: string; label: string }[] = [
  { entry: 'apps', href: '/portal', label: 'My apps' },
  { entry: 'connected', href: '/account/apps', label: 'Connected apps' },
];

/** The header's navigation, the current entry marked with `aria-current="page"`. */
function navigation(current: NavEntry | undefined) {
  if (current === undefined) return '';
  return html`<nav class="site-nav" aria-label="Your account">${NAV.map(
    (link) =>
      html`<a href="${link.href}"${link.entry === current ? html` aria-current="page"` : ''}>${link.label}</a>`,
  )}</nav>`;
}

/** The inline script, which must not end its element early. */
function inlineScript(script: string | undefined, nonce: string) {
  if (script === undefined) return '';
  if (/<\/script|<!--/i.test(script)) throw new TypeError('script must not contain </script or <!--');
  return html`<script nonce="${nonce}">${new SafeHtml(script)}</script>
`;
}

/**
 * A complete HTML document: every style inline in one nonce'd <style>, nothing loaded from anywhere,
 * no script unless `script` is given (inline, with the same nonce). Pair it with
 * `Content-Security-Policy: default-src 'none'; style-src 'nonce-…'` (sendPage) and
 * `Referrer-Policy: no-referrer` (also set here as a meta fallback).
 * @see https://www.w3.org/TR/CSP3/#framework-directive-source-list
 */
export function page(opts: PageOptions): string {
  if (!NONCE.test(opts.nonce)) throw new TypeError('nonce must be a non-empty base64 string');
  const cardClass = opts.width === 'wide' ? 'card card-wide' : 'card';
  return `<!doctype html>\n${
    html`<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<meta name="robots" content="noindex, nofollow">
<meta name="color-scheme" content="light dark">
<title>${opts.title} · Latchkey</title>
<style nonce="${opts.nonce}">${new SafeHtml(STYLES + (opts.styles ?? ''))}</style>
</head>
<body>
<header class="site-header"><div class="brand">${LOGO}<span>Latchkey</span></div>${navigation(opts.nav)}</header>
<main class="main" id="main"><div class="${cardClass}">${opts.body}</div></main>
<footer class="site-footer">Secured by Latchkey · Only enter your password on this site, never inside an app.</footer>
${inlineScript(opts.script, opts.nonce)}</body>
</html>
`.value
  }`;
}
