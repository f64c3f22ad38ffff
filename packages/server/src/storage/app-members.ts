/**
 * Who runs an app besides admins: its owner and its collaborators (`clients.owner_id`,
 * `app_collaborators`, migration 012). Storage only records them; what each may do is the management
 * rules' call (manage/access.ts).
 */

import { isPossibleClientId } from './clients.js';
import { unixNow } from './columns.js';
import type { Db } from './database.js';

/** An app's owner and collaborators. */
export interface AppMembership {
  clientId: string;
  /** `null` for an app created by the CLI that no one has been given. */
  ownerId: string | null;
  collaboratorIds: string[];
}

/** A collaborator as the app's page lists them. */
export interface Collaborator {
  userId: string;
  email: string;
  addedAt: number;
}

/** The apps a user runs, by how. */
export interface AppsOfUser {
  owned: string[];
  collaborating: string[];
}

/** Owner and collaborator data access. */
export class AppMemberRepository {
  constructor(private readonly db: Db) {}

  /** The app's owner and collaborators, or `undefined` when there is no such app. */
  async membership(clientId: string): Promise<AppMembership | undefined> {
    if (!isPossibleClientId(clientId)) return undefined;
    const app = await this.db
      .selectFrom('clients')
      .select('owner_id')
      .where('id', '=', clientId)
      .executeTakeFirst();
    if (!app) return undefined;
    const rows = await this.db
      .selectFrom('app_collaborators')
      .select('user_id')
      .where('client_id', '=', clientId)
      .execute();
    return { clientId, ownerId: app.owner_id, collaboratorIds: rows.map((row) => row.user_id) };
  }

  /** Gives the app to `userId` (or to no one); `false` when there is no such app. */
  async setOwner(clientId: string, userId: string | null): Promise<boolean> {
    if (!isPossibleClientId(clientId)) return false;
    return this.db.transaction().execute(async (trx) => {
      const result = await trx
        .updateTable('clients')
        .set({ owner_id: userId })
        .where('id', '=', clientId)
        .executeTakeFirst();
      // The owner is not also a collaborator: one role each.
      if (userId !== null) {
        await trx
          .deleteFrom('app_collaborators')
          .where('client_id', '=', clientId)
          .where('user_id', '=', userId)
          .execute();
      }
      return Number(result.numUpdatedRows) > 0;
    });
  }

  /** Adds a collaborator; `false` if they already were one. */
  async addCollaborator(clientId: string, userId: string): Promise<boolean> {
    const result = await this.db
      .insertInto('app_collaborators')
      .values({ client_id: clientId, user_id: userId, added_at: unixNow() })
      .onConflict((oc) => oc.columns(['client_id', 'user_id']).doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  /** Removes a collaborator; `false` if they were none. */
  async removeCollaborator(clientId: string, userId: string): Promise<boolean> {
    const result = await this.db
      .deleteFrom('app_collaborators')
      .where('client_id', '=', clientId)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  /** The app's collaborators, first added first. */
  async collaborators(clientId: string): Promise<Collaborator[]> {
    const rows = await this.db
      .selectFrom('app_collaborators')
      .innerJoin('users', 'users.id', 'app_collaborators.user_id')
      .select(['users.id', 'users.email', 'app_collaborators.added_at'])
      .where('app_collaborators.client_id', '=', clientId)
      .orderBy('app_collaborators.added_at')
      .orderBy('users.email')
      .execute();
    return rows.map((row) => ({ userId: row.id, email: row.email, addedAt: Number(row.added_at) }));
  }

  /** The IDs of the apps `userId` owns and of those they collaborate on. */
  async appsOf(userId: string): Promise<AppsOfUser> {
    const [owned, collaborating] = await Promise.all([
      this.db
        .selectFrom('clients')
        .select('id')
        .where('owner_id', '=', userId)
        .orderBy('created_at')
        .execute(),
      this.db
        .selectFrom('app_collaborators')
        .select('client_id')
        .where('user_id', '=', userId)
        .orderBy('added_at')
        .execute(),
    ]);
    return { owned: owned.map((row) => row.id), collaborating: collaborating.map((row) => row.client_id) };
  }

  /** The owner's email of each app (of `only`, when given) that has an owner, by client ID. */
  async ownerEmails(only?: readonly string[]): Promise<Map<string, string>> {
    if (only?.length === 0) return new Map();
    const rows = await this.db
      .selectFrom('clients')
      .innerJoin('users', 'users.id', 'clients.owner_id')
      .select(['clients.id', 'users.email'])
      .$if(only !== undefined, (q) => q.where('clients.id', 'in', only as string[]))
      .execute();
    return new Map(rows.map((row) => [row.id, row.email]));
  }
}
