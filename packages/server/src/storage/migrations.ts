/** The one migration set both dialects run (Kysely Migrator, which locks against concurrent runs). */
import { type Kysely, type Migration, type MigrationProvider, Migrator, SqliteAdapter, sql } from 'kysely';
import { newSelectorKey, SELECTOR_KEY_NAME } from '../tokens/refresh-token-format.js';
import { appActivityMigration } from './activity/migration.js';
import { type Db, dialectOf, openDatabase } from './database.js';
import { openidMigration } from './openid/migration.js';

/** Migration 006's steps (see there), in the caller's transaction. */
async function refreshTokenSelectors(db: Kysely<unknown>, sqlite: boolean): Promise<void> {
  await db.schema
    .createTable('instance_secrets')
    .addColumn('name', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .execute();
  // Generated here, under the migrator's lock, so every server on one database reads the same key.
  await sql`insert into instance_secrets (name, value) values (${SELECTOR_KEY_NAME}, ${newSelectorKey()})`.execute(
    db,
  );
  await db.schema
    .createTable('refresh_tokens_v2')
    // SQLite: INTEGER PRIMARY KEY is the rowid (no AUTOINCREMENT, which writes sqlite_sequence on
    // every insert; a reused ID of a deleted row cannot match: the verifier's hash differs).
    .addColumn('id', sqlite ? 'integer' : 'bigserial', (c) => c.primaryKey())
    .addColumn('token_hash', 'varchar(64)', (c) => c.notNull())
    // 1 by default: a server of the previous release still running during a rolling upgrade inserts
    // bare tokens, which are then found by their hash like the copied ones; this release writes 0.
    .addColumn('legacy', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('grant_id', 'varchar(64)', (c) => c.notNull().references('grants.id').onDelete('cascade'))
    .addColumn('client_id', 'varchar(255)', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('rotated_at', 'bigint')
    .execute();
  // No rotation of the previous release may commit between the copy and the drop (and be lost).
  if (!sqlite) await sql`lock table refresh_tokens in exclusive mode`.execute(db);
  // Oldest first and each chain's head last, so IDs ascend along a chain as they do from now on.
  await sql`insert into refresh_tokens_v2
      (token_hash, legacy, grant_id, client_id, created_at, expires_at, rotated_at)
      select token_hash, 1, grant_id, client_id, created_at, expires_at, rotated_at from refresh_tokens
      order by created_at, case when rotated_at is null then 1 else 0 end`.execute(db);
  await db.schema.dropTable('refresh_tokens').execute();
  await db.schema.alterTable('refresh_tokens_v2').renameTo('refresh_tokens').execute();
  // A grant's tokens: ON DELETE CASCADE and the grace path's search for the head.
  await db.schema
    .createIndex('refresh_tokens_grant')
    .on('refresh_tokens')
    .columns(['grant_id', 'id'])
    .execute();
  // PostgreSQL: the purge deletes by expiry through this index. SQLite has none: it would be one
  // more page written to the WAL on every rotation (refresh +7 % without it, bench A/B), so the
  // purge walks the table in ID order instead (storage/purge.ts).
  if (!sqlite) {
    await db.schema.createIndex('refresh_tokens_expires').on('refresh_tokens').column('expires_at').execute();
  }
  await sql`create index refresh_tokens_legacy on refresh_tokens (token_hash) where legacy = 1`.execute(db);
}

const migrations: Record<string, Migration> = {
  '001_clients_and_keys': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('clients')
        .addColumn('id', 'varchar(255)', (c) => c.primaryKey())
        .addColumn('name', 'varchar(255)', (c) => c.notNull())
        .addColumn('is_public', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('redirect_uris', 'text', (c) => c.notNull())
        .addColumn('grant_types', 'text', (c) => c.notNull())
        .addColumn('scopes', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('client_secrets')
        .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
        .addColumn('client_id', 'varchar(255)', (c) =>
          c.notNull().references('clients.id').onDelete('cascade'),
        )
        .addColumn('secret_hash', 'varchar(64)', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint')
        .execute();
      await db.schema.createIndex('client_secrets_client').on('client_secrets').column('client_id').execute();
      await db.schema
        .createTable('signing_keys')
        .addColumn('kid', 'varchar(64)', (c) => c.primaryKey())
        .addColumn('alg', 'varchar(16)', (c) => c.notNull())
        .addColumn('state', 'varchar(16)', (c) => c.notNull())
        .addColumn('private_jwk', 'text', (c) => c.notNull())
        .addColumn('public_jwk', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('publish_until', 'bigint')
        .execute();
      // At most one active and one next key, even when two servers start at once.
      await sql`create unique index signing_keys_one_live on signing_keys (state) where state <> 'retired'`.execute(
        db,
      );
    },
  },
  '002_users_and_grants': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('users')
        .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
        .addColumn('email', 'varchar(320)', (c) => c.notNull().unique())
        .addColumn('password_hash', 'varchar(255)', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('sessions')
        .addColumn('id_hash', 'varchar(64)', (c) => c.primaryKey())
        .addColumn('user_id', 'varchar(64)', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('consents')
        .addColumn('user_id', 'varchar(64)', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('client_id', 'varchar(255)', (c) =>
          c.notNull().references('clients.id').onDelete('cascade'),
        )
        .addColumn('scopes', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('consents_pk', ['user_id', 'client_id'])
        .execute();
      await db.schema
        .createTable('authorization_requests')
        .addColumn('id_hash', 'varchar(64)', (c) => c.primaryKey())
        .addColumn('client_id', 'varchar(255)', (c) =>
          c.notNull().references('clients.id').onDelete('cascade'),
        )
        .addColumn('user_id', 'varchar(64)', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('redirect_uri', 'text', (c) => c.notNull())
        .addColumn('scopes', 'text', (c) => c.notNull())
        .addColumn('state', 'text')
        .addColumn('code_challenge', 'varchar(128)')
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('grants')
        .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
        .addColumn('user_id', 'varchar(64)', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('client_id', 'varchar(255)', (c) =>
          c.notNull().references('clients.id').onDelete('cascade'),
        )
        .addColumn('scopes', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('revoked_at', 'bigint')
        .execute();
      await db.schema
        .createIndex('grants_user_client')
        .on('grants')
        .columns(['user_id', 'client_id'])
        .execute();
      await db.schema
        .createTable('authorization_codes')
        .addColumn('code_hash', 'varchar(64)', (c) => c.primaryKey())
        .addColumn('client_id', 'varchar(255)', (c) =>
          c.notNull().references('clients.id').onDelete('cascade'),
        )
        .addColumn('user_id', 'varchar(64)', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('redirect_uri', 'text', (c) => c.notNull())
        .addColumn('scopes', 'text', (c) => c.notNull())
        .addColumn('code_challenge', 'varchar(128)')
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addColumn('used_at', 'bigint')
        .addColumn('grant_id', 'varchar(64)')
        .execute();
      await db.schema
        .createTable('refresh_tokens')
        .addColumn('token_hash', 'varchar(64)', (c) => c.primaryKey())
        .addColumn('grant_id', 'varchar(64)', (c) => c.notNull().references('grants.id').onDelete('cascade'))
        .addColumn('client_id', 'varchar(255)', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addColumn('rotated_at', 'bigint')
        .execute();
      await db.schema.createIndex('refresh_tokens_grant').on('refresh_tokens').column('grant_id').execute();
      await db.schema
        .createTable('revoked_tokens')
        .addColumn('jti', 'varchar(64)', (c) => c.primaryKey())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .execute();
    },
  },
  '003_refresh_heads_and_explicit_redirect': {
    async up(db: Kysely<unknown>) {
      // Rotation touches only the live head of a chain; without this, every refresh scanned the whole
      // chain of rotated tokens kept for reuse detection, and got slower as the chain grew.
      await sql`create index refresh_tokens_head on refresh_tokens (grant_id) where rotated_at is null`.execute(
        db,
      );
      // RFC 6749 §4.1.3: redirect_uri is required at the token endpoint if the authorization request had it.
      for (const table of ['authorization_requests', 'authorization_codes']) {
        await db.schema
          .alterTable(table)
          .addColumn('redirect_uri_given', 'integer', (c) => c.notNull().defaultTo(1))
          .execute();
      }
    },
  },
  '004_resource_servers': {
    async up(db: Kysely<unknown>) {
      // RFC 7662 §2.1: only an app registered as a resource server may introspect other apps' tokens.
      await db.schema
        .alterTable('clients')
        .addColumn('is_resource_server', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
    },
  },
  '005_purge_indexes': {
    async up(db: Kysely<unknown>) {
      // The purge (storage/purge.ts) deletes by expiry in batches; without these, every batch scans
      // the whole table, live rows included.
      for (const table of ['authorization_codes', 'authorization_requests', 'sessions', 'revoked_tokens']) {
        await db.schema.createIndex(`${table}_expires`).on(table).column('expires_at').execute();
      }
      // Grants whose live head expired: the only refresh tokens that can start a grant's purge.
      await sql`create index refresh_tokens_head_expires on refresh_tokens (expires_at) where rotated_at is null`.execute(
        db,
      );
    },
  },
  '006_refresh_token_selectors': {
    async up(db: Kysely<unknown>) {
      // Refresh tokens become selector + verifier (tokens/refresh-token-format.ts): rows keyed by an
      // ascending integer, so a rotation appends instead of inserting into a random page of a hash
      // index, and no partial index is rewritten on every rotation. Tokens issued before keep
      // working: their rows are copied with `legacy = 1` and found by their hash through a partial
      // index that rows of the new format never enter.
      // One transaction on both dialects (Kysely's migrator; storage/database.ts makes it so on SQLite).
      await refreshTokenSelectors(db, db.getExecutor().adapter instanceof SqliteAdapter);
    },
  },
  '007_sealed_signing_keys': {
    async up(db: Kysely<unknown>) {
      // Private keys are sealed under a key-encryption key (keys/key-encryption.ts) that this
      // migration cannot know: it only adds the column naming the KEK of a row. A row with a KEK holds
      // the sealed key in private_jwk; a row without one (from before this migration, or written by a
      // server of the previous release during a rolling upgrade) still holds it in clear, and the
      // server seals such rows when it starts, as `latchkey keys rewrap` does
      // (storage/signing-keys.ts; test/key-encryption-upgrade.test.ts upgrades a database of clear keys).
      await db.schema.alterTable('signing_keys').addColumn('kek_id', 'varchar(64)').execute();
    },
  },
  '008_refresh_token_predecessors': {
    async up(db: Kysely<unknown>) {
      // Each refresh token names the token whose presentation it answered, so a retry after a lost
      // answer can tell whether that answer was ever used (grants/refresh-decision.ts): it was not
      // while the grant's head still answers the presented token. Written once with the row, never
      // updated, so a rotation grows no row.
      const sqlite = db.getExecutor().adapter instanceof SqliteAdapter;
      await db.schema
        .alterTable('refresh_tokens')
        .addColumn('predecessor_id', sqlite ? 'integer' : 'bigint')
        .execute();
    },
  },
  '009_audit_events': {
    async up(db: Kysely<unknown>) {
      // The audit log (storage/audit.ts). No foreign keys: an event outlives the app, user or grant it
      // names.
      const sqlite = db.getExecutor().adapter instanceof SqliteAdapter;
      await db.schema
        .createTable('audit_events')
        .addColumn('id', sqlite ? 'integer' : 'bigserial', (c) => c.primaryKey())
        .addColumn('occurred_at', 'bigint', (c) => c.notNull())
        .addColumn('type', 'varchar(64)', (c) => c.notNull())
        .addColumn('actor', 'varchar(255)', (c) => c.notNull())
        .addColumn('client_id', 'varchar(255)')
        .addColumn('user_id', 'varchar(64)')
        .addColumn('details', 'text', (c) => c.notNull())
        .execute();
      // `latchkey audit list --since` (newest first from a point in time) and the purge (oldest first up
      // to the retention's cut-off) read only the events they return or delete.
      await db.schema
        .createIndex('audit_events_occurred')
        .on('audit_events')
        .columns(['occurred_at', 'id'])
        .execute();
    },
  },
  '010_throttle_counters': {
    async up(db: Kysely<unknown>) {
      // The throttles' failure counts, shared by every server on a PostgreSQL database
      // (throttle/postgres.ts). Created on SQLite too, for one schema, where the counts stay in the
      // process. `reset_at_ms` is when the key's window ends, on the database's clock (epoch ms).
      await db.schema
        .createTable('throttle_counters')
        .addColumn('key', 'varchar(128)', (c) => c.primaryKey())
        .addColumn('count', 'integer', (c) => c.notNull())
        .addColumn('reset_at_ms', 'bigint', (c) => c.notNull())
        .execute();
      // The purge deletes the windows that ended (storage/purge.ts).
      await db.schema
        .createIndex('throttle_counters_reset')
        .on('throttle_counters')
        .column('reset_at_ms')
        .execute();
    },
  },
  '012_app_owners': {
    async up(db: Kysely<unknown>) {
      // Who may manage an app: its owner (null for an app the CLI created without one), the users it
      // added as collaborators, and admins (storage/app-members.ts; the rules in manage/access.ts).
      await db.schema
        .alterTable('users')
        .addColumn('is_admin', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema
        .alterTable('clients')
        .addColumn('owner_id', 'varchar(64)', (c) => c.references('users.id').onDelete('set null'))
        .execute();
      // What the portal and the consent page show of an app (oauth/app-registration.ts validates them).
      await db.schema.alterTable('clients').addColumn('description', 'text').execute();
      await db.schema.alterTable('clients').addColumn('homepage_url', 'text').execute();
      await db.schema
        .createTable('app_collaborators')
        .addColumn('client_id', 'varchar(255)', (c) =>
          c.notNull().references('clients.id').onDelete('cascade'),
        )
        .addColumn('user_id', 'varchar(64)', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('added_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('app_collaborators_pk', ['client_id', 'user_id'])
        .execute();
      // "My apps": the apps a user owns, and those they collaborate on.
      await db.schema.createIndex('clients_owner').on('clients').column('owner_id').execute();
      await db.schema
        .createIndex('app_collaborators_user')
        .on('app_collaborators')
        .column('user_id')
        .execute();
    },
  },
  // Recent errors and usage (storage/activity/).
  '013_app_activity': appActivityMigration,
  // OpenID Connect: sessions, nonces, ID-token keys, accounts, logout (storage/openid/migration.ts).
  '014_openid': openidMigration,
};

/** Names of every migration, in order (by name: Kysely runs them in that order). */
export const MIGRATION_NAMES = Object.keys(migrations).sort();

class InCodeProvider implements MigrationProvider {
  async getMigrations() {
    return migrations;
  }
}

/**
 * Brings the schema up to date (or, for upgrade tests, up to the migration `upTo`). Safe to call
 * from several processes at once: Kysely's migrator holds a lock for the run.
 */
export async function migrate(db: Db, options: { upTo?: string } = {}): Promise<string[]> {
  const migrator = new Migrator({ db, provider: new InCodeProvider() });
  const { error, results } =
    options.upTo === undefined ? await migrator.migrateToLatest() : await migrator.migrateTo(options.upTo);
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/**
 * Runs the migrations of `db` (opened from `url`) without its deadlines. A migration may take longer
 * than a request's deadline (an index on a large table), so on PostgreSQL it runs over a connection of
 * its own, without a statement deadline, and waits at most `connectTimeoutMs` (default 2 s) to connect;
 * SQLite's only deadline is its busy timeout, and a `:memory:` database has only the one handle.
 */
export async function migrateWithoutDeadline(db: Db, url: string, connectTimeoutMs?: number): Promise<void> {
  if (dialectOf(url) !== 'postgres') {
    await migrate(db);
    return;
  }
  const own = openDatabase(url, { poolSize: 1, ...(connectTimeoutMs !== undefined && { connectTimeoutMs }) });
  try {
    await migrate(own);
  } finally {
    await own.destroy();
  }
}
