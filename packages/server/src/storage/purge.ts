/**
 * Deletes rows that can no longer matter, in bounded batches, and runs that periodically in a server.
 * What stays: anything a live token, code, session or introspection answer still depends on, and every
 * unexpired rotated refresh token (reuse detection, RFC 9700 §4.14.2). A grant goes once it has no
 * refresh token left and the last access token issued from it expired; an audit event once it is older
 * than the audit retention, never sooner; an app's recent errors and usage after 30 days, and a secret a
 * rotation retired 30 days after it stopped working (kept that long only so Recent errors can name it);
 * an email link once it expired.
 */
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { sql, type Transaction } from 'kysely';
import type { Logger } from 'pino';
import { expiredRecentErrors } from './activity/recent-errors.js';
import { expiredUsage } from './activity/usage.js';
import { DEFAULT_AUDIT_RETENTION, olderAuditEventsByWalk } from './audit.js';
import { RETIRED_SECRET_KEPT } from './clients.js';
import { type Db, nativeHandle } from './database.js';
import type { Database } from './schema.js';
import { SigningKeyRepository } from './signing-keys.js';

/** Tables the purge deletes from, in the order it reports them. */
export const PURGED_TABLES = [
  'authorization_codes',
  'authorization_requests',
  'sessions',
  'revoked_tokens',
  'refresh_tokens',
  'grants',
  'client_secrets',
  'signing_keys',
  'audit_events',
  'throttle_counters',
  'app_errors',
  'app_error_drops',
  'app_usage',
  'email_links',
] as const;

/** A table the purge deletes from. */
export type PurgedTable = (typeof PURGED_TABLES)[number];

/** Rows deleted, per table. */
export type PurgeCounts = Record<PurgedTable, number>;

/** What a purge needs to know. */
export interface PurgeOptions {
  /**
   * The access-token lifetime (s). A grant is kept while an access token issued from it may be
   * unexpired: introspection reports a token of a missing grant inactive.
   */
  accessTokenTtl: number;
  /** How long audit events are kept (s, LATCHKEY_AUDIT_RETENTION). Default 90 days. */
  auditRetention?: number;
  /**
   * Rows per batch (each batch is one short transaction): deleted at most; for SQLite's refresh tokens,
   * rows looked at. Default 500.
   */
  batchSize?: number;
  /** The time to purge as of (epoch seconds). Default: now. */
  now?: number;
  /** Asked between batches; `true` ends the run early (the server is stopping). */
  shouldStop?: () => boolean;
}

/** Added to the access-token lifetime: tokens are signed just after their grant's row is written. */
const ISSUE_SLACK_SECONDS = 60;
const DEFAULT_BATCH = 500;
/** `pg_advisory_xact_lock` key: purges of several servers on one database take turns per batch. */
const PURGE_LOCK_KEY = 0x4c4b5055; // 'LKPU'

type Trx = Transaction<Database>;
/**
 * One batch: deletes up to `limit` rows, returns the count per table it touched. It runs again while it
 * says `more`, or, if it does not say, while it deleted a full batch.
 */
type Batch = (trx: Trx, limit: number) => Promise<Partial<PurgeCounts> & { more?: boolean }>;

/** Tables whose rows carry their own `expires_at`, purged through an index on it (refresh tokens: on PostgreSQL). */
type ExpiringTable =
  | 'authorization_codes'
  | 'authorization_requests'
  | 'sessions'
  | 'revoked_tokens'
  | 'client_secrets'
  | 'refresh_tokens'
  | 'email_links';

/**
 * A batch deleting up to `limit` rows of `table` that expired before `at` (and meet `also`, when
 * given), chosen by `key`.
 */
function expiredRows(table: ExpiringTable, key: string, at: number, also = sql`true`): Batch {
  return async (trx, limit) => {
    const result = await sql`delete from ${sql.table(table)} where ${sql.ref(key)} in
      (select ${sql.ref(key)} from ${sql.table(table)} where expires_at < ${at} and ${also}
        limit ${limit})`.execute(trx);
    return { [table]: Number(result.numAffectedRows ?? 0n) };
  };
}

/**
 * Refresh tokens that expired, and whose access token did too, in a table without an expiry index
 * (SQLite, migration 006): each batch looks at the next `limit` rows in ID order, so a run reads the
 * table once, in short transactions, whatever its size.
 */
