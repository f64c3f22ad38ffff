/**
 * The errors storage raises, told apart by class, never HTTP answers: a database outage (so the HTTP
 * layer can answer 503, never 500), a value the database refuses (a NUL byte, a string too long for its
 * column: the HTTP layer answers 400), and a failed code redemption or refresh (`invalid_grant`).
 * `http/error-handler.ts` and the grants turn them into answers.
 */

/** Why a redemption or refresh failed: each is `invalid_grant` on the wire (RFC 6749 §5.2). */
export type GrantFailure =
  | 'unknown'
  | 'expired'
  | 'wrong_client'
  | 'replayed'
  | 'revoked'
  | 'check_failed'
  | 'scope_widened';

/** A failed redemption or refresh, with the reason (never shown on the wire: RFC 6749 §5.2). */
export class GrantError extends Error {
  override readonly name = 'GrantError';
  constructor(readonly reason: GrantFailure) {
    super(reason);
  }
}

/**
 * A database call that did not answer within its deadline (LATCHKEY_DATABASE_TIMEOUT): the database is
 * unreachable or frozen. The connection it ran on has been closed, so nothing it sent runs later.
 */
export class DatabaseTimeoutError extends Error {
  override readonly name = 'DatabaseTimeoutError';
  readonly code = 'LATCHKEY_DATABASE_TIMEOUT';
  constructor(readonly deadlineMs: number) {
    super(`the database did not answer within ${deadlineMs} ms`);
  }
}

/**
 * SQLite's result codes for a database busy, locked or unreadable right now, with their extended codes
 * (`SQLITE_BUSY_SNAPSHOT`, `SQLITE_BUSY_RECOVERY`, `SQLITE_LOCKED_SHAREDCACHE`, `SQLITE_IOERR_*`).
 */
const SQLITE_UNAVAILABLE = /^SQLITE_(BUSY|LOCKED|IOERR)(_|$)/;

const UNAVAILABLE_CODES = new Set([
  'LATCHKEY_DATABASE_TIMEOUT',
  // The throttles' shared counters (PostgreSQL or Redis) cannot be reached (throttle/store.ts).
  'LATCHKEY_COUNTERS_UNAVAILABLE',
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'SQLITE_BUSY',
  'SQLITE_LOCKED',
  'SQLITE_CANTOPEN',
  'SQLITE_IOERR',
  'SQLITE_FULL',
  '57014', // query_canceled: statement_timeout, or a transaction past its deadline at commit
  '25P03', // idle_in_transaction_session_timeout
  '55P03', // lock_not_available
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
  '53300', // too_many_connections
  '08000',
  '08003',
  '08006',
]);

/** Whether an error means "the database cannot be reached right now". */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (let e = error; e instanceof Error; e = (e as { cause?: unknown }).cause) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && (UNAVAILABLE_CODES.has(code) || SQLITE_UNAVAILABLE.test(code)))
      return true;
    if (
      /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Client was closed and is not queryable|database connection is not open/i.test(
        e.message,
      )
    ) {
      return true;
    }
    if (e instanceof AggregateError) return e.errors.some(isDatabaseUnavailable);
  }
  return false;
}

/**
 * Codes of a call that ran out of time: the client's deadline, PostgreSQL's `statement_timeout` (57014),
 * `idle_in_transaction_session_timeout` (25P03), `lock_timeout` (55P03), and SQLite's busy timeout.
 */
const TIMEOUT_CODES = new Set(['LATCHKEY_DATABASE_TIMEOUT', '57014', '25P03', '55P03', 'SQLITE_BUSY']);

/**
 * Of an error {@link isDatabaseUnavailable} accepts: whether the call ran past a deadline
 * (LATCHKEY_DATABASE_TIMEOUT, the wait for a pooled connection included), or the database could not be
 * reached or refused (GET /metrics counts the two apart).
 */
export function databaseFailureKind(error: unknown): 'timeout' | 'unavailable' {
  for (let e = error; e instanceof Error; e = (e as { cause?: unknown }).cause) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && TIMEOUT_CODES.has(code)) return 'timeout';
    if (/timeout exceeded when trying to connect|due to connection timeout/i.test(e.message))
      return 'timeout';
    if (e instanceof AggregateError && e.errors.some((inner) => databaseFailureKind(inner) === 'timeout'))
      return 'timeout';
  }
  return 'unavailable';
}

/** SQLSTATE class 22, "data exception": a value the column or the encoding cannot hold (PostgreSQL appendix A). */
const DATA_EXCEPTION_CLASS = '22';

/**
 * Whether an error is a PostgreSQL data exception (SQLSTATE class 22: `22021` character not in
 * repertoire, e.g. a NUL byte; `22001` string too long; `22P02` invalid text representation; ...).
 * Connection failures are other classes and stay {@link isDatabaseUnavailable}.
 */
export function isDataException(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return (
    error instanceof Error &&
    typeof code === 'string' &&
    code.length === 5 &&
    code.startsWith(DATA_EXCEPTION_CLASS)
  );
}

/**
 * A value the database refused to store or compare: a PostgreSQL data exception (SQLSTATE class 22),
 * i.e. a presented value that a shape check should have refused first. The database's own error, which
 * may quote the value, is kept only as `cause` (never in the message, never logged); `sqlstate` is safe
 * to log.
 */
export class ValueRejectedError extends Error {
  override readonly name = 'ValueRejectedError';
  constructor(
    readonly sqlstate: string,
    cause: unknown,
  ) {
    super(`the database refused a value (SQLSTATE ${sqlstate})`);
    Object.defineProperty(this, 'cause', { value: cause, enumerable: false });
  }
}

/**
 * The safety net behind the shape checks of the repositories: a data exception becomes a
 * {@link ValueRejectedError}; other errors are returned unchanged.
 */
export function asValueRejected(error: unknown): unknown {
  return isDataException(error) ? new ValueRejectedError((error as { code: string }).code, error) : error;
}
