/** Opens the database: SQLite (better-sqlite3, WAL) by default, PostgreSQL for a `postgres://` URL. */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import {
  CompiledQuery,
  type DatabaseConnection,
  type Driver,
  Kysely,
  PostgresDialect,
  SqliteAdapter,
  SqliteDialect,
  type SqliteDialectConfig,
  SqliteDriver,
} from 'kysely';
import pg from 'pg';
import { asValueRejected } from './errors.js';
import type { Database } from './schema.js';

/** The database handle every repository takes. */
export type Db = Kysely<Database>;

/** The driver under a Kysely instance, for the few hot-path queries that skip the query builder. */
export type NativeHandle =
  | { dialect: 'sqlite'; sqlite: SQLite.Database }
  | { dialect: 'postgres'; pool: pg.Pool };

const natives = new WeakMap<Db, NativeHandle>();

/** The driver handle of a database opened by {@link openDatabase} (not of a transaction). */
export function nativeHandle(db: Db): NativeHandle | undefined {
  return natives.get(db);
}

/**
 * Kysely's SQLite driver prepares every statement it runs; compiling SQL was a tenth of the time of a
 * refresh request. The SQL text of a query shape is stable (values are bound), so prepared statements
 * are kept per text, bounded in number.
 */
function withStatementCache(sqlite: SQLite.Database, max = 500): SQLite.Database {
  const cache = new Map<string, SQLite.Statement>();
  const prepare = (source: string) => {
    let statement = cache.get(source);
    if (!statement) {
      statement = sqlite.prepare(source);
      if (cache.size >= max) cache.delete(cache.keys().next().value as string);
      cache.set(source, statement);
    }
    return statement;
  };
  return new Proxy(sqlite, {
    get(target, property, receiver) {
      return property === 'prepare' ? prepare : Reflect.get(target, property, receiver);
    },
  });
}

/**
 * Kysely's SQLite dialect with two changes for a file that several processes share (servers, the CLI):
 * - Transactions begin IMMEDIATE: they all write, and a deferred one that read first fails at its first
 *   write with SQLITE_BUSY_SNAPSHOT (no busy wait) if another process committed in between; an
 *   immediate one waits for the write lock (busy_timeout) before it reads anything.
 * - Migrations run in a transaction, as on PostgreSQL (SQLite has transactional DDL; Kysely assumes
 *   not): a migration killed half-way leaves nothing behind, and two processes migrating at once
 *   take turns instead of both running the same steps.
 */
class SharedFileSqliteDialect extends SqliteDialect {
  constructor(private readonly settings: SqliteDialectConfig) {
    super(settings);
  }
  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.settings);
  }
  override createAdapter(): SqliteAdapter {
    return new TransactionalDdlSqliteAdapter();
  }
}

class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

class TransactionalDdlSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}

/** Which engine a URL selects. */
export type Dialect = 'sqlite' | 'postgres';

/** Tells the dialect of a database URL: `postgres://` / `postgresql://` or a SQLite file path / `sqlite:` URL. */
export function dialectOf(url: string): Dialect {
  return /^postgres(ql)?:\/\//i.test(url) ? 'postgres' : 'sqlite';
}

// int8 columns come back as numbers (epoch seconds fit easily).
pg.types.setTypeParser(20, (value: string) => Number.parseInt(value, 10));

type Callback = (error: unknown, result: unknown) => void;

/**
 * A pg client whose failed queries go through {@link asValueRejected}: a value PostgreSQL refuses
 * (SQLSTATE class 22, e.g. a NUL byte) becomes a ValueRejectedError, which the HTTP layer answers with
 * 400 `invalid_request`, never 500 (test/storage-attacks.test.ts). Covers
 * Kysely's queries (promise form) and raw `pool.query` (callback form); streams pass through.
 */
class CheckedClient extends pg.Client {
  // biome-ignore lint/suspicious/noExplicitAny: forwards every overload of pg's query unchanged.
  override query(...args: any[]): any {
    const base = super.query.bind(this) as (...forwarded: unknown[]) => unknown;
    const [config, values, callback] = args;
    if (typeof config?.submit === 'function') return base(...args);
    const at = typeof values === 'function' ? 1 : typeof callback === 'function' ? 2 : -1;
    if (at !== -1) {
      const done = args[at] as Callback;
      args[at] = ((error, result) => done(error ? asValueRejected(error) : error, result)) satisfies Callback;
      return base(...args);
    }
    return (base(...args) as Promise<unknown>).catch((error: unknown) => {
      throw asValueRejected(error);
    });
  }
}

/**
 * Opens a database from a URL. SQLite runs in WAL mode with a busy timeout so several processes can
 * share the file; PostgreSQL uses a pool with a connect timeout so an outage fails fast.
 */
export function openDatabase(url: string, options: { poolSize?: number } = {}): Db {
  if (dialectOf(url) === 'postgres') {
    const pool = new pg.Pool({
      connectionString: url,
      Client: CheckedClient,
      max: options.poolSize ?? 10,
      connectionTimeoutMillis: 2000,
      idleTimeoutMillis: 30_000,
    });
    // An idle client losing its connection must not crash the process.
    pool.on('error', () => {});
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    natives.set(db, { dialect: 'postgres', pool });
    return db;
  }
  const file = url.replace(/^sqlite:(\/\/)?/i, '');
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const sqlite = new SQLite(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  // Checkpoint every ~40 MB of WAL instead of ~4 MB: a page written by many commits (the last page of
  // the refresh-token table, a grant's index page) is copied back once per checkpoint, not ten times
  // (rotation 50 -> 46 µs, bench/micro/sqlite-rotation.cjs selector-ckpt vs 1000 pages); the file is
  // cut back to 64 MB after a checkpoint.
  sqlite.pragma('wal_autocheckpoint = 10000');
  sqlite.pragma('journal_size_limit = 67108864');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('foreign_keys = ON');
  const db = new Kysely<Database>({
    dialect: new SharedFileSqliteDialect({ database: withStatementCache(sqlite) }),
  });
  natives.set(db, { dialect: 'sqlite', sqlite });
  return db;
}
