/** What CLI commands share: the configuration and a lazily opened, migrated database. */
import type { Config } from '../config.js';
import { makeDatabaseFilesPrivate } from '../startup/database-files.js';
import { type AuditEvent, AuditRepository, CLI_ACTOR } from '../storage/audit.js';
import { ClientRepository } from '../storage/clients.js';
import { type Db, openDatabase } from '../storage/database.js';
import { migrate } from '../storage/migrations.js';

/** Lazily opened resources for one CLI run. */
export class CliContext {
  private database: Db | undefined;

  constructor(readonly config: Config) {}

  /** The database, opened and migrated on first use. */
  async db(): Promise<Db> {
    if (!this.database) {
      // A first command may create the database: private from the start, as a server makes it.
      makeDatabaseFilesPrivate(this.config.databaseUrl);
      this.database = openDatabase(this.config.databaseUrl);
      await migrate(this.database);
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
