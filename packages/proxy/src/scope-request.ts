// Reads the `scope` query parameter: allow-list check, default scope, normalised cache key.

/** A request's scope, checked and normalised. */
export type ScopeRequest =
  | { ok: true; scope: readonly string[]; key: string }
  | { ok: false; error: 'invalid_scope' | 'invalid_request'; description: string };

const MAX_QUERY = 2048;

/**
 * Parses the query string (without `?`): one `scope` parameter, space-delimited; every token must
 * be in `allowed`; missing or empty means `defaultScope`. The key is the sorted, deduplicated set.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-3.3
 */
export function parseScopeRequest(
  query: string,
  allowed: ReadonlySet<string>,
  defaultScope: readonly string[] | undefined,
): ScopeRequest {
  if (query.length > MAX_QUERY) return { ok: false, error: 'invalid_request', description: 'query too long' };
  const values = new URLSearchParams(query).getAll('scope');
  if (values.length > 1) {
    return { ok: false, error: 'invalid_request', description: 'scope must appear at most once' };
  }
  const tokens = (values[0] ?? '').split(' ').filter(Boolean);
  let list: string[];
  if (tokens.length === 0) {
    if (!defaultScope) return { ok: false, error: 'invalid_request', description: 'scope is required' };
    list = [...defaultScope];
  } else {
    for (const token of tokens) {
      if (!allowed.has(token)) {
        return { ok: false, error: 'invalid_scope', description: 'a requested scope is not allowed here' };
      }
    }
    list = tokens;
  }
  const scope = [...new Set(list)].sort();
  return { ok: true, scope, key: scope.join(' ') };
}
