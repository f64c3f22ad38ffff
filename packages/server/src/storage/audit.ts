/**
 * The audit log (`audit_events`): security events and admin actions, each with when, what, who, the app
 * and user it concerns, and details that never hold a secret. Recorded in the transaction of the change
 * where storage makes the change in one (a reuse, a replay, a revocation), else right after it (CLI
 * commands); listed by `latchkey audit list`; deleted by the purge once older than the retention.
 */
import { sql, type Transaction } from 'kysely';
import { unixNow } from './columns.js';
import type { Db } from './database.js';
import type { Database } from './schema.js';

/**
 * Every kind of event. Admin actions are the events whose actor is {@link CLI_ACTOR}; their details
 * name the `command`.
 */
export const AUDIT_EVENT_TYPES = [
  'app.created',
  'app.deleted',
  'app.secret_rotated',
  'app.updated',
  'app.collaborator_added',
  'app.collaborator_removed',
  'key.rotated',
  'key.rewrapped',
  'user.created',
  'user.updated',
  'user.email_verified',
  'user.password_reset',
  'grant.revoked',
  'reuse.detected',
  'consent.withdrawn',
] as const;

/** A kind of audit event. */
export type AuditEventType = (typeof AUDIT_EVENT_TYPES)[number];

/** The actor of a `latchkey` command (an admin action). */
export const CLI_ACTOR = 'cli';
/** The actor of what the server decides by itself (a detected reuse and what it revokes, a start). */
export const SYSTEM_ACTOR = 'system';

/** How long events are kept by default (LATCHKEY_AUDIT_RETENTION): 90 days, in seconds. */
export const DEFAULT_AUDIT_RETENTION = 90 * 86400;

/** A value in an event's details: identifiers, reasons, counts; never a secret, code or token. */
export type AuditDetail = string | number | boolean | null | readonly string[];

/** An event to record. */
export interface AuditEvent {
  type: AuditEventType;
  /** Who: {@link CLI_ACTOR}, {@link SYSTEM_ACTOR}, a user ID or a client ID. */
  actor: string;
  clientId?: string | undefined;
  userId?: string | undefined;
  details?: Readonly<Record<string, AuditDetail>>;
}

/** An event as stored. */
export interface StoredAuditEvent {
  id: number;
  /** Epoch seconds. */
  occurredAt: number;
  type: string;
  actor: string;
  clientId: string | null;
  userId: string | null;
  details: Record<string, unknown>;
}

/** The insert the SQLite refresh rotation prepares, with {@link auditValues} as its parameters. */
export const AUDIT_INSERT_SQL =
  'insert into audit_events (occurred_at, type, actor, client_id, user_id, details) values (?, ?, ?, ?, ?, ?)';

/** An event's column values at `at`, in the order of {@link AUDIT_INSERT_SQL}. */
export function auditValues(
  event: AuditEvent,
  at: number,
): [number, string, string, string | null, string | null, string] {
  const details = JSON.stringify(event.details ?? {});
  return [at, event.type, event.actor, event.clientId ?? null, event.userId ?? null, details];
}

/** Records events at `at` in the caller's transaction (or on their own), in one statement. */
export async function recordAuditIn(
  trx: Transaction<Database> | Db,
  events: readonly AuditEvent[],
  at: number,
): Promise<void> {
  if (events.length === 0) return;
  const rows = events.map((event) => {
    const [occurred_at, type, actor, client_id, user_id, details] = auditValues(event, at);
    return { occurred_at, type, actor, client_id, user_id, details };
  });
  await trx.insertInto('audit_events').values(rows).execute();
}

/** One purge batch over the audit log: how many went, and whether older events may follow. */
export type AuditPurgeBatch = (
  trx: Transaction<Database>,
  limit: number,
) => Promise<{ deleted: number; more: boolean }>;

/**
 * Deletes events that occurred before `cutoff` (epoch seconds), never one at or after it: each batch
 * takes the next `limit` old events in (`occurred_at`, `id`) order through the index of migration 009,
 * resuming after the last one of the batch before, so it reads neither a younger event nor what earlier
 * batches deleted, and a run costs what it deletes, however many younger events are kept.
 */
export function olderAuditEventsByWalk(cutoff: number): AuditPurgeBatch {
  let after: { at: number; id: number } | undefined;
  return async (trx, limit) => {
    const resume = after ? sql`and (occurred_at, id) > (${after.at}, ${after.id})` : sql``;
    const { rows } = await sql<{ occurred_at: number; id: number }>`select occurred_at, id from audit_events
      where occurred_at < ${cutoff} ${resume} order by occurred_at, id limit ${limit}`.execute(trx);
    const last = rows.at(-1);
    if (!last) return { deleted: 0, more: false };
    const result = await sql`delete from audit_events where occurred_at < ${cutoff} ${resume}
      and (occurred_at, id) <= (${last.occurred_at}, ${last.id})`.execute(trx);
    after = { at: Number(last.occurred_at), id: Number(last.id) };
    return { deleted: Number(result.numAffectedRows ?? 0n), more: rows.length === limit };
  };
}

/** Audit log data access: record, list; the purge deletes through {@link olderAuditEventsByWalk}. */
export class AuditRepository {
  constructor(private readonly db: Db) {}

  /** Records one event now, on its own. */
  async record(event: AuditEvent): Promise<void> {
    await recordAuditIn(this.db, [event], unixNow());
  }

  /** Events at or after `since` (epoch seconds; default: all), newest first, at most `limit`. */
  async list(options: { since?: number | undefined; limit: number }): Promise<StoredAuditEvent[]> {
    let query = this.db.selectFrom('audit_events').selectAll();
    if (options.since !== undefined) query = query.where('occurred_at', '>=', options.since);
    const rows = await query
      .orderBy('occurred_at', 'desc')
      .orderBy('id', 'desc')
      .limit(options.limit)
      .execute();
    return rows.map((row) => ({
      id: Number(row.id),
      occurredAt: Number(row.occurred_at),
      type: row.type,
      actor: row.actor,
      clientId: row.client_id,
      userId: row.user_id,
      details: JSON.parse(row.details) as Record<string, unknown>,
    }));
  }
}
