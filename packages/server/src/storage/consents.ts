/** Consents: the scopes a user has allowed an app, remembered so the consent page is not shown again. */
import { splitScopes, unixNow } from './columns.js';
import type { Db } from './database.js';

/** Consent data access (`consents`: one row per user and app). */
export class ConsentRepository {
  constructor(private readonly db: Db) {}

  /** Scopes the user has already allowed this app. */
  async scopes(userId: string, clientId: string): Promise<string[]> {
    const row = await this.read(userId, clientId);
    return row ? splitScopes(row.scopes) : [];
  }

  private read(userId: string, clientId: string) {
    return this.db
      .selectFrom('consents')
      .select('scopes')
      .where('user_id', '=', userId)
      .where('client_id', '=', clientId)
      .executeTakeFirst();
  }

  /**
   * Remembers that the user allowed these scopes (added to what was allowed before). Concurrent saves
   * for one user and app neither fail nor lose scopes: the insert yields to a row another request
   * inserted first (`on conflict do nothing`), and an update applies only to the scopes it read
   * (compare-and-set), so a request that lost a race re-reads and merges again.
   */
  async save(userId: string, clientId: string, scopes: string[]): Promise<void> {
    // Every round, at least one of the racing requests succeeds, so this ends.
    for (;;) {
      const row = await this.read(userId, clientId);
      const all = [...new Set([...(row ? splitScopes(row.scopes) : []), ...scopes])].join(' ');
      if (row === undefined) {
        const inserted = await this.db
          .insertInto('consents')
          .values({ user_id: userId, client_id: clientId, scopes: all, created_at: unixNow() })
          .onConflict((oc) => oc.columns(['user_id', 'client_id']).doNothing())
          .executeTakeFirst();
        if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 1) return;
        continue;
      }
      if (all === row.scopes) return;
      const updated = await this.db
        .updateTable('consents')
        .set({ scopes: all })
        .where('user_id', '=', userId)
        .where('client_id', '=', clientId)
        .where('scopes', '=', row.scopes)
        .executeTakeFirst();
      if (Number(updated.numUpdatedRows) === 1) return;
    }
  }
}
