/**
 * Migration 013: the tables of an app's activity (recent errors, their drop counts, usage), each going
 * with its app (ON DELETE CASCADE), and the indexes "users connected" reads (storage/README.md).
 */
import { type ColumnDefinitionBuilder, type Kysely, type Migration, SqliteAdapter } from 'kysely';

/** Creates the activity tables and indexes, in the migrator's transaction. */
export const appActivityMigration: Migration = {
  async up(db: Kysely<unknown>) {
    // What an app's developer sees of its traffic (storage/activity/): its recent failures, how many
    // were not recorded, and the tokens issued per day. Each goes with its app (ON DELETE CASCADE).
    const sqlite = db.getExecutor().adapter instanceof SqliteAdapter;
    const app = (c: ColumnDefinitionBuilder) => c.notNull().references('clients.id').onDelete('cascade');
    await db.schema
      .createTable('app_errors')
      .addColumn('id', sqlite ? 'integer' : 'bigserial', (c) => c.primaryKey())
      .addColumn('client_id', 'varchar(255)', app)
      .addColumn('occurred_at', 'bigint', (c) => c.notNull())
      .addColumn('endpoint', 'varchar(16)', (c) => c.notNull())
      .addColumn('grant_type', 'varchar(64)')
      .addColumn('error', 'varchar(64)', (c) => c.notNull())
      .addColumn('reason', 'text', (c) => c.notNull())
      .execute();
    // An app's newest rows (the list, and the trim to 50 after each write); the purge by age.
    await db.schema.createIndex('app_errors_client').on('app_errors').columns(['client_id', 'id']).execute();
    await db.schema.createIndex('app_errors_occurred').on('app_errors').column('occurred_at').execute();
    await db.schema
      .createTable('app_error_drops')
      .addColumn('client_id', 'varchar(255)', app)
      .addColumn('day', 'integer', (c) => c.notNull())
      .addColumn('dropped', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('app_error_drops_pk', ['client_id', 'day'])
      .execute();
    await db.schema
      .createTable('app_usage')
      .addColumn('client_id', 'varchar(255)', app)
      .addColumn('day', 'integer', (c) => c.notNull())
      .addColumn('grant_type', 'varchar(64)', (c) => c.notNull())
      .addColumn('issued', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('app_usage_pk', ['client_id', 'day', 'grant_type'])
      .execute();
    // "N users have this app connected" (connected-apps.ts countUsers) reads an app's consents and
    // grants, which were indexed by user first.
    await db.schema.createIndex('consents_client').on('consents').column('client_id').execute();
    await db.schema.createIndex('grants_client').on('grants').column('client_id').execute();
  },
};
