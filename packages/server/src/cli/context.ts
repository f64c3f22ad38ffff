/** What CLI commands share: the configuration and a lazily opened, migrated database. */
import type { Config } from '../config.js';
import { makeDatabaseFilesPrivate } from '../startup/database-files.js';
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

  /** Closes what was opened. */
  async close(): Promise<void> {
    await this.database?.destroy();
  }
}
