/**
 * What the activity tables share: days as they key them (`day`: days since 1970-01-01, UTC), how long
 * rows stay, the purge's batch shape, and skipping the rows of a deleted app.
 */
import { type RawBuilder, sql, type Transaction } from 'kysely';
import type { Db } from '../database.js';
import type { Database } from '../schema.js';

/** Milliseconds in a day. */
export const DAY_MS = 86_400_000;

/** How long recent errors, their drop counts and daily usage are kept before the purge deletes them. */
export const ACTIVITY_RETENTION_DAYS = 30;

/** The UTC day of an instant (epoch milliseconds, default now). */
export function dayOf(ms: number = Date.now()): number {
  return Math.floor(ms / DAY_MS);
}

/** A day as `YYYY-MM-DD` (RFC 3339 full-date). */
export function isoDay(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** A column of {@link valuesTable}: its name and the SQL type its values are cast to. */
export type ValueColumn = readonly [name: string, type: string];

/** Rows per statement of {@link writeRows}: well under both dialects' limits on parameters. */
const ROWS_PER_STATEMENT = 500;

/**
 * Writes `rows` with `write`, one statement per {@link ROWS_PER_STATEMENT}, each given a table `v` of
 * those rows (`with v (columns) as (values ...)`, each value cast to its column's type so both dialects
 * read it alike). Statements that only write, never a read before them: on SQLite a transaction that
 * read first could not then write beside another server (it would fail at once, without waiting).
 */
export async function writeRows(
  db: Db | Transaction<Database>,
  columns: readonly ValueColumn[],
  rows: readonly (readonly unknown[])[],
  write: (values: RawBuilder<unknown>) => RawBuilder<unknown>,
): Promise<void> {
  const names = sql.join(columns.map(([name]) => sql.id(name)));
  for (let start = 0; start < rows.length; start += ROWS_PER_STATEMENT) {
    const chunk = rows.slice(start, start + ROWS_PER_STATEMENT);
    const values = sql.join(
      chunk.map(
        (row) =>
          sql`(${sql.join(row.map((value, i) => sql`cast(${value} as ${sql.raw((columns[i] as ValueColumn)[1])})`))})`,
      ),
    );
    await write(sql`with v (${names}) as (values ${values})`).execute(db);
  }
}

/** `where` condition of a {@link writeRows} statement: the row's app (`v.client_id`) still exists. */
export const APP_EXISTS = sql`exists (select 1 from clients c where c.id = v.client_id)`;

/** A purge batch over an activity table: rows deleted. */
export type ActivityPurgeBatch = (trx: Transaction<Database>, limit: number) => Promise<number>;
