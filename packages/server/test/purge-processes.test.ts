/**
 * Purging from outside the server, on SQLite and PostgreSQL: a purge by the server and by another
 * process at once, and two servers purging one PostgreSQL database, each delete every row once;
 * `latchkey purge` prints what it deleted per table, and bad arguments exit 2 with one line.
 */
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../src/storage/database.js';
import { PURGED_TABLES, purgeExpired } from '../src/storage/purge.js';
import { randomToken } from '../src/tokens/random.js';
import { nowSeconds } from './support/attacks.js';
import { cli, cliAsync } from './support/process.js';
import { none, usePurgeServer } from './support/purge.js';
import { dialects } from './support/server.js';

describe.each(dialects())('purge on %s', (dialect) => {
  const f = usePurgeServer(dialect);

  it('purges by a server and by another process at once both succeed and delete each row once', async () => {
    await f.purge();
    for (let i = 0; i < 40; i++) await f.s.ctx.users.createSession(f.userId, -10);
    const [here, there] = await Promise.all([
      f.purge({ batchSize: 5 }),
      cliAsync(['purge'], { LATCHKEY_DATA_DIR: f.s.dir, LATCHKEY_DATABASE_URL: f.s.config.databaseUrl }),
    ]);
    expect(there.stderr).toBe('');
    const elsewhere = Number(/^sessions:\s+(\d+)$/m.exec(there.stdout)?.[1]);
    expect(here.sessions + elsewhere).toBe(40);
    const expired = await f.s.ctx.db
      .selectFrom('sessions')
      .select('id_hash')
      .where('expires_at', '<', nowSeconds())
      .execute();
    expect(expired).toEqual([]);
  });

  it.runIf(dialect === 'postgres')('two servers purging one PostgreSQL database take turns', async () => {
    await f.purge();
    for (let i = 0; i < 40; i++) await f.s.ctx.users.createSession(f.userId, -10);
    const other = openDatabase(f.s.config.databaseUrl);
    try {
      const results = await Promise.all([
        f.purge({ batchSize: 3 }),
        purgeExpired(other, { accessTokenTtl: f.s.config.accessTokenTtl, batchSize: 3 }),
        purgeExpired(other, { accessTokenTtl: f.s.config.accessTokenTtl, batchSize: 7 }),
      ]);
      expect(results.reduce((sum, c) => sum + c.sessions, 0)).toBe(40);
    } finally {
      await other.destroy();
    }
  });

  it('`latchkey purge` prints what it deleted per table; bad arguments exit 2 with one line', async () => {
    await f.purge();
    await f.s.ctx.users.createSession(f.userId, -10);
    await f.s.ctx.users.createSession(f.userId, -10);
    await f.s.ctx.db
      .insertInto('revoked_tokens')
      .values({ jti: randomToken(12), expires_at: 1 })
      .execute();
    const env = {
      LATCHKEY_DATA_DIR: f.s.dir,
      LATCHKEY_DATABASE_URL: f.s.config.databaseUrl,
      LATCHKEY_LOG_LEVEL: 'warn',
    };
    const run = cli(['purge'], env);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const lines = run.stdout.trim().split('\n');
    expect(lines).toHaveLength(PURGED_TABLES.length + 1);
    const printed = Object.fromEntries(
      lines.slice(0, -1).map((line) => {
        const [table, count] = line.split(/:\s+/);
        return [table, Number(count)];
      }),
    );
    expect(printed).toEqual({ ...none(), sessions: 2, revoked_tokens: 1 });
    expect(lines.at(-1)).toBe('deleted 3 rows');
    expect(cli(['purge'], env).stdout).toContain('deleted 0 rows');
    for (const args of [
      ['purge', 'now'],
      ['purge', '--all'],
    ]) {
      const bad = cli(args, env);
      expect(bad.code).toBe(2);
      expect(bad.stdout).toBe('');
      expect(bad.stderr.trim().split('\n')).toHaveLength(1);
      expect(bad.stderr).toMatch(/^latchkey: /);
    }
  });
});
