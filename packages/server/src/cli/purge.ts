/** `latchkey purge`: delete expired rows now and print how many went, per table. */
import { PURGED_TABLES, purgeExpired, totalPurged } from '../storage/purge.js';
import { out, parse, UsageError } from './args.js';
import type { CliContext } from './context.js';

/**
 * Runs one purge (the same one a server runs every LATCHKEY_PURGE_INTERVAL seconds). Safe while
 * servers are running on the same database.
 */
export async function purgeCommand(args: string[], cli: CliContext): Promise<void> {
  const { positionals } = parse('purge', args, {});
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  const counts = await purgeExpired(await cli.db(), {
    accessTokenTtl: cli.config.accessTokenTtl,
    auditRetention: cli.config.auditRetention,
  });
  const width = Math.max(...PURGED_TABLES.map((table) => table.length)) + 1;
  for (const table of PURGED_TABLES) out(`${`${table}:`.padEnd(width)} ${counts[table]}`);
  out(`deleted ${totalPurged(counts)} rows`);
}
