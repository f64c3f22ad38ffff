/**
 * The CLI against a PostgreSQL server that stops answering: a command gives up after
 * LATCHKEY_DATABASE_TIMEOUT (the server's deadline, the CLI's too) with exit 1 and one line saying the
 * database did not answer, instead of hanging until someone presses Ctrl-C: frozen before the command
 * starts (it connects, and nothing answers), and a statement that waits behind another session's lock.
 * Once thawed, the same command works.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PostgresInstance, requirePostgres, startPostgres } from './support/postgres.js';
import { cliAsync } from './support/process.js';
import { kekEnv } from './support/server.js';

describe.skipIf(!requirePostgres('the CLI deadline tests'))('the CLI and a frozen PostgreSQL server', () => {
  let cluster: PostgresInstance;
  let env: Record<string, string>;
  beforeAll(async () => {
    cluster = await startPostgres({ database: 'cli_frozen' });
    env = {
      LATCHKEY_DATABASE_URL: cluster.url,
      LATCHKEY_DATABASE_TIMEOUT: '1s',
      ...kekEnv('postgres'),
    };
    // The first command migrates the database.
    const created = await cliAsync(['apps', 'create', '--name', 'Before', '--scope', 'data:read'], env);
    expect(created.code, created.stderr).toBe(0);
  }, 60_000);
  afterAll(async () => {
    cluster?.thaw();
    await cluster?.stop();
  });

  /** Runs a command with the cluster frozen; its answer and how long it took (ms). */
  const whileFrozen = async (args: string[]) => {
    await cluster.freeze();
    try {
      const started = Date.now();
      const result = await cliAsync(args, env);
      return { ...result, ms: Date.now() - started };
    } finally {
      cluster.thaw();
    }
  };

  it.each([
    ['apps', 'list'],
    ['apps', 'create', '--name', 'During', '--scope', 'data:read'],
    ['users', 'create', '--email', 'frozen@example.com', '--password', 'a long enough password'],
  ])(
    '`latchkey %s %s` gives up within the deadline, exit 1, one line',
    async (...args) => {
      const result = await whileFrozen(args);
      expect(result.code).toBe(1);
      expect(result.stderr).toBe(
        'latchkey: the database did not answer within 1 s (LATCHKEY_DATABASE_TIMEOUT)\n',
      );
      // The deadline, the connect's and the client's slack, and a Node start: far from cliAsync's 30 s.
      expect(result.ms).toBeLessThan(8_000);
    },
    20_000,
  );

  it('a statement waiting behind a lock gives up within the deadline too', async () => {
    const locker = new pg.Client({ connectionString: cluster.url });
    await locker.connect();
    try {
      await locker.query('begin');
      await locker.query('lock table clients in access exclusive mode');
      const started = Date.now();
      const result = await cliAsync(['apps', 'list'], env);
      expect(result.code).toBe(1);
      expect(result.stderr).toBe(
        'latchkey: the database did not answer within 1 s (LATCHKEY_DATABASE_TIMEOUT)\n',
      );
      expect(Date.now() - started).toBeLessThan(8_000);
    } finally {
      await locker.query('rollback').catch(() => {});
      await locker.end();
    }
  }, 20_000);

  it('works again once the database answers', async () => {
    const listed = await cliAsync(['apps', 'list', '--json'], env);
    expect(listed.code, listed.stderr).toBe(0);
    const names = (JSON.parse(listed.stdout) as { name: string }[]).map((app) => app.name);
    expect(names).toContain('Before');
  });
});
