/**
 * The SQLite file and its WAL and shared-memory files: readable and writable by this user only (0600),
 * whatever the umask. They hold password hashes, sealed signing keys and everything else a copy of the
 * database would give away to another user of the machine.
 */
import { chmodSync, closeSync, fchmodSync, mkdirSync, openSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { dialectOf } from '../storage/database.js';

/** The file a SQLite URL opens (`sqlite:` prefix dropped), or `undefined` for PostgreSQL and `:memory:`. */
export function sqliteFile(url: string): string | undefined {
  if (dialectOf(url) !== 'sqlite') return undefined;
  const file = url.replace(/^sqlite:(\/\/)?/i, '');
  return file === ':memory:' || file === '' ? undefined : file;
}

/** The files SQLite keeps beside the database in WAL mode. */
const COMPANIONS = ['-wal', '-shm'];

/**
 * Before the database is opened: creates its folder (0700) and an empty database file (0600) if they
 * are missing, and takes group and other access away from a database file, WAL or shared-memory file a
 * previous release left readable (0644). SQLite creates the WAL and shared-memory files with the mode
 * of the database file, so once the file is 0600 they are too (test/file-modes.test.ts starts the real
 * binary under umask 000 and stats all three). Errors are thrown as they are: the caller names the
 * database.
 */
export function makeDatabaseFilesPrivate(url: string): void {
  const file = sqliteFile(url);
  if (file === undefined) return;
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  try {
    const fd = openSync(file, 'wx', 0o600);
    try {
      // The umask may have taken bits from 0600 (even the owner's): set it exactly.
      fchmodSync(fd, 0o600);
    } finally {
      closeSync(fd);
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  for (const path of [file, ...COMPANIONS.map((suffix) => `${file}${suffix}`)]) {
    let mode: number;
    try {
      mode = statSync(path).mode;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw error;
    }
    if ((mode & 0o077) !== 0) chmodSync(path, mode & 0o700);
  }
}
