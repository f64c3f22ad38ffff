/**
 * Test harness: one CLI installation (a data folder and an empty database of the dialect), the
 * `latchkey` CLI run against it in a child process, and the database opened beside it, on first use
 * (once the CLI has migrated it), to read and arrange what the CLI works on.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Db, openDatabase } from '../../src/storage/database.js';
import { openRepositories, type Repositories } from '../../src/storage/repositories.js';
import { cliAsync } from './process.js';
import { type DialectName, freshDatabase, kekEnv } from './server.js';

/** What one CLI command did; `json()` parses what it printed. */
export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
  // biome-ignore lint/suspicious/noExplicitAny: the CLI's JSON, which the tests read member by member
  json(): any;
}

/** A data folder and database the CLI runs against (see the file's comment). */
export class CliInstallation {
  private opened: { db: Db; repos: Repositories } | undefined;

  private constructor(
    /** The data folder (LATCHKEY_DATA_DIR), removed by {@link CliInstallation.close}. */
    readonly dir: string,
    /** LATCHKEY_DATABASE_URL. */
    readonly url: string,
    /** What every command runs with. */
    readonly env: Record<string, string>,
  ) {}

  /** A fresh installation on `dialect`, its folder named after `prefix`. */
  static async create(dialect: DialectName, prefix: string): Promise<CliInstallation> {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    const url = await freshDatabase(dialect, dir);
    return new CliInstallation(dir, url, {
      LATCHKEY_DATA_DIR: dir,
      LATCHKEY_DATABASE_URL: url,
      ...kekEnv(dialect),
    });
  }

  /** Runs `latchkey <args>` without blocking this process. */
  async run(...args: string[]): Promise<CliRun> {
    const result = await cliAsync(args, this.env);
    return { ...result, json: () => JSON.parse(result.stdout) };
  }

  /** The database, opened on first use: run a command first, which migrates it. */
  get db(): Db {
    return this.open().db;
  }

  /** The repositories over {@link CliInstallation.db}. */
  get repos(): Repositories {
    return this.open().repos;
  }

  /** Closes the database and removes the folder. */
  async close(): Promise<void> {
    await this.opened?.db.destroy();
    rmSync(this.dir, { recursive: true, force: true });
  }

  private open() {
    if (!this.opened) {
      const db = openDatabase(this.url);
      this.opened = { db, repos: openRepositories(db) };
    }
    return this.opened;
  }
}
