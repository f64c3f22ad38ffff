import { describe, expect, it } from 'vitest';
import { DatabaseTimeoutError, databaseFailureKind, isDatabaseUnavailable } from './errors.js';

const coded = (code: string) => Object.assign(new Error(code), { code });

describe('isDatabaseUnavailable', () => {
  it.each([
    'SQLITE_BUSY',
    'SQLITE_BUSY_SNAPSHOT',
    'SQLITE_BUSY_RECOVERY',
    'SQLITE_LOCKED',
    'SQLITE_LOCKED_SHAREDCACHE',
    'SQLITE_IOERR_SHORT_READ',
  ])('%s is an outage (503), not a bug (500)', (code) => {
    expect(isDatabaseUnavailable(coded(code))).toBe(true);
  });
  it.each(['SQLITE_CONSTRAINT_UNIQUE', 'SQLITE_BUSYNESS', '23505'])('%s is not', (code) => {
    expect(isDatabaseUnavailable(coded(code))).toBe(false);
  });
});

describe('databaseFailureKind (latchkey_database_errors_total{kind})', () => {
  const wrapped = (cause: Error) => new Error('transaction failed', { cause });
  it.each([
    ['the client deadline', new DatabaseTimeoutError(5000)],
    ['statement_timeout (57014)', coded('57014')],
    ['idle_in_transaction_session_timeout (25P03)', coded('25P03')],
    ['lock_timeout (55P03)', coded('55P03')],
    ['SQLite busy timeout', coded('SQLITE_BUSY')],
    ['no pooled connection in time', new Error('timeout exceeded when trying to connect')],
    ['no new connection in time', new Error('Connection terminated due to connection timeout')],
    ['a deadline as the cause', wrapped(new DatabaseTimeoutError(5000))],
  ])('%s is a timeout', (_what, error) => {
    expect(isDatabaseUnavailable(error)).toBe(true);
    expect(databaseFailureKind(error)).toBe('timeout');
  });
  it.each([
    ['refused', coded('ECONNREFUSED')],
    ['admin_shutdown (57P01)', coded('57P01')],
    ['too_many_connections (53300)', coded('53300')],
    ['SQLite locked', coded('SQLITE_LOCKED')],
    ['a lost connection', new Error('Connection terminated unexpectedly')],
    ['every address refused', new AggregateError([coded('ECONNREFUSED'), coded('ECONNREFUSED')])],
  ])('%s is unavailable', (_what, error) => {
    expect(isDatabaseUnavailable(error)).toBe(true);
    expect(databaseFailureKind(error)).toBe('unavailable');
  });
});
