/** What CLI commands share: the configuration and a lazily opened, migrated database. */
import type { Config } from '../config.js';
import { makeDatabaseFilesPrivate } from '../startup/database-files.js';
import { type AuditEvent, AuditRepository, CLI_ACTOR } from '../storage/audit.js';
import { ClientRepository } from '../storage/clients.js';
import { type Db, openDatabase } from '../storage/database.js';
import { migrateWithoutDeadline } from '../storage/migrations.js';

/** Lazily opened resources for one CLI run. */
export class CliContext {
  private database: Db | undefined;

  constructor(readonly config: Config) {}

  /**
   * The database, opened and migrated on first use. Every call has the server's deadline
   * (LATCHKEY_DATABASE_TIMEOUT), so a command against a database that stopped answering fails in time
   * instead of hanging; migrations have none but the wait to connect (storage/migrations.ts).
   */
  async db(): Promise<Db> {
    if (!this.database) {
      const { databaseUrl, databaseTimeoutMs } = this.config;
      // A first command may create the database: private from the start, as a server makes it.
      makeDatabaseFilesPrivate(databaseUrl);
      this.database = openDatabase(databaseUrl, { timeoutMs: databaseTimeoutMs });
      await migrateWithoutDeadline(this.database, databaseUrl, databaseTimeoutMs);
    }
    return this.database;
  }

  /** The client repository. */
  async clients(): Promise<ClientRepository> {
    return new ClientRepository(await this.db());
  }

  /** The audit log. */
  async audit(): Promise<AuditRepository> {
    return new AuditRepository(await this.db());
  }

  /**
   * Records an admin action in the audit log, right after the change it describes was made (and its
   * output printed: a secret shown once must not be lost to a failed write): the actor is `cli`, and
   * the details name the `command`.
   */
  async recordAdminAction(command: string, event: Omit<AuditEvent, 'actor'>): Promise<void> {
    try {
      await (await this.audit()).record({
        ...event,
        actor: CLI_ACTOR,
        details: { command, ...event.details },
      });
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new Error(`${command} was done, but its audit event could not be recorded: ${reason}`);
    }
  }

  /** Closes what was opened. */
  async close(): Promise<void> {
    await this.database?.destroy();
  }
}
