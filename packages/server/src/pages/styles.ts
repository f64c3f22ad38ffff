/** The one stylesheet of every page, inlined into a nonce'd <style> (CSP allows nothing else). */

/**
 * All CSS for the pages: system fonts, light and dark schemes, visible focus, no url() and no
 * external resources (CSP `default-src 'none'`). Colours keep WCAG AA contrast in both schemes.
 */
export const STYLES = `
:root {
  color-scheme: light dark;
  --bg: #f4f5f8;
  --bg-accent: #e8ebfb;
  --surface: #ffffff;
  --surface-muted: #f7f8fa;
  --text: #151a24;
  --muted: #556070;
  --border: #dfe3ea;
  --border-strong: #b9c0cc;
  --primary: #3347d4;
  --primary-hover: #2a3bb5;
  --on-primary: #ffffff;
  --primary-soft: #eceffd;
  --focus: #1f6feb;
  --danger: #b42318;
  --danger-soft: #fef3f2;
  --danger-border: #fecdca;
  --danger-text: #912018;
  --success-soft: #ecfdf3;
  --success-border: #abefc6;
  --success-text: #05603a;
  --radius: 14px;
  --shadow: 0 1px 2px rgb(16 24 40 / 6%), 0 8px 24px rgb(16 24 40 / 8%);
  --font: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Noto Sans", sans-serif;
  --mono: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #0f1218;
    --bg-accent: #161b2e;
    --surface: #171b23;
    --surface-muted: #1d222c;
    --text: #e8ebf1;
    --muted: #a3acba;
    --border: #2a303b;
    --border-strong: #414958;
    --primary: #4c5fe6;
    --primary-hover: #5b6df0;
    --primary-soft: #20274a;
    --focus: #8c9bff;
    --danger: #f4a29b;
    --danger-soft: #2a1715;
    --danger-border: #5c2620;
    --danger-text: #f8c4bf;
    --success-soft: #0f2419;
    --success-border: #1f4d33;
    --success-text: #a6f0c6;
    --shadow: 0 1px 2px rgb(0 0 0 / 40%), 0 8px 24px rgb(0 0 0 / 30%);
  }
}
*, *::before, *::after { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; text-size-adjust: 100%; }
body {
  margin: 0;
  min-height: 100vh;
  display: flex;
  flex-direction: column;
  font-family: var(--font);
  font-size: 16px;
  line-height: 1.5;
  color: var(--text);
  background: linear-gradient(180deg, var(--bg-accent) 0, var(--bg) 320px) no-repeat, var(--bg);
}
h1, h2, h3, p, ul { margin: 0; }
a { color: var(--primary); text-underline-offset: 2px; }
@media (prefers-color-scheme: dark) { a { color: var(--focus); } }
:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
.visually-hidden {
  position: absolute; width: 1px; height: 1px; padding: 0; margin: -1px;
  overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; border: 0;
}

.site-header { padding: 20px 24px; }
.brand {
  display: inline-flex; align-items: center; gap: 10px;
  font-weight: 700; font-size: 1.125rem; letter-spacing: -0.01em; color: var(--text);
}
.logo { width: 28px; height: 28px; flex: none; }
.site-header { display: flex; flex-wrap: wrap; align-items: center; justify-content: space-between; gap: 8px 16px; }
.site-nav { display: flex; flex-wrap: wrap; gap: 4px; }
.site-nav a {
  display: inline-flex; align-items: center; min-height: 44px; padding: 8px 14px; border-radius: 10px;
  color: var(--muted); font-weight: 600; font-size: 0.9375rem; text-decoration: none;
}
.site-nav a:hover { color: var(--text); background: var(--surface); }
.site-nav a[aria-current="page"] { color: var(--primary); background: var(--surface); box-shadow: inset 0 0 0 1px var(--border); }
@media (prefers-color-scheme: dark) { .site-nav a[aria-current="page"] { color: var(--focus); } }
.logo-bg { fill: var(--primary); }
.logo-key { fill: none; stroke: var(--on-primary); stroke-width: 2; stroke-linecap: round; stroke-linejoin: round; }

.main { flex: 1; display: flex; justify-content: center; align-items: flex-start; padding: 24px 16px 40px; }
.card {
  width: 100%; max-width: 440px;
  background: var(--surface);
  border: 1px solid var(--border);
  border-radius: var(--radius);
  box-shadow: var(--shadow);
  padding: 36px 36px 32px;
}
.card-wide { max-width: 680px; }
@media (min-width: 720px) { .main { padding-top: 48px; } }
@media (max-width: 480px) {
  .site-header { padding: 16px; }
  .main { padding: 8px 12px 32px; }
  .card { padding: 28px 20px 24px; border-radius: 12px; }
}

.site-footer { padding: 20px 24px 28px; text-align: center; font-size: 0.8125rem; color: var(--muted); }

h1 { font-size: 1.5rem; line-height: 1.3; font-weight: 700; letter-spacing: -0.015em; overflow-wrap: anywhere; }
h2 { font-size: 1.0625rem; line-height: 1.35; font-weight: 650; overflow-wrap: anywhere; }
.lead { margin-top: 8px; color: var(--muted); overflow-wrap: anywhere; }
.app-name { color: var(--primary); }
@media (prefers-color-scheme: dark) { .app-name { color: var(--focus); } }
.stack > * + * { margin-top: 20px; }

.form { margin-top: 24px; }
.field + .field { margin-top: 16px; }
label { display: block; font-weight: 600; font-size: 0.9375rem; margin-bottom: 6px; }
.hint { margin-top: 6px; font-size: 0.8125rem; color: var(--muted); }
.label-row { display: flex; flex-wrap: wrap; justify-content: space-between; align-items: baseline; gap: 4px 12px; margin-bottom: 6px; }
.label-row label { margin-bottom: 0; }
.label-row a { font-size: 0.875rem; font-weight: 600; }
input[type="email"], input[type="password"], input[type="text"] {
  display: block; width: 100%;
  font: inherit; color: var(--text);
  background: var(--surface);
  border: 1px solid var(--border-strong);
  border-radius: 10px;
  padding: 10px 12px;
  min-height: 44px;
}
input:focus-visible { outline: none; border-color: var(--focus); box-shadow: 0 0 0 3px color-mix(in srgb, var(--focus) 35%, transparent); }
input[aria-invalid="true"] { border-color: var(--danger); }

.button {
  display: inline-flex; align-items: center; justify-content: center;
  min-height: 44px; padding: 10px 18px;
  font: inherit; font-weight: 600; line-height: 1.2;
  border-radius: 10px; border: 1px solid transparent;
  cursor: pointer; text-decoration: none;
}
.button-block { width: 100%; margin-top: 24px; }
.button-primary { background: var(--primary); color: var(--on-primary); }
.button-primary:hover { background: var(--primary-hover); }
.button-secondary { background: var(--surface); color: var(--text); border-color: var(--border-strong); }
.button-secondary:hover { background: var(--surface-muted); }
.button-danger { background: var(--surface); color: var(--danger); border-color: var(--danger-border); }
.button-danger:hover { background: var(--danger-soft); }
.button-small { min-height: 36px; padding: 6px 14px; font-size: 0.875rem; }
.button:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
@media (prefers-reduced-motion: no-preference) { .button, input { transition: background-color .12s, border-color .12s, box-shadow .12s; } }

.alert, .flash {
  display: flex; gap: 10px; align-items: flex-start;
  margin-top: 20px; padding: 12px 14px;
  border-radius: 10px; border: 1px solid; font-size: 0.9375rem; overflow-wrap: anywhere;
}
.alert { background: var(--danger-soft); border-color: var(--danger-border); color: var(--danger-text); }
.flash { background: var(--success-soft); border-color: var(--success-border); color: var(--success-text); }
.alert::before, .flash::before {
  content: ""; flex: none; width: 8px; height: 8px; margin-top: 8px; border-radius: 50%; background: currentColor;
}

.switch { margin-top: 24px; padding-top: 20px; border-top: 1px solid var(--border); text-align: center; font-size: 0.9375rem; color: var(--muted); }

.avatar {
  display: inline-flex; align-items: center; justify-content: center; flex: none;
  width: 56px; height: 56px; border-radius: 14px;
  background: var(--primary-soft); color: var(--primary);
  font-size: 1.5rem; font-weight: 700; text-transform: uppercase;
}
@media (prefers-color-scheme: dark) { .avatar { color: var(--focus); } }
.avatar-small { width: 40px; height: 40px; border-radius: 10px; font-size: 1.125rem; }
.consent-head { text-align: center; }
.consent-head .avatar { margin-bottom: 16px; }
.identity {
  display: inline-block; max-width: 100%;
  margin-top: 14px; padding: 4px 14px; border: 1px solid var(--border); border-radius: 999px;
  font-size: 0.875rem; color: var(--muted);
}
.identity strong { overflow-wrap: anywhere; }
.identity strong { color: var(--text); font-weight: 600; }

.section-title { margin-top: 28px; font-size: 0.9375rem; font-weight: 600; }
.scopes { list-style: none; padding: 0; margin-top: 10px; border: 1px solid var(--border); border-radius: 12px; }
.scopes li { display: flex; gap: 12px; padding: 12px 14px; }
.scopes li + li { border-top: 1px solid var(--border); }
.scopes li::before {
  content: ""; flex: none; width: 14px; height: 8px; margin-top: 6px;
  border-left: 2px solid var(--primary); border-bottom: 2px solid var(--primary); transform: rotate(-45deg);
}
@media (prefers-color-scheme: dark) { .scopes li::before { border-color: var(--focus); } }
.scope-text { min-width: 0; }
.scope-description { display: block; overflow-wrap: anywhere; }
.scope-name {
  display: inline-block; margin-top: 2px; font-family: var(--mono); font-size: 0.75rem; color: var(--muted);
  overflow-wrap: anywhere;
}
.scopes-empty { margin-top: 10px; color: var(--muted); }
.about-app { margin: 20px 0 4px; padding: 12px 16px; border: 1px solid var(--border); border-radius: 10px; background: var(--surface-muted); font-size: 0.875rem; }
.about-description { margin: 0 0 8px; overflow-wrap: anywhere; }
.about-label { color: var(--muted); }
.about-app dl { margin: 0; display: grid; gap: 4px; }
.about-app dl div { display: flex; gap: 12px; align-items: baseline; }
.about-app dt { color: var(--muted); flex: 0 0 5.5em; margin: 0; }
.about-app dd { margin: 0; flex: 1; min-width: 0; overflow-wrap: anywhere; }
.unverified { color: var(--danger-text); font-weight: 600; }
.note { margin-top: 20px; font-size: 0.875rem; color: var(--muted); overflow-wrap: anywhere; }
.note strong { color: var(--text); font-weight: 600; }
.actions { display: flex; gap: 12px; margin-top: 24px; }
.actions .button { flex: 1; }

.status { margin-top: 20px; font-size: 0.8125rem; font-weight: 600; color: var(--muted); letter-spacing: 0.02em; }
.error-mark, .done-mark {
  display: inline-flex; align-items: center; justify-content: center;
  width: 48px; height: 48px; margin-bottom: 16px; border-radius: 50%;
  background: var(--danger-soft); color: var(--danger); font-size: 1.5rem; font-weight: 700;
}
.done-mark { background: var(--success-soft); color: var(--success-text); }
.badge {
  display: inline-block; margin-left: 6px; padding: 0 8px; border: 1px solid; border-radius: 999px;
  font-size: 0.75rem; font-weight: 600; line-height: 1.5rem; vertical-align: 1px; white-space: nowrap;
}
.badge-ok { background: var(--success-soft); border-color: var(--success-border); color: var(--success-text); }
.badge-muted { background: var(--surface-muted); border-color: var(--border-strong); color: var(--muted); }
.notice {
  display: flex; flex-wrap: wrap; gap: 12px 16px; align-items: center; justify-content: space-between;
  margin-top: 20px; padding: 14px 16px; border: 1px solid var(--border); border-radius: 10px;
  background: var(--surface-muted); font-size: 0.9375rem;
}
.notice p { flex: 1 1 240px; overflow-wrap: anywhere; }

.page-head { display: flex; flex-wrap: wrap; gap: 16px; align-items: flex-start; justify-content: space-between; }
.page-head > div { min-width: 0; }
.apps { list-style: none; padding: 0; margin-top: 24px; }
.app {
  display: grid; grid-template-columns: minmax(0, 1fr) auto; column-gap: 16px; align-items: center;
  border: 1px solid var(--border); border-radius: 12px; padding: 18px 20px;
}
.app + .app { margin-top: 14px; }
.app-title { display: flex; gap: 14px; align-items: center; min-width: 0; grid-column: 1; grid-row: 1; }
.app-actions { grid-column: 2; grid-row: 1; }
.app > .scopes, .app > .scopes-empty { grid-column: 1 / -1; grid-row: 2; }
.app-title > div { min-width: 0; }
.app-meta { font-size: 0.875rem; color: var(--muted); }
.app .scopes { margin: 14px 0 0 54px; border: 0; border-radius: 0; }
.app .scopes li { padding: 4px 0; font-size: 0.9375rem; }
.app .scopes li + li { border-top: 0; }
.app .scopes li::before { margin-top: 5px; }
.app .scope-description { display: inline; }
.app .scope-name { margin: 0 0 0 8px; }
.app .scopes-empty { margin-left: 54px; font-size: 0.9375rem; }
.empty { margin-top: 24px; padding: 32px 20px; text-align: center; border: 1px dashed var(--border-strong); border-radius: 12px; color: var(--muted); }
.empty strong { display: block; color: var(--text); margin-bottom: 4px; }
@media (max-width: 480px) {
  .app { grid-template-columns: minmax(0, 1fr); padding: 16px; }
  .app-actions { grid-column: 1; grid-row: 3; margin-top: 16px; }
  .app-actions .button { width: 100%; }
  .app .scopes, .app .scopes-empty { margin-left: 0; }
  .app .scope-name { display: block; margin-left: 0; }
}
`;
