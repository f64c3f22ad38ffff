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
  type PostgresDialectConfig,
  PostgresDriver,
  SqliteAdapter,
  SqliteDialect,
  type SqliteDialectConfig,
  SqliteDriver,
} from 'kysely';
import pg from 'pg';
import { asValueRejected, DatabaseTimeoutError, isDatabaseUnavailable } from './errors.js';
import type { Database } from './schema.js';
import { startWalCheckpointer, type WalCheckpointer } from './wal-checkpointer.js';

/** The database handle every repository takes. */
export type Db = Kysely<Database>;

/** The driver under a Kysely instance, for the few hot-path queries that skip the query builder. */
export type NativeHandle =
  | SqliteHandle
  | {
      dialect: 'postgres';
      pool: pg.Pool;
      /** The deadline of every call (ms; DatabaseOptions.timeoutMs), when one is set. */
      timeoutMs: number | undefined;
    };

/** A SQLite database's connection, and its background checkpoints once started. */
export interface SqliteHandle {
  dialect: 'sqlite';
  sqlite: SQLite.Database;
  checkpointer?: WalCheckpointer;
}

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
  constructor(
    private readonly settings: SqliteDialectConfig,
    private readonly handle: SqliteHandle,
  ) {
    super(settings);
  }
  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.settings, this.handle);
  }
  override createAdapter(): SqliteAdapter {
    return new TransactionalDdlSqliteAdapter();
  }
}

class ImmediateSqliteDriver extends SqliteDriver {
  constructor(
    settings: SqliteDialectConfig,
    private readonly handle: SqliteHandle,
  ) {
    super(settings);
  }
  /** The background checkpoints ({@link checkpointInBackground}) stop before the connection closes. */
  override async destroy(): Promise<void> {
    await this.handle.checkpointer?.stop();
    await super.destroy();
  }
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
 *
 * A query past its deadline (`query_timeout`) becomes a {@link DatabaseTimeoutError} and closes the
 * connection: pg only stops waiting, the statement stays sent, and a connection back in the pool would
 * carry it (and its transaction) on into another request's queries. Once closed, the server runs at most
 * what it had received, then sees the end of the connection and rolls back (test/database-deadlines.test.ts).
 */
class CheckedClient extends pg.Client {
  private readonly deadlineMs: number;

  constructor(config: pg.ClientConfig = {}) {
    super(config);
    this.deadlineMs = config.query_timeout ?? 0;
    // A connection that fails while a request holds it (between two statements of a transaction: the
    // server ended an idle transaction, or shut down) emits `error`, which pg-pool only listens to while
    // the client is idle in the pool; the next query reports it, so the process must not crash on it.
    this.on('error', () => {});
  }

  // biome-ignore lint/suspicious/noExplicitAny: forwards every overload of pg's query unchanged.
  override query(...args: any[]): any {
    const base = super.query.bind(this) as (...forwarded: unknown[]) => unknown;
    const [config, values, callback] = args;
    if (typeof config?.submit === 'function') return base(...args);
    const at = typeof values === 'function' ? 1 : typeof callback === 'function' ? 2 : -1;
    if (at !== -1) {
      const done = args[at] as Callback;
      args[at] = ((error, result) => done(error ? this.failure(error) : error, result)) satisfies Callback;
      return base(...args);
    }
    return (base(...args) as Promise<unknown>).catch((error: unknown) => {
      throw this.failure(error);
    });
  }

  private failure(error: unknown): unknown {
    if (error instanceof Error && error.message === 'Query read timeout') {
      this.end().catch(() => {});
      return new DatabaseTimeoutError(this.deadlineMs);
    }
    return asValueRejected(error);
  }
}

/**
 * How much longer than the deadline the client waits for an answer (ms): PostgreSQL's own timeouts end
 * a statement or an idle transaction first when the server runs (the connection is kept), and a query
 * the client gives up on has always been sent to a transaction idle for longer than the deadline.
 */
const CLIENT_DEADLINE_SLACK_MS = 500;

/**
 * Kysely's PostgreSQL dialect, but a rollback that cannot run because the connection is gone (closed at
 * its deadline, or lost) does not hide why the transaction failed: Kysely would throw the rollback's
 * error instead. PostgreSQL rolls back the transaction of a connection that ended.
 */
class PostgresDialectKeepingCause extends PostgresDialect {
  constructor(private readonly settings: PostgresDialectConfig) {
    super(settings);
  }
  override createDriver(): Driver {
    return new PostgresDriverKeepingCause(this.settings);
  }
}

class PostgresDriverKeepingCause extends PostgresDriver {
  override async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    try {
      await super.rollbackTransaction(connection);
    } catch (error) {
      if (!isDatabaseUnavailable(error)) throw error;
    }
  }
}

