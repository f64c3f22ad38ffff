/** The document shell every page shares: head, inline nonce'd styles, header, centred card, footer. */
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
}

/**
 * A complete HTML document: every style inline in one nonce'd <style>, nothing loaded from anywhere,
 * no script. Pair it with `Content-Security-Policy: default-src 'none'; style-src 'nonce-…'` and
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
<style nonce="${opts.nonce}">${new SafeHtml(STYLES)}</style>
</head>
<body>
<header class="site-header"><div class="brand">${LOGO}<span>Latchkey</span></div></header>
<main class="main" id="main"><div class="${cardClass}">${opts.body}</div></main>
<footer class="site-footer">Secured by Latchkey · Only enter your password on this site, never inside an app.</footer>
</body>
</html>
`.value
  }`;
}