function expiredRefreshTokensByWalk(at: number, lastAccessTokenIssuedBefore: number): Batch {
  let after = 0;
  return async (trx, limit) => {
    const { rows } = await sql<{ last: number | null }>`select max(id) as last from
      (select id from refresh_tokens where id > ${after} order by id limit ${limit}) as window_ids`.execute(
      trx,
    );
    const last = rows[0]?.last;
    if (last === null || last === undefined) return { refresh_tokens: 0, more: false };
    const result = await sql`delete from refresh_tokens where id > ${after} and id <= ${last}
      and expires_at < ${at} and created_at < ${lastAccessTokenIssuedBefore}`.execute(trx);
    after = Number(last);
    return { refresh_tokens: Number(result.numAffectedRows ?? 0n), more: true };
  };
}

/**
 * Grants without a refresh token whose last access token has expired: each batch looks at the next
 * `limit` grants in key order and deletes those among them, so a run reads the table once, in short
 * transactions, however many live grants there are (rescanning from the start for every batch made a
 * run quadratic in the live grants it had to skip).
 */
function orphanGrantsByWalk(lastAccessTokenIssuedBefore: number): Batch {
  let after = '';
  return async (trx, limit) => {
    const { rows } = await sql<{ last: string | null }>`select max(id) as last from
      (select id from grants where id > ${after} order by id limit ${limit}) as window_ids`.execute(trx);
    const last = rows[0]?.last;
    if (last === null || last === undefined) return { grants: 0, more: false };
    const result = await sql`delete from grants where id > ${after} and id <= ${last}
      and created_at < ${lastAccessTokenIssuedBefore}
      and not exists (select 1 from refresh_tokens r where r.grant_id = grants.id)`.execute(trx);
    after = last;
    return { grants: Number(result.numAffectedRows ?? 0n), more: true };
  };
}

/** The batches, each repeated until it deletes less than a full batch (or says it has no more). */
function batches(
  at: number,
  accessTokenTtl: number,
  auditRetention: number,
  postgres: boolean,
): [PurgedTable, Batch][] {
  const olderAuditEvents = olderAuditEventsByWalk(at - auditRetention);
  const recentErrors = expiredRecentErrors(at);
  const usage = expiredUsage(at);
  // Access tokens are issued when a refresh token is (redemption or rotation); the newest one of a
  // grant expires at most this long after its refresh token was created.
  const lastAccessTokenIssuedBefore = at - accessTokenTtl - ISSUE_SLACK_SECONDS;
  return [
    // RFC 6749 §4.1.2: a code lives minutes; once expired it can only be refused.
    ['authorization_codes', expiredRows('authorization_codes', 'code_hash', at)],
    ['authorization_requests', expiredRows('authorization_requests', 'id_hash', at)],
    ['sessions', expiredRows('sessions', 'id_hash', at)],
    // RFC 7009 §2.1: kept until the token would have expired; after `exp` it is inactive anyway.
    ['revoked_tokens', expiredRows('revoked_tokens', 'jti', at)],
    [
      // A refresh token once it expired, and the access token issued with it too: an expired token is
      // refused as expired before reuse is considered (grants/refresh-decision.ts decides `expired` first),
      // so keeping a rotated one longer would not detect any reuse; and while its access token may be
      // unexpired, its grant must stay for introspection (the rule below waits for this row to go).
      'refresh_tokens',
      postgres
        ? expiredRows('refresh_tokens', 'id', at, sql`created_at < ${lastAccessTokenIssuedBefore}`)
        : expiredRefreshTokensByWalk(at, lastAccessTokenIssuedBefore),
    ],
    [
      // A grant without refresh tokens: every one it had expired and went (the batch above, which
      // waits for the access token issued with the last of them), or it never had one (an app
      // without the refresh_token grant type, RFC 6749 §5.1), and its one access token was issued
      // when the grant was created, so expired at most `accessTokenTtl` (plus the slack) later.
      // Nothing can add a refresh token to it afterwards (rotation needs one), so the condition
      // cannot become false again. Without this, such a grant stayed on Connected apps forever.
      'grants',
      orphanGrantsByWalk(lastAccessTokenIssuedBefore),
    ],
    // A rotated secret's grace period ends at its expires_at (storage/clients.ts), and it is kept
    // RETIRED_SECRET_KEPT after; a secret without one (null: never expires) is never `< at`.
    ['client_secrets', expiredRows('client_secrets', 'id', at - RETIRED_SECRET_KEPT)],
    [
      // `keys rotate` deletes these too, but only when it runs; a few rows, one batch.
      'signing_keys',
      async (trx) => ({ signing_keys: await new SigningKeyRepository(trx).deleteUnpublished(at) }),
    ],
    [
      // Kept for the whole retention whatever became of what they name; walked oldest first (audit.ts).
      'audit_events',
      async (trx, limit) => {
        const { deleted, more } = await olderAuditEvents(trx, limit);
        return { audit_events: deleted, more };
      },
    ],
    [
      // A throttle's window that ended counts nothing any more (throttle/postgres.ts starts a new one
      // over such a row); `reset_at_ms` is in milliseconds. On PostgreSQL the rows are locked in key
      // order, as the throttle's statements take them, and a row a request holds is left for the next
      // purge: an unordered delete deadlocked with increments (test/throttle-postgres-locks.test.ts).
      'throttle_counters',
      async (trx, limit) => {
        const locking = postgres ? sql`order by key for update skip locked` : sql``;
        const result = await sql`delete from throttle_counters where key in
          (select key from throttle_counters where reset_at_ms < ${at * 1000} ${locking} limit ${limit})`.execute(
          trx,
        );
        return { throttle_counters: Number(result.numAffectedRows ?? 0n) };
      },
    ],
    // What an app's developer sees of its traffic: 30 days (storage/activity/).
    ['app_errors', async (trx, limit) => ({ app_errors: await recentErrors.errors(trx, limit) })],
    ['app_error_drops', async (trx, limit) => ({ app_error_drops: await recentErrors.drops(trx, limit) })],
    ['app_usage', async (trx, limit) => ({ app_usage: await usage(trx, limit) })],
    // A verification (24 h) or reset (30 min) link past its expiry can only be refused, used or not.
    ['email_links', expiredRows('email_links', 'id_hash', at)],
  ];
}

