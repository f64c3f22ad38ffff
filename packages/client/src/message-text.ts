// Text for error messages: a URL without its secrets, and a bounded quotation of a value we received.

const MAX_QUOTED = 100;

/**
 * A URL as it may appear in an error message: without userinfo, query or fragment (they can carry
 * credentials or tokens). Text that is not a URL loses the same parts by position.
 * @see https://www.rfc-editor.org/rfc/rfc3986#section-3
 */
export function displayUrl(url: string): string {
  if (URL.canParse(url)) {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    parsed.search = '';
    parsed.hash = '';
    return parsed.href;
  }
  return url.replace(/[?#][\s\S]*$/, '').replace(/^([^:/?#]+:\/\/)[^/]*@/, '$1');
}

/**
 * A received value quoted for an error message: a JSON string literal (control characters
 * escaped), cut at 100 characters. A value that is not a string is quoted as its JSON text.
 */
export function quoteValue(value: unknown): string {
  const text = typeof value === 'string' ? value : String(JSON.stringify(value));
  return JSON.stringify(text.length > MAX_QUOTED ? `${text.slice(0, MAX_QUOTED)}…` : text);
}
