/** The Latchkey mark (a key on a rounded square): inline in every page's header, and as the favicon. */
import { html } from './html.js';

/** The key's bit, drawn from the ring's right edge. */
const KEY_BIT = 'M14 14h8m-2 0v3m-3-3v2';

/** The mark inline in a page: decorative, hidden from assistive technology, coloured by the page styles. */
export const LOGO = html`<svg class="logo" viewBox="0 0 28 28" aria-hidden="true" focusable="false"><rect class="logo-bg" width="28" height="28" rx="8"/><circle class="logo-key" cx="10" cy="14" r="4"/><path class="logo-key" d="${KEY_BIT}"/></svg>`;

/**
 * The same mark as a standalone SVG document for /favicon.ico, in the light theme's colours
 * (--primary, --on-primary). Presentation attributes, not a <style>: the answer's CSP allows none.
 */
export const FAVICON_SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 28 28" width="28" height="28"><rect fill="#3347d4" width="28" height="28" rx="8"/><g fill="none" stroke="#ffffff" stroke-width="2" stroke-linecap="round" stroke-linejoin="round"><circle cx="10" cy="14" r="4"/><path d="${KEY_BIT}"/></g></svg>\n`;
