/**
 * Migration 014: what OpenID Connect needs stored (storage/README.md documents every column).
 *
 * - Apps: the ID-token algorithm, the subject type (OIDC Core §8), where RP-Initiated Logout may send
 *   the browser back to, and the Back-Channel Logout receiver.
 * - Sign-in sessions: `sid` and `auth_time` (OIDC Core §2), carried by pending requests, codes and
 *   grants, so an ID token issued at a refresh keeps the original `auth_time` (OIDC Core §12.2) and a
 *   logout can name the session it ends (Back-Channel Logout 1.0 §2.4).
 * - The `nonce` and `response_mode` of an authorization request (OIDC Core §3.1.2.1).
 * - Accounts: a name, whether the email is verified, when the profile changed (OIDC Core §5.1), and
 *   single-use email links (verification, password reset) stored as hashes.
 * - Back-channel logout deliveries waiting to be sent, so a restart loses none.
 * - Signing keys: one active and one next key per algorithm, so each app's ID tokens can be signed
 *   with the algorithm it registered (OIDC Core §3.1.3.7 step 7, `id_token_signed_response_alg`).
 */
import { type Kysely, type Migration, SqliteAdapter, sql } from 'kysely';

/** Adds the OpenID Connect columns and tables, in the migrator's transaction. */
export const openidMigration: Migration = {
  async up(db: Kysely<unknown>) {
    const sqlite = db.getExecutor().adapter instanceof SqliteAdapter;
    const add = (table: string) => db.schema.alterTable(table);

    await add('clients').addColumn('id_token_signed_response_alg', 'varchar(16)').execute();
    await add('clients')
      .addColumn('subject_type', 'varchar(16)', (c) => c.notNull().defaultTo('public'))
      .execute();
    await add('clients')
      .addColumn('post_logout_redirect_uris', 'text', (c) => c.notNull().defaultTo('[]'))
      .execute();
    await add('clients').addColumn('backchannel_logout_uri', 'text').execute();

    await add('sessions').addColumn('sid', 'varchar(64)').execute();
    await add('sessions').addColumn('auth_time', 'bigint').execute();
    await db.schema.createIndex('sessions_sid').on('sessions').column('sid').execute();

    for (const table of ['authorization_requests', 'authorization_codes']) {
      await add(table).addColumn('nonce', 'text').execute();
      await add(table).addColumn('sid', 'varchar(64)').execute();
      await add(table).addColumn('auth_time', 'bigint').execute();
    }
    await add('authorization_requests').addColumn('response_mode', 'varchar(16)').execute();

    await add('grants').addColumn('sid', 'varchar(64)').execute();
    await add('grants').addColumn('auth_time', 'bigint').execute();
    await db.schema.createIndex('grants_sid').on('grants').column('sid').execute();

    await add('users').addColumn('name', 'varchar(200)').execute();
    await add('users')
      .addColumn('email_verified', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
    await add('users').addColumn('updated_at', 'bigint').execute();

    await db.schema
      .createTable('email_links')
      .addColumn('id_hash', 'varchar(64)', (c) => c.primaryKey())
      .addColumn('user_id', 'varchar(64)', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('purpose', 'varchar(16)', (c) => c.notNull())
      .addColumn('email', 'varchar(320)', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .addColumn('used_at', 'bigint')
      .execute();
    await db.schema.createIndex('email_links_user').on('email_links').column('user_id').execute();
    await db.schema.createIndex('email_links_expires').on('email_links').column('expires_at').execute();

    await db.schema
      .createTable('logout_deliveries')
      .addColumn('id', sqlite ? 'integer' : 'bigserial', (c) => c.primaryKey())
      .addColumn('client_id', 'varchar(255)', (c) => c.notNull().references('clients.id').onDelete('cascade'))
      .addColumn('logout_token', 'text', (c) => c.notNull())
      .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('next_attempt_at', 'bigint', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('logout_deliveries_due')
      .on('logout_deliveries')
      .column('next_attempt_at')
      .execute();

    await sql`drop index signing_keys_one_live`.execute(db);
    await sql`create unique index signing_keys_one_live on signing_keys (alg, state) where state <> 'retired'`.execute(
      db,
    );
  },
};
