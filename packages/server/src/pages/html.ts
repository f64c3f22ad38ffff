/** The `html` tagged template: every interpolated value is HTML-escaped unless marked as SafeHtml. */

/** Marks a string as already-escaped HTML, so `html` inserts it verbatim. Only `html` should build these. */
export class SafeHtml {
  constructor(readonly value: string) {}

  /** The HTML text, so a SafeHtml can be used where a string is expected. */
  toString(): string {
    return this.value;
  }
}

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '`': '&#96;',
};

/**
 * Escapes `& < > " ' \`` so the text is safe in element content and in quoted attribute values.
 * @see https://html.spec.whatwg.org/multipage/syntax.html#escapingString
 */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"'`]/g, (char) => ESCAPES[char]!);
}

/** Renders one interpolated value: SafeHtml verbatim, arrays element by element, null/undefined/false as ''. */
function render(value: unknown): string {
  if (value instanceof SafeHtml) return value.value;
  if (value === null || value === undefined || value === false) return '';
  if (Array.isArray(value)) return value.map(render).join('');
  return escapeHtml(String(value));
}

/**
 * Tagged template that escapes every interpolated value (`& < > " ' \``); arrays are joined without
 * separator, SafeHtml passes through, `null`, `undefined` and `false` render as ''.
 * Always quote attribute values in the template (`href="${url}"`), never leave them bare.
 */
export function html(strings: TemplateStringsArray, ...values: unknown[]): SafeHtml {
  let out = strings[0] ?? '';
  for (let i = 0; i < values.length; i++) out += render(values[i]) + (strings[i + 1] ?? '');
  return new SafeHtml(out);
}

/**
 * Refuses a link or form target that is not a path or an http(s) URL (e.g. `javascript:`, `//evil`),
 * since escaping alone does not make a URL safe. Throws TypeError naming the argument.
 */
export function safeUrl(value: string, name: string): string {
  // Browsers drop tabs and newlines inside URLs ("java\nscript:"), so refuse every control character.
  const ok =
    ![...value].some((c) => c <= ' ' || c === '\x7f' || c === '\\') &&
    !value.startsWith('//') &&
    (/^https?:\/\//i.test(value) || (value !== '' && !/^[a-z][a-z0-9+.-]*:/i.test(value)));
  if (!ok)
    throw new TypeError(`${name} must be a path or an http(s) URL without spaces or control characters`);
  return value;
}
