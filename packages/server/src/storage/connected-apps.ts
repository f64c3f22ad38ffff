/** Connected apps: everything a user has allowed, for the Connected apps page, and withdrawing it. */
import { sql } from 'kysely';
import { type AuditEvent, recordAuditIn } from './audit.js';
import { isPossibleClientId } from './clients.js';
import { splitScopes, unixNow } from './columns.js';
import type { Db } from './database.js';
import type { RevocationReason } from './revocations.js';

/** A user's live grant to an app, for the Connected apps page. */
export interface ConnectedApp {
  clientId: string;
  name: string;
  scopes: string[];
  grantedAt: number;
}

/** Connected-app data access (`consents` and live `grants`, joined with `clients`). */
export class ConnectedAppRepository {
  constructor(private readonly db: Db) {}

  /**
   * Every app the user has allowed: one with a remembered consent (even if its grants were revoked by
   * the app, or its code was never redeemed: the next request of that app would get a code without
   * asking, so the user must see it and be able to withdraw it), or with a live grant. One entry per
   * app, its scopes the union of both, newest first.
   */
  async list(userId: string): Promise<ConnectedApp[]> {
    const [consents, grants] = await Promise.all([
      this.db
        .selectFrom('consents')
        .innerJoin('clients', 'clients.id', 'consents.client_id')
        .select(['consents.client_id', 'clients.name', 'consents.scopes', 'consents.created_at'])
        .where('consents.user_id', '=', userId)
        .execute(),
      this.db
        .selectFrom('grants')
        .innerJoin('clients', 'clients.id', 'grants.client_id')
        .select(['grants.client_id', 'clients.name', 'grants.scopes', 'grants.created_at'])
        .where('grants.user_id', '=', userId)
        .where('grants.revoked_at', 'is', null)
        .execute(),
    ]);
    const apps = new Map<string, ConnectedApp>();
    for (const row of [...consents, ...grants]) {
      const app = apps.get(row.client_id);
      const at = Number(row.created_at);
      if (app) {
        app.scopes = [...new Set([...app.scopes, ...splitScopes(row.scopes)])];
        app.grantedAt = Math.max(app.grantedAt, at);
      } else {
        apps.set(row.client_id, {
          clientId: row.client_id,
          name: row.name,
          scopes: splitScopes(row.scopes),
          grantedAt: at,
        });
      }
    }
    return [...apps.values()].sort((a, b) => b.grantedAt - a.grantedAt || a.name.localeCompare(b.name));
  }

  /**
   * How many users have this app connected, by the rule of {@link ConnectedAppRepository.list}: a
   * remembered consent or a live grant (each user once).
   */
  async countUsers(clientId: string): Promise<number> {
    if (!isPossibleClientId(clientId)) return 0;
    const { rows } = await sql<{ n: number | string }>`select count(*) as n from (
        select user_id from consents where client_id = ${clientId}
        union
        select user_id from grants where client_id = ${clientId} and revoked_at is null
      ) as connected`.execute(this.db);
    return Number(rows[0]?.n ?? 0);
  }

  /**
   * Revokes every grant of this user to this app and forgets the consent, in one transaction with
   * their audit events (`grant.revoked` per grant, `consent.withdrawn`), the user as their actor.
   */
  async disconnect(userId: string, clientId: string): Promise<void> {
    // An app ID that cannot exist has nothing to disconnect (PostgreSQL refuses a NUL in text).
    if (!isPossibleClientId(clientId)) return;
    await this.db.transaction().execute(async (trx) => {
      const at = unixNow();
      const revoked = await trx
        .updateTable('grants')
        .set({ revoked_at: at })
        .where('user_id', '=', userId)
        .where('client_id', '=', clientId)
        .where('revoked_at', 'is', null)
        .returning('id')
        .execute();
      const forgotten = await trx
        .deleteFrom('consents')
        .where('user_id', '=', userId)
        .where('client_id', '=', clientId)
        .executeTakeFirst();
      const reason: RevocationReason = 'revoked_by_user';
      const about = { actor: userId, clientId, userId };
      const events: AuditEvent[] = revoked.map((grant) => ({
        ...about,
        type: 'grant.revoked',
        details: { grant_id: grant.id, reason },
      }));
      if (Number(forgotten.numDeletedRows) > 0)
        events.push({ ...about, type: 'consent.withdrawn', details: { reason } });
      await recordAuditIn(trx, events, at);
    });
  }
}
