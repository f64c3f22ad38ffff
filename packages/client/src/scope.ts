// Scope parameter handling: parse, validate, join and normalise scope lists.

/** A scope given as a space-delimited string or as a list of scope tokens. */
export type ScopeInput = string | readonly string[];

/**
 * Turns a scope input into a list of distinct scope tokens, keeping order.
 * Throws `TypeError` naming `argument` if it is neither a string nor an array of strings.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-3.3
 */
export function toScopeList(scope: ScopeInput | undefined, argument = 'scope'): string[] {
  if (scope === undefined) return [];
  const parts = typeof scope === 'string' ? scope.split(/\s+/) : Array.isArray(scope) ? scope : null;
  if (parts === null) throw new TypeError(`${argument} must be a string or an array of strings`);
  const list: string[] = [];
  for (const part of parts) {
    if (typeof part !== 'string') throw new TypeError(`${argument} must be a string or an array of strings`);
    for (const token of part.split(/\s+/)) if (token && !list.includes(token)) list.push(token);
  }
  return list;
}

/**
 * Joins scope tokens with single spaces, or returns `undefined` for an empty list.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-3.3
 */
export function joinScope(list: readonly string[]): string | undefined {
  return list.length > 0 ? list.join(' ') : undefined;
}

/**
 * A canonical key for a scope set: sorted, deduplicated, space-joined (order does not matter).
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-3.3
 */
export function scopeSetKey(list: readonly string[]): string {
  return [...new Set(list)].sort().join(' ');
}
