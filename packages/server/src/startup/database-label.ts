/** How a start-up message names the database: the SQLite path, or the PostgreSQL URL without its password. */
import { dialectOf } from '../storage/database.js';

/** `postgres://user@host:5432/db` (password and query dropped: either may hold a secret) or the SQLite file. */
export function databaseLabel(url: string): string {
  if (dialectOf(url) === 'sqlite') return url;
  try {
    const parsed = new URL(url);
    // An unescaped `/`, `?` or `#` in the password makes the parser read part of it as port or path:
    // then the URL is not named at all, so no part of a password is ever printed.
    const authority = url.slice(url.indexOf('//') + 2).split(/[/?#]/)[0] ?? '';
    if (!authority.includes('@') && url.includes('@')) throw new Error('ambiguous URL');
    parsed.password = '';
    parsed.search = '';
    return parsed.toString();
  } catch {
    return 'the PostgreSQL database (LATCHKEY_DATABASE_URL)';
  }
}
