/** Connected apps: what a user has allowed, for the Connected apps page, and withdrawing it. */
import { isPossibleClientId } from './clients.js';
import { splitScopes, unixNow } from './columns.js';
import type { Db } from './database.js';

/** A user's live grant to an app, for the Connected apps page. */
export interface ConnectedApp {
  clientId: string;
  name: string;
  scopes: string[];
  grantedAt: number;
}

/** Connected-app data access (live `grants` joined with `clients`; `consents`). */
export class ConnectedAppRepository {
  constructor(private readonly db: Db) {}

  /** Apps with a live grant from this user (one entry per app, newest first). */
  async list(userId: string): Promise<ConnectedApp[]> {
    const rows = await this.db
      .selectFrom('grants')
      .innerJoin('clients', 'clients.id', 'grants.client_id')
      .select(['grants.client_id', 'clients.name', 'grants.scopes', 'grants.created_at'])
      .where('grants.user_id', '=', userId)
      .where('grants.revoked_at', 'is', null)
      .orderBy('grants.created_at', 'desc')
      .execute();
    const apps = new Map<string, ConnectedApp>();
    for (const row of rows) {
      const app = apps.get(row.client_id);
      if (app) app.scopes = [...new Set([...app.scopes, ...splitScopes(row.scopes)])];
      else
        apps.set(row.client_id, {
          clientId: row.client_id,
          name: row.name,
          scopes: splitScopes(row.scopes),
          grantedAt: Number(row.created_at),
        });
    }
    return [...apps.values()];
  }

  /** Revokes every grant of this user to this app and forgets the consent, in one transaction. */
  async disconnect(userId: string, clientId: string): Promise<void> {
    // An app ID that cannot exist has nothing to disconnect (PostgreSQL refuses a NUL in text).
    if (!isPossibleClientId(clientId)) return;
    await this.db.transaction().execute(async (trx) => {
      await trx
        .updateTable('grants')
        .set({ revoked_at: unixNow() })
        .where('user_id', '=', userId)
        .where('client_id', '=', clientId)
        .where('revoked_at', 'is', null)
        .execute();
      await trx
        .deleteFrom('consents')
        .where('user_id', '=', userId)
        .where('client_id', '=', clientId)
        .execute();
    });
  }
}
