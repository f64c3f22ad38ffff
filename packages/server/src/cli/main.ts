/** The `latchkey` command line: start, migrate, apps, keys, users, audit, purge, backup, proxy. */
import { ConfigError, loadConfig } from '../config.js';
import { databaseFailureKind, isDatabaseUnavailable } from '../storage/errors.js';
import { APPS_USAGE, appsCommand } from './apps.js';
import { out, ShowUsage, UsageError } from './args.js';
import { AUDIT_USAGE, auditCommand } from './audit.js';
import { backupCommand } from './backup.js';
import { CliContext } from './context.js';
import { keysCommand } from './keys.js';
import { purgeCommand } from './purge.js';
import { startCommand } from './start.js';
import { USERS_USAGE, usersCommand } from './users.js';

/** The `latchkey help` text: every command and flag of the CLI (cli/*.ts), as the README shows them. */
const USAGE = `usage: latchkey <command>

  help, --help, -h                    show this text
  start                               run the authorization server
  migrate                             bring the database schema up to date
${APPS_USAGE}
  keys rotate                         pre-publish a new key, promote the next one
  keys rewrap                         re-encrypt every private key under LATCHKEY_KEY_ENCRYPTION_KEY
                                      (opening older ones with LATCHKEY_KEY_ENCRYPTION_KEY_PREVIOUS)
${USERS_USAGE}
${AUDIT_USAGE}
  purge                               delete expired codes, sessions, tokens, grants, secrets, keys,
                                      and audit events older than LATCHKEY_AUDIT_RETENTION, now
  backup FILE                         copy the SQLite database, consistently, while servers run (0600)
  proxy                               run the token proxy for browser apps (CLIENT_ID, CLIENT_SECRET,
                                      LATCHKEY_ISSUER or TOKEN_ENDPOINT, ALLOWED_SCOPES, ALLOWED_ORIGINS)

Environment: PORT, HOST, LATCHKEY_ISSUER, LATCHKEY_DATABASE_URL, LATCHKEY_DATA_DIR, ... (see README)`;

/**
 * The line a failed command prints: a database that ran past its deadline (LATCHKEY_DATABASE_TIMEOUT,
 * connecting included) says so in words, anything else its own message.
 */
function failureMessage(error: unknown, databaseTimeoutMs: number | undefined): string {
  if (
    databaseTimeoutMs !== undefined &&
    isDatabaseUnavailable(error) &&
    databaseFailureKind(error) === 'timeout'
  ) {
    return `the database did not answer within ${databaseTimeoutMs / 1000} s (LATCHKEY_DATABASE_TIMEOUT)`;
  }
  return error instanceof Error ? error.message : String(error);
}

/** Runs the CLI and returns the exit code: 0 success, 2 usage or configuration error, 1 failure. */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
    out(USAGE);
    return command === undefined ? 2 : 0;
  }
  let cli: CliContext | undefined;
  try {
    const config = loadConfig();
    if (command === 'start') {
      await startCommand(config);
      return 0;
    }
    if (command === 'proxy') {
      // The token proxy (@latchkey/proxy) standalone: CLIENT_ID, CLIENT_SECRET, LATCHKEY_ISSUER, ...
      const { runProxyFromEnv, ProxyConfigError } = await import('@latchkey/proxy/cli');
      try {
        const running = await runProxyFromEnv(process.env);
        out(`latchkey proxy listening on ${running.tokenUrl}`);
        await new Promise<void>((resolve) => {
          const stop = () => running.close().then(resolve, resolve);
          process.once('SIGTERM', stop);
          process.once('SIGINT', stop);
        });
        return 0;
      } catch (error) {
        if (error instanceof ProxyConfigError) throw new UsageError(error.message);
        throw error;
      }
    }
    cli = new CliContext(config);
    if (command === 'migrate') {
      await cli.db();
      out('database is up to date');
    } else if (command === 'apps') await appsCommand(rest, cli);
    else if (command === 'keys') await keysCommand(rest, cli);
    else if (command === 'users') await usersCommand(rest, cli);
    else if (command === 'audit') await auditCommand(rest, cli);
    else if (command === 'purge') await purgeCommand(rest, cli);
    else if (command === 'backup') await backupCommand(rest, cli);
    else throw new UsageError(`unknown command "${command}"; run "latchkey help"`);
    return 0;
  } catch (error) {
    if (error instanceof ShowUsage) {
      out(error.text);
      return error.exitCode;
    }
    if (error instanceof UsageError || error instanceof ConfigError) {
      process.stderr.write(`latchkey: ${error.message}\n`);
      return 2;
    }
    process.stderr.write(`latchkey: ${failureMessage(error, cli?.config.databaseTimeoutMs)}\n`);
    return 1;
  } finally {
    await cli?.close();
  }
}
