/**
 * Which key-encryption key (KEK) seals the signing keys: LATCHKEY_KEY_ENCRYPTION_KEY, or on SQLite the
 * one in `<dataDir>/key-encryption.key`, generated on first use.
 */
import { chmodSync, linkSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Config, ConfigError } from '../config.js';
import {
  KeyDecryptionError,
  KeyEncryptionKey,
  KeyEncryptionKeyFormatError,
  Keyring,
} from '../keys/key-encryption.js';
import { dialectOf } from '../storage/database.js';
import { prepareDataDir } from './data-dir.js';
import { sqliteFile } from './database-files.js';
import { reason, StartupError } from './startup-error.js';

/** The file a SQLite installation keeps its KEK in when LATCHKEY_KEY_ENCRYPTION_KEY is unset. */
export const KEK_FILE_NAME = 'key-encryption.key';

/** The keyring a process seals and opens signing keys with. */
export interface ResolvedKeyring {
  keyring: Keyring;
  /** The file this call generated the KEK into (say so once: the next start reads it). */
  generated?: string;
}

/** The one line a process says when it generated the KEK file: where, never the key. */
export function generatedMessage(file: string): string {
  return `generated a key-encryption key in ${file} (mode 0600): back it up apart from the database; the signing keys cannot be read without it`;
}

/** Reads the KEK file (`undefined` if there is none), making it private (0600) if a copy left it readable. */
function readKekFile(file: string): KeyEncryptionKey | undefined {
  let text: string;
  try {
    if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
    text = readFileSync(file, 'utf8');
  } catch (error) {
    // Missing, or the data folder is not a folder: prepareDataDir names that problem.
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw new StartupError(`cannot read the key-encryption key ${file}: ${reason(error)}`, { cause: error });
  }
  try {
    return KeyEncryptionKey.parse(text);
  } catch (error) {
    if (error instanceof KeyEncryptionKeyFormatError) throw new StartupError(`${file} ${error.message}`);
    throw error;
  }
}

/**
 * Creates the KEK file with a new key unless it exists, atomically: the key is written to a file of
 * this process, then linked to the final name, which fails if another process got there first (two
 * servers starting at once on a fresh data folder then both use the first one's key).
 */
function createKekFile(dir: string, file: string): KeyEncryptionKey | undefined {
  const kek = KeyEncryptionKey.generate();
  const partial = join(dir, `.${KEK_FILE_NAME}.${process.pid}.tmp`);
  try {
    rmSync(partial, { force: true });
    writeFileSync(partial, `${kek.serialize()}\n`, { mode: 0o600, flag: 'wx' });
    chmodSync(partial, 0o600);
    try {
      linkSync(partial, file);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP') throw error;
      // A file system without hard links: an exclusive create, still never replacing another's key.
      writeFileSync(file, `${kek.serialize()}\n`, { mode: 0o600, flag: 'wx' });
    }
    return kek;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return undefined;
    throw new StartupError(`cannot save the key-encryption key to ${file}: ${reason(error)}`, {
      cause: error,
    });
  } finally {
    rmSync(partial, { force: true });
  }
}

/**
 * The keyring of this configuration: LATCHKEY_KEY_ENCRYPTION_KEY (and _PREVIOUS) when set. Otherwise,
 * on SQLite, the KEK file in the data folder, generated (mode 0600) if missing; an in-memory database
 * gets a key that lives as long as it does. PostgreSQL requires the variable: several servers share
 * the database, and a file on one machine would not reach the others ({@link ConfigError}).
 */
export function resolveKeyring(config: Config): ResolvedKeyring {
  const previous = config.previousKeyEncryptionKeys;
  const ring = (current: KeyEncryptionKey) => {
    try {
      return new Keyring(current, previous);
    } catch (error) {
      if (error instanceof KeyEncryptionKeyFormatError)
        throw new ConfigError(`LATCHKEY_KEY_ENCRYPTION_KEY_PREVIOUS: ${error.message}`);
      throw error;
    }
  };
  if (config.keyEncryptionKey) return { keyring: ring(config.keyEncryptionKey) };
  if (dialectOf(config.databaseUrl) === 'postgres') {
    throw new ConfigError(
      'LATCHKEY_KEY_ENCRYPTION_KEY is required with PostgreSQL (it seals the signing keys): 32 random bytes as base64url, base64 or hex, e.g. from `openssl rand -hex 32`',
    );
  }
  if (sqliteFile(config.databaseUrl) === undefined) return { keyring: ring(KeyEncryptionKey.generate()) };
  const file = join(config.dataDir, KEK_FILE_NAME);
  const existing = readKekFile(file);
  if (existing) return { keyring: ring(existing) };
  prepareDataDir(config.dataDir);
  const created = createKekFile(config.dataDir, file);
  if (created) return { keyring: ring(created), generated: file };
  // Another process created it between our read and our link: use its key.
  const theirs = readKekFile(file);
  if (!theirs) throw new StartupError(`cannot read the key-encryption key ${file}: it disappeared`);
  return { keyring: ring(theirs) };
}

/**
 * Runs a step that opens signing keys; a KEK that does not open them fails it with exactly
 * "cannot decrypt the signing keys: wrong LATCHKEY_KEY_ENCRYPTION_KEY?", whatever step it was.
 */
export async function openingKeys<T>(step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    if (error instanceof KeyDecryptionError) throw new StartupError(error.message, { cause: error });
    throw error;
  }
}
