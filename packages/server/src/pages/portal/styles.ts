/** The developer portal's own CSS, added after the shared stylesheet (pages/styles.ts) on portal pages. */

/**
 * Rules for the portal's lists, forms, credentials and sections: the shared palette and a warning
 * colour in both schemes (WCAG AA contrast), visible focus, and one column at phone widths.
 */
export const PORTAL_STYLES = `
:root { --warning-soft: #fffaeb; --warning-border: #fedf89; --warning-text: #7a2e0e; }
@media (prefers-color-scheme: dark) {
  :root { --warning-soft: #2a2009; --warning-border: #5c4410; --warning-text: #fde68a; }
}
.crumbs ol { list-style: none; padding: 0; margin: 0 0 18px; display: flex; flex-wrap: wrap; gap: 2px 8px; font-size: 0.875rem; color: var(--muted); }
.crumbs li { min-width: 0; overflow-wrap: anywhere; }
.crumbs li + li::before { content: "/"; margin-right: 8px; color: var(--border-strong); }
.crumbs a { color: var(--muted); }
.crumbs a:hover { color: var(--text); }
.page-head > .button, .page-head > form { flex: none; }
.badge {
  display: inline-block; padding: 2px 10px; border-radius: 999px; white-space: nowrap;
  font-size: 0.75rem; font-weight: 600; line-height: 1.5; letter-spacing: 0.01em;
  background: var(--primary-soft); color: var(--primary); vertical-align: middle;
}
@media (prefers-color-scheme: dark) { .badge { color: var(--focus); } }
.badge-muted { background: var(--surface-muted); color: var(--muted); box-shadow: inset 0 0 0 1px var(--border); }
.mono, code { font-family: var(--mono); font-size: 0.875em; overflow-wrap: anywhere; }

.app-list { list-style: none; padding: 0; margin-top: 24px; border: 1px solid var(--border); border-radius: 12px; overflow: hidden; }
.app-list li + li { border-top: 1px solid var(--border); }
.app-entry { display: flex; gap: 14px; align-items: center; padding: 16px 18px; color: inherit; text-decoration: none; }
.app-entry:hover { background: var(--surface-muted); }
.app-entry:focus-visible { outline-offset: -3px; }
.app-entry > div { min-width: 0; flex: 1; }
.app-entry h2 { color: var(--primary); }
@media (prefers-color-scheme: dark) { .app-entry h2 { color: var(--focus); } }
.app-entry .app-meta { overflow-wrap: anywhere; }
.app-entry .badge { flex: none; }

.app-head { display: flex; gap: 16px; align-items: center; min-width: 0; }
.app-head > div { min-width: 0; }
.app-head h1 .badge { margin-left: 8px; position: relative; top: -2px; }
.success-mark {
  display: inline-flex; align-items: center; justify-content: center; flex: none;
  width: 48px; height: 48px; margin-bottom: 16px; border-radius: 50%;
  background: var(--success-soft); color: var(--success-text); font-size: 1.5rem; font-weight: 700;
}

.form > .field + .field, .form > fieldset + .field, .form > .field + fieldset, .form > fieldset + fieldset { margin-top: 22px; }
fieldset { border: 0; padding: 0; margin: 0; min-width: 0; }
legend { padding: 0; font-weight: 600; font-size: 0.9375rem; margin-bottom: 6px; }
legend + .hint { margin: 0 0 10px; }
p.label { font-weight: 600; font-size: 0.9375rem; margin-bottom: 4px; }
.scope-choices label { font-weight: 500; }
.optional { font-weight: 400; color: var(--muted); }
input[type="url"], textarea, select {
  display: block; width: 100%;
  font: inherit; color: var(--text); background: var(--surface);
  border: 1px solid var(--border-strong); border-radius: 10px; padding: 10px 12px; min-height: 44px;
}
textarea { min-height: 96px; resize: vertical; line-height: 1.45; }
textarea.mono { font-size: 0.875rem; }
textarea:focus-visible, select:focus-visible { outline: none; border-color: var(--focus); box-shadow: 0 0 0 3px color-mix(in srgb, var(--focus) 35%, transparent); }
textarea[aria-invalid="true"], select[aria-invalid="true"] { border-color: var(--danger); }
.field-error { margin-bottom: 6px; font-size: 0.875rem; font-weight: 600; color: var(--danger-text); overflow-wrap: anywhere; }
.field-error::before { content: "! "; }
.invalid .choices { border-color: var(--danger); }
.alert ul { margin: 6px 0 0; padding-left: 18px; }
.alert a { color: inherit; }

.choices { border: 1px solid var(--border); border-radius: 12px; overflow: hidden; }
.choice { display: flex; gap: 12px; align-items: flex-start; padding: 12px 14px; }
.choice + .choice { border-top: 1px solid var(--border); }
.choice:has(input:checked) { background: var(--primary-soft); }
.choice input { flex: none; width: 20px; height: 20px; margin: 2px 0 0; accent-color: var(--primary); }
.choice > div { min-width: 0; }
.choice label { margin: 0; cursor: pointer; overflow-wrap: anywhere; }
.choice .hint { margin-top: 2px; }
.choice .badge { margin-left: 6px; }

.form-actions { display: flex; flex-wrap: wrap; gap: 12px; align-items: center; margin-top: 28px; }
.section { margin-top: 32px; padding-top: 24px; border-top: 1px solid var(--border); }
.section > h2 { font-size: 1.125rem; }
.section-lead { margin-top: 4px; font-size: 0.9375rem; color: var(--muted); overflow-wrap: anywhere; }

.credentials { margin: 20px 0 0; }
.credentials > div + div { margin-top: 16px; }
.credentials dt { font-weight: 600; font-size: 0.9375rem; margin-bottom: 6px; }
.credentials dd { margin: 0; }
.copy-row { display: flex; gap: 8px; align-items: flex-start; }
.copy-value {
  flex: 1; min-width: 0; margin: 0; display: block;
  font-family: var(--mono); font-size: 0.875rem; line-height: 1.5;
  padding: 10px 12px; border: 1px solid var(--border); border-radius: 10px; background: var(--surface-muted);
  white-space: pre-wrap; overflow-wrap: anywhere; word-break: break-all;
}
.secret-value { user-select: all; border-color: var(--warning-border); }
pre.copy-value { font-size: 0.8125rem; line-height: 1.6; }
.copy-button { flex: none; min-height: 44px; min-width: 84px; }
.warning {
  display: flex; gap: 10px; align-items: flex-start; margin-top: 16px; padding: 12px 14px;
  border: 1px solid var(--warning-border); border-radius: 10px; background: var(--warning-soft);
  color: var(--warning-text); font-size: 0.9375rem; overflow-wrap: anywhere;
}
.warning::before { content: "!"; flex: none; width: 20px; height: 20px; border-radius: 50%; background: var(--warning-text); color: var(--warning-soft); font-weight: 700; font-size: 0.8125rem; line-height: 20px; text-align: center; margin-top: 1px; }
.warning strong { font-weight: 700; }

.facts { display: grid; grid-template-columns: minmax(120px, 180px) minmax(0, 1fr); gap: 10px 16px; margin: 16px 0 0; }
.facts dt { color: var(--muted); font-size: 0.9375rem; }
.facts dd { margin: 0; overflow-wrap: anywhere; }
.facts ul { list-style: none; padding: 0; }

.rows { list-style: none; padding: 0; margin-top: 14px; border: 1px solid var(--border); border-radius: 12px; }
.rows > li { display: flex; flex-wrap: wrap; align-items: center; justify-content: space-between; gap: 6px 16px; padding: 12px 14px; font-size: 0.9375rem; }
.rows > li + li { border-top: 1px solid var(--border); }
.rows > li > div { min-width: 0; }
.row-title { font-weight: 600; overflow-wrap: anywhere; }
.row-meta { font-size: 0.875rem; color: var(--muted); }
.control-row { display: flex; flex-wrap: wrap; gap: 12px; }
.control-row > input, .control-row > select { flex: 1 1 220px; width: auto; min-width: 0; }
.control-row > .button { flex: none; }

.danger-zone {
  display: flex; flex-wrap: wrap; gap: 12px 20px; align-items: center; justify-content: space-between;
  margin-top: 32px; padding: 18px 20px; border: 1px solid var(--danger-border); border-radius: 12px;
}
.danger-zone > div { min-width: 0; flex: 1 1 260px; }
.danger-zone h2 { color: var(--danger-text); font-size: 1.0625rem; }
.danger-zone p { margin-top: 4px; font-size: 0.9375rem; color: var(--muted); }
.button-danger-solid { background: var(--danger); color: #ffffff; }
.button-danger-solid:hover { background: var(--danger-text); }
@media (prefers-color-scheme: dark) { .button-danger-solid { color: #1a0c0a; } .button-danger-solid:hover { background: var(--danger-text); } }

@media (max-width: 480px) {
  .page-head > .button { width: 100%; }
  .app-entry { padding: 14px; gap: 12px; align-items: flex-start; flex-wrap: wrap; }
  .app-entry > div { flex-basis: calc(100% - 54px); }
  .app-entry .badge { margin-left: 52px; }
  .app-head { align-items: flex-start; }
  .copy-value { font-size: 0.8125rem; padding: 10px; }
  .copy-button { min-width: 72px; padding: 6px 10px; }
  .copy-row:has(pre) { flex-direction: column; align-items: flex-end; }
  .copy-row:has(pre) .copy-value { width: 100%; }
  .form-actions .button, .control-row > .button, .danger-zone .button { width: 100%; }
  .app-head .avatar { width: 44px; height: 44px; border-radius: 12px; font-size: 1.25rem; }
  .facts { grid-template-columns: minmax(0, 1fr); gap: 2px; }
  .facts dd + dt { margin-top: 10px; }
}
`;
