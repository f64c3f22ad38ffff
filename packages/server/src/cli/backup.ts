/** `latchkey backup FILE`: a consistent copy of a running SQLite database, made online. */
import { chmodSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { dialectOf, nativeHandle } from '../storage/database.js';
import { out, parse, UsageError } from './args.js';
import type { CliContext } from './context.js';

/**
 * Copies the SQLite database with SQLite's online backup API, page by page, while servers keep
 * serving: the copy is one consistent state of the database, created 0600. PostgreSQL is backed up
 * with its own tools (`pg_dump`, README "Backups"). The key-encryption key is not in the database:
 * without it the copy's signing keys cannot be opened, so it is named, never copied.
 */
export async function backupCommand(args: string[], cli: CliContext): Promise<void> {
  const { positionals } = parse('backup', args, {});
  if (positionals.length !== 1) throw new UsageError('backup needs one argument: the file to write');
  const file = positionals[0] as string;
  if (dialectOf(cli.config.databaseUrl) !== 'sqlite') {
    throw new UsageError('backup copies a SQLite database; back up PostgreSQL with pg_dump (see README)');
  }
  if (existsSync(file)) throw new UsageError(`"${file}" exists; backup never overwrites a file`);
  const native = nativeHandle(await cli.db());
  if (native?.dialect !== 'sqlite') throw new UsageError('backup copies a SQLite database');
  const { totalPages } = await native.sqlite.backup(file);
  chmodSync(file, 0o600);
  out(`backed up ${totalPages} pages to ${file}`);
  const kek = join(cli.config.dataDir, 'key-encryption.key');
  if (cli.config.keyEncryptionKey === undefined && existsSync(kek)) {
    out(`keep ${kek} with it, apart from the copy: the signing keys cannot be opened without it`);
  } else {
    out(
      'keep LATCHKEY_KEY_ENCRYPTION_KEY with it, apart from the copy: the signing keys cannot be opened without it',
    );
  }
}
