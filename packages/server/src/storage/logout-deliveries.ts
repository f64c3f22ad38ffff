/**
 * Back-Channel Logout 1.0 in the database: which apps a sign-in session signed in to (the grants made
 * in it, by `sid`), ending the session together with queueing its logout tokens, and the queue
 * (`logout_deliveries`) that a worker on any server takes rows from, one server per row at a time.
 */
import { sql, type Transaction } from 'kysely';
import { hasIssuedShape, sha256Hex } from '../tokens/random.js';
import type { Client } from './client-records.js';
import { toClient } from './client-rows.js';
import { unixNow } from './columns.js';
import { type Db, nativeHandle } from './database.js';
import type { Database } from './schema.js';

/** An app to send a logout token to for a session that ends. */
export interface AppToNotify {
  clientId: string;
  /**
   * Whether the app's grants name this session's `sid` (the token carries it); `false` for grants
   * from before sessions had one, where only `sub` can be named (Back-Channel Logout 1.0 §2.4).
   */
  withSid: boolean;
}

/** A sign-in session about to end, as the logout needs it. */
export interface SessionToEnd {
  idHash: string;
  userId: string;
  /** The `sid` column; `null` for a session started before migration 014. */
  storedSid: string | null;
}

/** A logout token waiting to be delivered. */
export interface LogoutDelivery {
  id: number;
  clientId: string;
  logoutToken: string;
  /** Attempts so far, this one included once claimed. */
  attempts: number;
}

/** A signed logout token for one app, to queue. */
export interface QueuedLogoutToken {
  clientId: string;
  logoutToken: string;
}

/**
 * Queues logout tokens in `trx`, due at once: written in the transaction of what ended the sessions
 * (a sign-out, a password reset), so a crash leaves both or neither.
 */
export async function queueLogoutTokensIn(
  trx: Transaction<Database>,
  deliveries: readonly QueuedLogoutToken[],
  at: number,
): Promise<void> {
  if (deliveries.length === 0) return;
  await trx
    .insertInto('logout_deliveries')
    .values(
      deliveries.map((d) => ({
        client_id: d.clientId,
        logout_token: d.logoutToken,
        next_attempt_at: at,
        created_at: at,
      })),
    )
    .execute();
}

/**
 * The apps with a `backchannel_logout_uri` among `revokedApps` (the apps whose grants a password reset
 * just revoked) and the apps of grants made in one of the user's live sessions (the app's own session
 * may outlive a grant revoked before), read in the reset's transaction before the sessions go.
 */
export async function appsOfUserIn(
  trx: Transaction<Database>,
  userId: string,
  revokedApps: readonly string[],
  at: number,
): Promise<Client[]> {
  const rows = await trx
    .selectFrom('clients')
    .selectAll()
    .where('backchannel_logout_uri', 'is not', null)
    .where((w) =>
      w.or([
        ...(revokedApps.length > 0 ? [w('id', 'in', [...new Set(revokedApps)])] : []),
        w('id', 'in', (eb) =>
          eb
            .selectFrom('grants')
            .select('grants.client_id')
            .where('grants.user_id', '=', userId)
            .where('grants.sid', 'in', (sessions) =>
              sessions
                .selectFrom('sessions')
                .select('sessions.sid')
                .where('sessions.user_id', '=', userId)
                .where('sessions.sid', 'is not', null)
                .where('sessions.expires_at', '>', at),
            ),
        ),
      ]),
    )
    .orderBy('id')
    .execute();
  return rows.map(toClient);
}

/** The logout-delivery queue and the session queries of a logout. */
export class LogoutDeliveryRepository {
  constructor(private readonly db: Db) {}

  /** The live session of a cookie value, or `undefined` (a value we cannot have issued is not looked up). */
  async sessionToEnd(token: string): Promise<SessionToEnd | undefined> {
    if (!hasIssuedShape('token', token)) return undefined;
    const row = await this.db
      .selectFrom('sessions')
      .select(['id_hash', 'user_id', 'sid'])
      .where('id_hash', '=', sha256Hex(token))
      .where('expires_at', '>', unixNow())
      .executeTakeFirst();
    return row && { idHash: row.id_hash, userId: row.user_id, storedSid: row.sid };
  }