/** How {@link openDatabase} opens a database. */
export interface DatabaseOptions {
  /** PostgreSQL connections in the pool (default 10). */
  poolSize?: number;
  /**
   * The deadline of every database call (ms). On PostgreSQL: `statement_timeout`, the wait for a pooled
   * or a new connection, `idle_in_transaction_session_timeout`, and a client-side query timeout
   * {@link CLIENT_DEADLINE_SLACK_MS} later. On SQLite: the busy timeout. Unset: on PostgreSQL none but
   * a 2 s connect timeout (migrations, the CLI), on SQLite 5 s.
   */
  timeoutMs?: number;
  /**
   * PostgreSQL without `timeoutMs`: the wait for a new connection (ms, default 2 s), for a connection
   * that must not have a statement deadline but must not wait forever for a server that never answers.
   */
  connectTimeoutMs?: number;
}

/**
 * Opens a database from a URL. SQLite runs in WAL mode with a busy timeout so several processes can
 * share the file; PostgreSQL uses a pool with a connect timeout so an outage fails fast.
 *
 * With `timeoutMs`, a hung or frozen PostgreSQL server fails every call in time, and a transaction the
 * client gave up on never commits later. The client gives up on a statement {@link CLIENT_DEADLINE_SLACK_MS}
 * after the deadline and closes the connection (CheckedClient), so nothing more is sent on it. A COMMIT
 * already sent waits in the frozen server's socket; when the server resumes, its transaction has been
 * idle past `idle_in_transaction_session_timeout`, and PostgreSQL ends such a session before it executes
 * the next command it reads: the transaction rolls back, and the client that got a 503 still holds a
 * valid refresh token (test/database-deadlines.test.ts). A statement it was executing is cancelled by
 * `statement_timeout`; one it had not read yet runs, then meets the end of the connection, and its
 * transaction rolls back.
 */
export function openDatabase(url: string, options: DatabaseOptions = {}): Db {
  const { timeoutMs } = options;
  if (dialectOf(url) === 'postgres') {
    const deadlines =
      timeoutMs === undefined
        ? {}
        : {
            statement_timeout: timeoutMs,
            idle_in_transaction_session_timeout: timeoutMs,
            query_timeout: timeoutMs + CLIENT_DEADLINE_SLACK_MS,
          };
    const pool = new pg.Pool({
      connectionString: url,
      Client: CheckedClient,
      max: options.poolSize ?? 10,
      connectionTimeoutMillis: timeoutMs ?? options.connectTimeoutMs ?? 2000,
      idleTimeoutMillis: 30_000,
      ...deadlines,
    });
    // An idle client losing its connection must not crash the process.
    pool.on('error', () => {});
    // Never back into the pool inside a transaction: the next request's queries would run in it.
    pool.on('release', (error: Error | undefined, client: pg.PoolClient) => {
      if (!error && client.getTransactionStatus() !== 'I') client.end().catch(() => {});
    });
    const db = new Kysely<Database>({ dialect: new PostgresDialectKeepingCause({ pool }) });
    natives.set(db, { dialect: 'postgres', pool, timeoutMs });
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
  sqlite.pragma(`busy_timeout = ${Math.floor(timeoutMs ?? 5000)}`);
  sqlite.pragma('foreign_keys = ON');
  const handle: SqliteHandle = { dialect: 'sqlite', sqlite };
  const db = new Kysely<Database>({
    dialect: new SharedFileSqliteDialect({ database: withStatementCache(sqlite) }, handle),
  });
  natives.set(db, handle);
  return db;
}

/**
 * SQLite file: from now on, copy the write-ahead log back into the database on a worker thread as it
 * grows, so the checkpoint a commit runs finds little left to copy (storage/wal-checkpointer.ts). It
 * stops when the database is destroyed. For a server, once it has started (a start that seals keys
 * stored in clear empties the log afterwards, which a checkpoint running meanwhile would prevent); a
 * CLI command's few writes do not need it. Nothing for PostgreSQL or `:memory:`.
 */
export function checkpointInBackground(db: Db): WalCheckpointer | undefined {
  const handle = natives.get(db);
  if (handle?.dialect !== 'sqlite' || handle.sqlite.memory || !handle.sqlite.name) return undefined;
  handle.checkpointer ??= startWalCheckpointer(handle.sqlite.name);
  return handle.checkpointer;
}
