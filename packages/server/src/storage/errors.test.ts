import { describe, expect, it } from 'vitest';
import { isDatabaseUnavailable } from './errors.js';

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
