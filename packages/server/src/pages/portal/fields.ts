/**
 * Form fields of the portal: a label, the error beside the field (announced with it through
 * `aria-describedby`, marked `aria-invalid`), the control keeping what was typed, and a hint.
 */
import { html, type SafeHtml } from '../html.js';

/** The fields a portal form may name in an error (the management API's member names), or `form`. */
export type FormField =
  | 'name'
  | 'description'
  | 'homepage_url'
  | 'redirect_uris'
  | 'post_logout_redirect_uris'
  | 'backchannel_logout_uri'
  | 'type'
  | 'scope'
  | 'email'
  | 'grace_seconds'
  | 'confirm_name'
  | 'form';

/** What went wrong, by field; `form` for what no one field caused. */
export type FieldErrors = Partial<Record<FormField, string>>;

/** The id of the error message of the control `id`. */
export const errorIdOf = (id: string) => `${id}-error`;

/** The error shown above a control, or nothing. */
export function fieldError(id: string, error: string | undefined): SafeHtml {
  return error
    ? html`<p class="field-error" id="${errorIdOf(id)}"><span class="visually-hidden">Error:</span> ${error}</p>`
    : html``;
}

/** ` aria-describedby="…" aria-invalid="true"` for a control with an error and/or a hint. */
export function describedBy(id: string, error: string | undefined, hint: boolean): SafeHtml {
  const ids = [error ? errorIdOf(id) : '', hint ? `${id}-hint` : ''].filter(Boolean).join(' ');
  return html`${ids ? html` aria-describedby="${ids}"` : ''}${error ? html` aria-invalid="true"` : ''}`;
}

/** A hint below a control, or nothing. */
export function hintOf(id: string, hint: string | SafeHtml | undefined): SafeHtml {
  return hint === undefined ? html`` : html`<p class="hint" id="${id}-hint">${hint}</p>`;
}

/** What a text control is. */
export interface TextFieldOptions {
  id: string;
  /** The form field's name (also the key of its error). */
  name: Exclude<FormField, 'form'>;
  label: string;
  value: string;
  error?: string;
  hint?: string | SafeHtml;
  /** Shown after the label in normal weight, e.g. "(optional)". */
  optional?: boolean;
  type?: 'text' | 'url' | 'email';
  required?: boolean;
  maxlength?: number;
  autofocus?: boolean;
  /** Extra attributes, built with `html` (e.g. ` autocomplete="off"`). */
  attributes?: SafeHtml;
  /** A button beside the control, in the same row (an inline form's submit). */
  beside?: SafeHtml;
}

/** The label, with "(optional)" when the field may be left empty. */
function label(o: TextFieldOptions): SafeHtml {
  return html`<label for="${o.id}">${o.label}${o.optional ? html` <span class="optional">(optional)</span>` : ''}</label>`;
}

/** The attributes every control shares. */
function common(o: TextFieldOptions): SafeHtml {
  return html`id="${o.id}" name="${o.name}"${o.required ? html` required` : ''}${
    o.maxlength === undefined ? '' : html` maxlength="${o.maxlength}"`
  }${o.autofocus ? html` autofocus` : ''}${describedBy(o.id, o.error, o.hint !== undefined)}${o.attributes ?? ''}`;
}

/** A control, with a button beside it in one row when there is one. */
export function beside(control: SafeHtml, button: SafeHtml | undefined): SafeHtml {
  return button === undefined ? control : html`<div class="control-row">${control}${button}</div>`;
}

/** A one-line text field. */
export function textField(o: TextFieldOptions): SafeHtml {
  return html`<div class="field">
${label(o)}
${fieldError(o.id, o.error)}${beside(html`<input type="${o.type ?? 'text'}" ${common(o)} value="${o.value}">`, o.beside)}
${hintOf(o.id, o.hint)}</div>`;
}

/** A multi-line text field (`mono` for URIs). */
export function textArea(o: TextFieldOptions & { rows?: number; mono?: boolean }): SafeHtml {
  // A newline right after <textarea> is dropped by the parser: one is added so a value starting
  // with a newline survives.
  return html`<div class="field">
${label(o)}
${fieldError(o.id, o.error)}<textarea ${common(o)} rows="${o.rows ?? 3}"${o.mono ? html` class="mono" spellcheck="false" autocapitalize="none"` : ''}>
${o.value}</textarea>
${hintOf(o.id, o.hint)}</div>`;
}

/**
 * The summary above a form with errors: each error, linked to its field, in the order the fields
 * appear on the form (`order`; fields not in it last); or nothing.
 */
export function errorSummary(
  errors: FieldErrors,
  idOf: (field: FormField) => string,
  order: readonly FormField[] = [],
): SafeHtml {
  const rank = (field: FormField) => (order.includes(field) ? order.indexOf(field) : order.length);
  const entries = Object.entries(errors)
    .filter((entry): entry is [FormField, string] => Boolean(entry[1]))
    .sort(([a], [b]) => rank(a) - rank(b));
  if (entries.length === 0) return html``;
  const linked = entries.filter(([field]) => field !== 'form');
  const general = errors.form;
  return html`<div class="alert" role="alert" id="form-error"><div>${general ? html`<p>${general}</p>` : ''}${
    linked.length > 0
      ? html`<p><strong>Check ${linked.length === 1 ? 'this field' : 'these fields'}:</strong></p><ul>${linked.map(
          ([field, message]) => html`<li><a href="#${idOf(field)}">${message}</a></li>`,
        )}</ul>`
      : ''
  }</div></div>`;
}

/** A message as a sentence: a capital first letter and a full stop. */
export function sentence(message: string): string {
  const text = message.trim();
  const capital = text.charAt(0).toUpperCase() + text.slice(1);
  return /[.!?]$/.test(capital) ? capital : `${capital}.`;
}