  /**
   * The apps with a `backchannel_logout_uri` that the session `sid` signed the user in to: every app
   * with a grant made in it (revoked or not: the app's own session may outlive the grant). For a
   * session from before migration 014 (`legacy`), also the apps the user has a live grant with that
   * names no session, since which session made it cannot be known (each gets a token naming `sub`
   * only, which logs the user out of every session at that app, Back-Channel Logout 1.0 §2.7).
   */
  async appsToNotify(userId: string, sid: string, legacy: boolean): Promise<AppToNotify[]> {
    const appsOfGrants = () =>
      this.db
        .selectFrom('grants')
        .innerJoin('clients', 'clients.id', 'grants.client_id')
        .select('grants.client_id')
        .distinct()
        .where('grants.user_id', '=', userId)
        .where('clients.backchannel_logout_uri', 'is not', null);
    const inSession = await appsOfGrants().where('grants.sid', '=', sid).execute();
    const apps = new Map<string, AppToNotify>(
      inSession.map((row) => [row.client_id, { clientId: row.client_id, withSid: true }]),
    );
    if (legacy) {
      const unnamed = await appsOfGrants()
        .where('grants.sid', 'is', null)
        .where('grants.revoked_at', 'is', null)
        .execute();
      for (const row of unnamed) apps.set(row.client_id, { clientId: row.client_id, withSid: false });
    }
    return [...apps.values()].sort((a, b) => a.clientId.localeCompare(b.clientId));
  }

  /**
   * Ends the session and queues its logout tokens in one transaction, so a crash leaves either both or
   * neither. Only the request that deletes the session queues: two sign-outs of one session at once
   * send each app one token. Returns whether this call ended it.
   */
  async endSession(idHash: string, deliveries: readonly QueuedLogoutToken[]): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const deleted = await trx.deleteFrom('sessions').where('id_hash', '=', idHash).executeTakeFirst();
      if (Number(deleted.numDeletedRows) === 0) return false;
      await queueLogoutTokensIn(trx, deliveries, unixNow());
      return true;
    });
  }

  /**
   * Takes up to `limit` due rows for one attempt each: counts the attempt and moves `next_attempt_at`
   * past the attempt's end (`leaseSeconds`), in the statement that selects them, so another server
   * sees them only if this one dies before it reports (PostgreSQL: `FOR UPDATE SKIP LOCKED`, so two
   * servers claiming at once take different rows; SQLite runs one write at a time).
   */
  async claim(limit: number, leaseSeconds: number): Promise<LogoutDelivery[]> {
    const now = unixNow();
    const postgres = nativeHandle(this.db)?.dialect === 'postgres';
    const due = this.db
      .selectFrom('logout_deliveries')
      .select('id')
      .where('next_attempt_at', '<=', now)
      .orderBy('next_attempt_at')
      .orderBy('id')
      .limit(limit)
      .$if(postgres, (q) => q.forUpdate().skipLocked());
    const rows = await this.db
      .updateTable('logout_deliveries')
      .set((eb) => ({ attempts: eb('attempts', '+', 1), next_attempt_at: now + leaseSeconds }))
      .where('id', 'in', due)
      .returning(['id', 'client_id', 'logout_token', 'attempts'])
      .execute();
    return rows.map((row) => ({
      id: Number(row.id),
      clientId: row.client_id,
      logoutToken: row.logout_token,
      attempts: Number(row.attempts),
    }));
  }

  /** Deletes a row after its last attempt (delivered, or given up), if no other server took it since. */
  async remove(delivery: LogoutDelivery): Promise<void> {
    await this.db
      .deleteFrom('logout_deliveries')
      .where('id', '=', delivery.id)
      .where('attempts', '=', delivery.attempts)
      .execute();
  }

  /** Schedules the next attempt at `at` (epoch seconds), if no other server took the row since. */
  async retryAt(delivery: LogoutDelivery, at: number): Promise<void> {
    await this.db
      .updateTable('logout_deliveries')
      .set({ next_attempt_at: at })
      .where('id', '=', delivery.id)
      .where('attempts', '=', delivery.attempts)
      .execute();
  }

  /** Gives back a row whose attempt was cut short by a shutdown: due now, the attempt not counted. */
  async release(delivery: LogoutDelivery): Promise<void> {
    await this.db
      .updateTable('logout_deliveries')
      .set({ next_attempt_at: unixNow(), attempts: delivery.attempts - 1 })
      .where('id', '=', delivery.id)
      .where('attempts', '=', delivery.attempts)
      .execute();
  }

  /** When the next row is due (epoch seconds), or `undefined` when the queue is empty. */
  async nextDue(): Promise<number | undefined> {
    const row = await this.db
      .selectFrom('logout_deliveries')
      .select(sql<number | string | null>`min(next_attempt_at)`.as('due'))
      .executeTakeFirst();
    return row?.due === null || row?.due === undefined ? undefined : Number(row.due);
  }
}
