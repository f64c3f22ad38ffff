/** How values are stored in columns: times as epoch seconds, scope lists as space-separated text. */

/** The current time as stored in every `*_at` column: whole seconds since the epoch. */
export function unixNow(): number {
  return Math.floor(Date.now() / 1000);
}

/** A stored scope list (space-separated, RFC 6749 §3.3) as an array. */
export function splitScopes(scopes: string): string[] {
  return scopes.split(' ').filter(Boolean);
}
