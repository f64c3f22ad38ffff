/**
 * Recent errors (`app_errors`, `app_error_drops`): an app's newest failed token and authorization
 * requests, at most {@link RECENT_ERRORS_KEPT} per app, and per day how many more failed than were
 * recorded. Written in batches by activity/error-recorder.ts, read by the portal and the management API.
 */
import { sql } from 'kysely';
import type { Db } from '../database.js';
import {
  ACTIVITY_RETENTION_DAYS,
  type ActivityPurgeBatch,
  APP_EXISTS,
  DAY_MS,
  dayOf,
  type ValueColumn,
  writeRows,
} from './shared.js';

/** Rows kept per app: a write trims the older ones in its transaction. */
export const RECENT_ERRORS_KEPT = 50;

/** `n`: the row's place in the batch, so IDs follow the order the failures happened in. */
const ERROR_COLUMNS: readonly ValueColumn[] = [
  ['n', 'integer'],
  ['client_id', 'varchar(255)'],
  ['occurred_at', 'bigint'],
  ['endpoint', 'varchar(16)'],
  ['grant_type', 'varchar(64)'],
  ['error', 'varchar(64)'],
  ['reason', 'text'],
];
const DROP_COLUMNS: readonly ValueColumn[] = [
  ['client_id', 'varchar(255)'],
  ['day', 'integer'],
  ['dropped', 'bigint'],
];

/** The endpoints whose failures are recorded. */
export type FailedEndpoint = 'token' | 'authorize';

/** A failure to record. */
export interface RecentError {
  clientId: string;
  /** Epoch seconds. */
  occurredAt: number;
  endpoint: FailedEndpoint;
  /** The token request's grant_type, when the server supports it. */
  grantType: string | undefined;
  /** The error code the request was answered with. */
  error: string;
  /** Why, for the app's developer; never a secret, code or token. */
  reason: string;
}

/** Failures of an app on a day that were counted but not recorded. */
export interface DroppedErrors {
  clientId: string;
  day: number;
  dropped: number;
}

/** Recent-error data access. */
export class RecentErrorRepository {
  constructor(private readonly db: Db) {}

  /**
   * Writes failures (in the order given, so IDs follow it) and drop counts (added to what other
   * servers counted) in one transaction, then trims each app written to its newest
   * {@link RECENT_ERRORS_KEPT} rows. Rows of an app that no longer exists are skipped.
   */
  async write(errors: readonly RecentError[], drops: readonly DroppedErrors[] = []): Promise<void> {
    if (errors.length === 0 && drops.length === 0) return;
    const rows = errors.map((row, i) => [
      i,
      row.clientId,
      row.occurredAt,
      row.endpoint,
      row.grantType ?? null,
      row.error,
      row.reason,
    ]);
    const counted = drops.filter((row) => row.dropped > 0).map((row) => [row.clientId, row.day, row.dropped]);
    await this.db.transaction().execute(async (trx) => {
      await writeRows(
        trx,
        ERROR_COLUMNS,
        rows,
        (values) => sql`${values}
        insert into app_errors (client_id, occurred_at, endpoint, grant_type, error, reason)
        select client_id, occurred_at, endpoint, grant_type, error, reason from v where ${APP_EXISTS}
        order by n`,
      );
      for (const clientId of new Set(errors.map((row) => row.clientId))) {
        // The 51st newest row and everything older: none while the app has fewer rows (`id < null`).
        await sql`delete from app_errors where client_id = ${clientId} and id < (select id from app_errors
          where client_id = ${clientId} order by id desc limit 1 offset ${RECENT_ERRORS_KEPT - 1})`.execute(
          trx,
        );
      }
      await writeRows(
        trx,
        DROP_COLUMNS,
        counted,
        (values) => sql`${values}
        insert into app_error_drops (client_id, day, dropped)
        select client_id, day, dropped from v where ${APP_EXISTS}
        on conflict (client_id, day) do update set dropped = app_error_drops.dropped + excluded.dropped`,
      );
    });
  }

  /** The app's recorded failures, newest first. */
  async list(clientId: string): Promise<(RecentError & { id: number })[]> {
    const rows = await this.db
      .selectFrom('app_errors')
      .selectAll()
      .where('client_id', '=', clientId)
      .orderBy('id', 'desc')
      .limit(RECENT_ERRORS_KEPT)
      .execute();
    return rows.map((row) => ({
      id: Number(row.id),
      clientId: row.client_id,
      occurredAt: Number(row.occurred_at),
      endpoint: row.endpoint as FailedEndpoint,
      grantType: row.grant_type ?? undefined,
      error: row.error,
      reason: row.reason,
    }));
  }

  /** Failures of the app in the retention period that were counted but not recorded. */
  async dropped(clientId: string, now = Date.now()): Promise<number> {
    const row = await this.db
      .selectFrom('app_error_drops')
      .select((eb) => eb.fn.sum<number | string | null>('dropped').as('n'))
      .where('client_id', '=', clientId)
      .where('day', '>', dayOf(now) - ACTIVITY_RETENTION_DAYS)
      .executeTakeFirst();
    return Number(row?.n ?? 0);
  }
}

/**
 * Purge batches at `at` (epoch seconds): failures older than {@link ACTIVITY_RETENTION_DAYS} days, and
 * the drop counts of days that {@link RecentErrorRepository.dropped} no longer sums.
 */
export function expiredRecentErrors(at: number): { errors: ActivityPurgeBatch; drops: ActivityPurgeBatch } {
  const cutoffDay = dayOf(at * 1000) - ACTIVITY_RETENTION_DAYS;
  return {
    errors: async (trx, limit) => {
      const result = await sql`delete from app_errors where id in (select id from app_errors
        where occurred_at < ${at - ACTIVITY_RETENTION_DAYS * (DAY_MS / 1000)} limit ${limit})`.execute(trx);
      return Number(result.numAffectedRows ?? 0n);
    },
    drops: async (trx, limit) => {
      const result = await sql`delete from app_error_drops where (client_id, day) in (select client_id, day
        from app_error_drops where day <= ${cutoffDay} limit ${limit})`.execute(trx);
      return Number(result.numAffectedRows ?? 0n);
    },
  };
}
