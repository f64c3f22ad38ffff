/** Tests the throwaway PostgreSQL harness: start, query, stop, nothing left behind. */
import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { postgresAvailable, requirePostgres, startPostgres } from './support/postgres.js';

function portIsClosed(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });
}

describe('requirePostgres', () => {
  it('fails instead of skipping in CI when PostgreSQL is missing', () => {
    const saved = { CI: process.env['CI'], bindir: process.env['LATCHKEY_PG_BINDIR'] };
    try {
      process.env['CI'] = 'true';
      if (postgresAvailable()) expect(requirePostgres()).toBe(true);
      else expect(() => requirePostgres()).toThrow(/required in CI/);
    } finally {
      if (saved.CI === undefined) delete process.env['CI'];
      else process.env['CI'] = saved.CI;
    }
  });
});

describe.skipIf(!requirePostgres('the PostgreSQL harness test'))('startPostgres', () => {
  it('starts a cluster, runs queries, stops it and removes its directory', async () => {
    const started = Date.now();
    const db = await startPostgres();
    const startupMs = Date.now() - started;
    console.info(`[postgres] cluster ready in ${startupMs} ms at ${db.url}`);
    try {
      expect(db.url).toBe(`postgres://postgres@127.0.0.1:${db.port}/latchkey`);
      expect(existsSync(db.dir)).toBe(true);
      expect(startupMs).toBeLessThan(10_000);

      const client = new pg.Client({ connectionString: db.url });
      await client.connect();
      try {
        const one = await client.query('select 1 as one');
        expect(one.rows).toEqual([{ one: 1 }]);
        await client.query('create table apps (id text primary key, name text not null)');
        await client.query("insert into apps values ('a1', 'Demo')");
        const rows = await client.query('select id, name from apps');
        expect(rows.rows).toEqual([{ id: 'a1', name: 'Demo' }]);
        const current = await client.query('select current_database() as db');
        expect(current.rows[0].db).toBe('latchkey');
      } finally {
        await client.end();
      }

      const otherUrl = await db.createDatabase('second_db');
      const other = new pg.Client({ connectionString: otherUrl });
      await other.connect();
      const tables = await other.query("select count(*)::int as n from pg_tables where tablename = 'apps'");
      expect(tables.rows[0].n).toBe(0);
      await other.end();
    } finally {
      await db.stop();
    }
    expect(await portIsClosed(db.port)).toBe(true);
    expect(existsSync(db.dir)).toBe(false);
    await db.stop(); // idempotent
  });

  it('stops even while a client is still connected', async () => {
    const db = await startPostgres({ database: 'lingering' });
    const client = new pg.Client({ connectionString: db.url });
    client.on('error', () => {});
    await client.connect();
    await db.stop();
    expect(await portIsClosed(db.port)).toBe(true);
    expect(existsSync(db.dir)).toBe(false);
    await client.end().catch(() => {});
  });
});
