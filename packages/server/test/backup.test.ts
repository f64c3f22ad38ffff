/** `latchkey backup FILE`: a consistent online copy of a running SQLite database that a server can start from. */
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { cliAsync, fetchToken, startProcess } from './support/process.js';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('latchkey backup', () => {
  it('copies the database while a server runs; a server started from the copy serves the same apps', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'latchkey-backup-'));
    dirs.push(dir);
    const env = { LATCHKEY_DATA_DIR: dir };
    const server = await startProcess(env);
    const copy = join(dir, 'copy.db');
    let demo: { client_id: string; client_secret: string };
    try {
      demo = JSON.parse(readFileSync(join(dir, 'demo-app.json'), 'utf8'));
      expect((await fetchToken(server.url, demo.client_id, demo.client_secret)).status).toBe(200);
      // Under load from the running server: the copy is still one consistent state.
      const load = Array.from({ length: 20 }, () =>
        fetchToken(server.url, demo.client_id, demo.client_secret),
      );
      const backup = await cliAsync(['backup', copy], env);
      await Promise.all(load);
      expect(backup.code).toBe(0);
      expect(backup.stdout).toMatch(/^backed up \d+ pages to /);
      expect(backup.stdout).toContain(join(dir, 'key-encryption.key'));
      expect(statSync(copy).mode & 0o777).toBe(0o600);
    } finally {
      await server.stop();
    }
    const db = new SQLite(copy, { readonly: true });
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      expect(db.prepare('select id from clients').pluck().all()).toEqual([demo.client_id]);
    } finally {
      db.close();
    }
    // Restoring is starting from the copy, with the same key-encryption key.
    const restored = await startProcess({ ...env, LATCHKEY_DATABASE_URL: copy });
    try {
      expect((await fetchToken(restored.url, demo.client_id, demo.client_secret)).status).toBe(200);
    } finally {
      await restored.stop();
    }
  });

  it('never overwrites a file, and refuses PostgreSQL with one line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'latchkey-backup-'));
    dirs.push(dir);
    const env = { LATCHKEY_DATA_DIR: dir, LATCHKEY_DEMO_APP: 'false' };
    const existing = join(dir, 'latchkey.db');
    await cliAsync(['migrate'], env);
    const again = await cliAsync(['backup', existing], env);
    expect(again.code).toBe(2);
    expect(again.stderr.trim().split('\n')).toHaveLength(1);
    expect(again.stderr).toContain('never overwrites');
    const pg = await cliAsync(['backup', join(dir, 'x.db')], {
      ...env,
      LATCHKEY_DATABASE_URL: 'postgres://u@127.0.0.1:1/db',
      LATCHKEY_KEY_ENCRYPTION_KEY: 'a'.repeat(64),
    });
    expect(pg.code).toBe(2);
    expect(pg.stderr).toContain('pg_dump');
    expect(existsSync(join(dir, 'x.db'))).toBe(false);
  });
});
