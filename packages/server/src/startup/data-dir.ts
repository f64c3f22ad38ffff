/** The data folder (LATCHKEY_DATA_DIR): created private on first use, checked before anything is written to it. */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { Config } from '../config.js';
import { dialectOf } from '../storage/database.js';
import { reason, StartupError } from './startup-error.js';

/**
 * Makes sure `dir` is a folder this process can write to, creating it (mode 0700: it holds the SQLite
 * file and the demo app's secret) if missing. Otherwise a {@link StartupError} names the problem.
 */
export function prepareDataDir(dir: string): void {
  const name = `LATCHKEY_DATA_DIR ${dir}`;
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw new StartupError(`${name} is a file, not a folder`, { cause: error });
    if (code === 'ENOTDIR')
      throw new StartupError(`${name} cannot be created: part of its path is a file`, { cause: error });
    throw new StartupError(`${name} cannot be created: ${reason(error)}`, { cause: error });
  }
  // Writing is the only test that holds for every user (root passes access checks on read-only folders).
  const probe = join(dir, `.latchkey-write-test-${process.pid}`);
  try {
    writeFileSync(probe, '', { mode: 0o600 });
    rmSync(probe, { force: true });
  } catch (error) {
    throw new StartupError(`${name} is not writable: ${reason(error)}`, { cause: error });
  }
}

/** Whether the database is a SQLite file inside the data folder (the default), so opening it writes there. */
export function databaseInDataDir(config: Config): boolean {
  if (dialectOf(config.databaseUrl) !== 'sqlite') return false;
  const file = config.databaseUrl.replace(/^sqlite:(\/\/)?/i, '');
  if (file === ':memory:') return false;
  const inside = relative(config.dataDir, resolve(file));
  return inside !== '..' && !inside.startsWith(`..${sep}`) && !isAbsolute(inside);
}
