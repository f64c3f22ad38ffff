/**
 * Tells a database outage from a bug, so an outage answers 503 and never 500; and tells a value the
 * database refuses (a NUL byte, a string too long for its column) from a bug, so it answers 400.
 */
import { invalidRequest, type OAuthError } from '../oauth/errors.js';

const UNAVAILABLE_CODES = new Set([
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
    if (typeof code === 'string' && (UNAVAILABLE_CODES.has(code) || code.startsWith('SQLITE_IOERR')))
      return true;
    if (
      /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|database connection is not open/i.test(
        e.message,
      )
    ) {
      return true;
    }
    if (e instanceof AggregateError) return e.errors.some(isDatabaseUnavailable);
  }
  return false;
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
 * The safety net behind the shape checks of the repositories: a data exception means a presented value
 * the database cannot store or compare, i.e. a malformed request, so it becomes RFC 6749 §5.2
 * `invalid_request` (400) instead of a 500. The database's own error, which may quote the value, is
 * kept only as `cause` (never in the description, never logged by the error handler). Other errors are
 * returned unchanged.
 */
export function dataExceptionAsInvalidRequest(error: unknown): unknown {
  if (!isDataException(error)) return error;
  const answer: OAuthError = invalidRequest('a parameter has a value the server cannot process');
  Object.defineProperty(answer, 'cause', { value: error, enumerable: false });
  return answer;
}