/**
 * Deletes every row that can no longer matter, in batches of `batchSize` rows, each its own short
 * transaction (on PostgreSQL under an advisory lock, so two servers purging one database take turns
 * instead of deadlocking). Safe to run at any time, from any number of processes.
 */
export async function purgeExpired(db: Db, options: PurgeOptions): Promise<PurgeCounts> {
  const at = options.now ?? Math.floor(Date.now() / 1000);
  const limit = options.batchSize ?? DEFAULT_BATCH;
  const postgres = nativeHandle(db)?.dialect === 'postgres';
  const counts = Object.fromEntries(PURGED_TABLES.map((table) => [table, 0])) as PurgeCounts;
  const auditRetention = options.auditRetention ?? DEFAULT_AUDIT_RETENTION;
  for (const [table, batch] of batches(at, options.accessTokenTtl, auditRetention, postgres)) {
    for (;;) {
      if (options.shouldStop?.()) return counts;
      const done = await db.transaction().execute(async (trx) => {
        if (postgres) await sql`select pg_advisory_xact_lock(${PURGE_LOCK_KEY})`.execute(trx);
        return batch(trx, limit);
      });
      const { more, ...deleted } = done;
      for (const [name, count] of Object.entries(deleted) as [PurgedTable, number][]) counts[name] += count;
      if (!(more ?? (deleted[table] ?? 0) >= limit) || table === 'signing_keys') break;
      // Let requests in between batches (better-sqlite3 runs on the event loop).
      await yieldToEventLoop();
    }
  }
  return counts;
}

/** The total of a purge's counts. */
export function totalPurged(counts: PurgeCounts): number {
  return PURGED_TABLES.reduce((sum, table) => sum + counts[table], 0);
}

/** A periodic purge in a running server. */
export interface PurgeSchedule {
  /** Cancels the next run and waits for a running one to end (it stops after its current batch). */
  stop(): Promise<void>;
}

/** Longest delay `setTimeout` takes (about 24.8 days). */
const MAX_TIMER_MS = 2_147_483_647;

/**
 * Runs {@link purgeExpired} every `intervalSeconds` (0: never), each delay jittered between half and
 * one and a half intervals so servers started together do not purge together. The timer is unref'd: it
 * never keeps the process alive. A failed run is logged (counts and error only) and retried next time.
 */
export function schedulePurge(
  db: Db,
  options: { intervalSeconds: number; accessTokenTtl: number; auditRetention: number; logger: Logger },
): PurgeSchedule {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  const run = async () => {
    try {
      const counts = await purgeExpired(db, {
        accessTokenTtl: options.accessTokenTtl,
        auditRetention: options.auditRetention,
        shouldStop: () => stopped,
      });
      if (totalPurged(counts) > 0) options.logger.info({ purged: counts }, 'purged expired rows');
    } catch (error) {
      options.logger.warn({ err: error }, 'purge failed; retrying at the next interval');
    }
  };
  const next = () => {
    if (stopped || options.intervalSeconds <= 0) return;
    const delay = Math.min(MAX_TIMER_MS, options.intervalSeconds * 1000 * (0.5 + Math.random()));
    timer = setTimeout(() => {
      running = run().finally(() => {
        running = undefined;
        next();
      });
    }, delay);
    timer.unref();
  };
  next();
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
