/**
 * Usage (`app_usage`): tokens issued to each app per UTC day and grant type. Servers count in memory
 * (activity/usage-counter.ts) and add their counts here every few seconds, so several servers on one
 * database add up and no token costs a write of its own.
 */
import { sql } from 'kysely';
import type { Db } from '../database.js';
import {
  ACTIVITY_RETENTION_DAYS,
  type ActivityPurgeBatch,
  APP_EXISTS,
  dayOf,
  type ValueColumn,
  writeRows,
} from './shared.js';

const USAGE_COLUMNS: readonly ValueColumn[] = [
  ['client_id', 'varchar(255)'],
  ['day', 'integer'],
  ['grant_type', 'varchar(64)'],
  ['issued', 'bigint'],
];

/** Tokens issued to an app on a day by one grant type. */
export interface UsageCount {
  clientId: string;
  day: number;
  grantType: string;
  issued: number;
}

/** Usage data access. */
export class UsageRepository {
  constructor(private readonly db: Db) {}

  /**
   * Adds counts to what is stored (an upsert that adds, so every server's counts add up); counts of an
   * app deleted since are dropped with it. A batch is one statement (of up to 500 counts).
   */
  async add(counts: readonly UsageCount[]): Promise<void> {
    const rows = counts
      .filter((count) => count.issued > 0)
      .map((count) => [count.clientId, count.day, count.grantType, count.issued]);
    await writeRows(
      this.db,
      USAGE_COLUMNS,
      rows,
      (values) => sql`${values}
      insert into app_usage (client_id, day, grant_type, issued)
      select client_id, day, grant_type, issued from v where ${APP_EXISTS}
      on conflict (client_id, day, grant_type) do update set issued = app_usage.issued + excluded.issued`,
    );
  }

  /** The app's counts from `fromDay` to `toDay` (inclusive), by day and grant type. */
  async daily(clientId: string, fromDay: number, toDay: number): Promise<UsageCount[]> {
    const rows = await this.db
      .selectFrom('app_usage')
      .select(['day', 'grant_type', 'issued'])
      .where('client_id', '=', clientId)
      .where('day', '>=', fromDay)
      .where('day', '<=', toDay)
      .execute();
    return rows.map((row) => ({
      clientId,
      day: Number(row.day),
      grantType: row.grant_type,
      issued: Number(row.issued),
    }));
  }
}

/** A purge batch at `at` (epoch seconds): days older than {@link ACTIVITY_RETENTION_DAYS}. */
export function expiredUsage(at: number): ActivityPurgeBatch {
  const cutoffDay = dayOf(at * 1000) - ACTIVITY_RETENTION_DAYS;
  return async (trx, limit) => {
    const result = await sql`delete from app_usage where (client_id, day, grant_type) in
      (select client_id, day, grant_type from app_usage where day <= ${cutoffDay} limit ${limit})`.execute(
      trx,
    );
    return Number(result.numAffectedRows ?? 0n);
  };
}
