/**
 * The audit log from the command line and over time: every CLI command that changes apps, keys or users
 * records an admin action without its secret; `latchkey audit list` filters by `--since` (a duration or
 * a date), prints aligned lines newest first or one JSON array; the purge deletes events older than
 * LATCHKEY_AUDIT_RETENTION and never a younger one. On SQLite and PostgreSQL.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../src/config.js';
import { type AuditEvent, recordAuditIn } from '../src/storage/audit.js';
import { purgeExpired } from '../src/storage/purge.js';
import { nowSeconds } from './support/attacks.js';
import { cli, startProcess } from './support/process.js';
import { dialects, ISSUED_SECRET, kekEnv, startTestServer, type TestServer } from './support/server.js';

const DAY = 86400;

describe.each(dialects())('latchkey audit and the audit retention, on %s', (dialect) => {
  let s: TestServer;
  let env: Record<string, string>;
  beforeAll(async () => {
    s = await startTestServer(dialect);
    env = {
      LATCHKEY_DATA_DIR: s.dir,
      LATCHKEY_DATABASE_URL: s.config.databaseUrl,
      LATCHKEY_LOG_LEVEL: 'warn',
      ...kekEnv(dialect),
    };
  });
  afterAll(async () => {
    await s?.close();
  });

  /** Runs the CLI on the test server's database; fails the test with its output unless it exits 0. */
  const run = (args: string[], extra: Record<string, string> = {}) => {
    const result = cli(args, { ...env, ...extra });
    expect(result.code, result.stderr).toBe(0);
    return result.stdout;
  };
  const listJson = (...args: string[]) =>
    JSON.parse(run(['audit', 'list', '--json', ...args])) as Record<string, unknown>[];
  /** Events of a test's own, told apart by a marker in their details. */
  const record = (at: number, mark: string, event: Partial<AuditEvent> = {}) =>
    recordAuditIn(s.ctx.db, [{ type: 'grant.revoked', actor: 'system', ...event, details: { mark } }], at);
  const marks = (events: Record<string, unknown>[]) =>
    events.flatMap((event) => (event['details'] as { mark?: string }).mark ?? []);
  /** The marks of the stored events, newest first, read without the CLI. */
  const storedMarks = async () =>
    (await s.ctx.audit.list({ limit: 100_000 })).flatMap((event) => (event.details['mark'] as string) ?? []);
  const count = async () => (await s.ctx.audit.list({ limit: 100_000 })).length;

  it('every CLI command that changes apps, keys or users records an admin action, without its secret', async () => {
    const created = JSON.parse(
      run(['apps', 'create', '--name', 'Audited app', '--scope', 'data:read', '--json']),
    );
    const rotated = JSON.parse(run(['apps', 'rotate-secret', created.client_id, '--grace', '1h', '--json']));
    run(['keys', 'rotate']);
    run(['keys', 'rewrap']);
    const password = 'correct horse battery staple';
    const user = JSON.parse(
      run(['users', 'create', '--email', 'grace@example.com', '--password', password, '--json']),
    );
    run(['apps', 'delete', created.client_id]);
    // Reading changes nothing, and records nothing.
    const before = await count();
    run(['apps', 'list']);
    run(['apps', 'show', s.credentials.clientId]);
    const listed = run(['audit', 'list']);
    expect(await count()).toBe(before);

    const events = listJson().filter((event) => event['actor'] === 'cli');
    expect(events.map((event) => [event['type'], (event['details'] as { command: string }).command])).toEqual(
      [
        ['app.deleted', 'apps delete'],
        ['user.created', 'users create'],
        ['key.rewrapped', 'keys rewrap'],
        ['key.rotated', 'keys rotate'],
        ['app.secret_rotated', 'apps rotate-secret'],
        ['app.created', 'apps create'],
      ],
    );
    const [deleted, createdUser, rewrapped, keyRotated, secretRotated, appCreated] = events;
    expect(deleted).toMatchObject({ client_id: created.client_id, details: { name: 'Audited app' } });
    expect(createdUser).toMatchObject({ user_id: user.id, details: { email: 'grace@example.com' } });
    // Per algorithm (RS256, ES256, EdDSA): the retired key, the active one and the next one.
    expect(rewrapped?.['details']).toMatchObject({ sealed: 0, rewrapped: 0, unchanged: 9 });
    expect(keyRotated?.['details']).toMatchObject({ alg: 'ES256' });
    expect(secretRotated).toMatchObject({
      client_id: created.client_id,
      details: {
        previous_secret_valid_for: 3600,
        previous_secret_valid_until: rotated.previous_secret_valid_until,
      },
    });
    expect(appCreated).toMatchObject({
      client_id: created.client_id,
      details: {
        name: 'Audited app',
        public: false,
        scope: 'data:read',
        grant_types: ['client_credentials'],
      },
    });
    const dump = JSON.stringify(await s.ctx.db.selectFrom('audit_events').selectAll().execute());
    for (const secret of [created.client_secret, rotated.client_secret, password]) {
      expect(dump).not.toContain(secret);
      expect(listed).not.toContain(secret);
    }
    expect(dump).not.toMatch(ISSUED_SECRET);
    // Eight CLI runs: bounded for a busy machine (each is a process start).
  }, 60_000);

  it('--since takes a duration or a date; --json is one array, newest first; --limit keeps the newest', async () => {
    const now = nowSeconds();
    await record(now - 10 * DAY, 'ten days');
    await record(now - 3 * DAY, 'three days', { clientId: 'lk_x', userId: 'usr_y' });
    await record(now - 3600, 'an hour');
    expect(marks(listJson('--since', '2d'))).toEqual(['an hour']);
    const fiveDaysAgo = new Date((now - 5 * DAY) * 1000).toISOString();
    expect(marks(listJson('--since', fiveDaysAgo))).toEqual(['an hour', 'three days']);
    const events = listJson('--since', new Date((now - 11 * DAY) * 1000).toISOString().slice(0, 10));
    expect(marks(events)).toEqual(['an hour', 'three days', 'ten days']);
    for (const event of events) {
      expect(Object.keys(event)).toEqual([
        'id',
        'occurred_at',
        'type',
        'actor',
        'client_id',
        'user_id',
        'details',
      ]);
    }
    const threeDays = events.find((event) => marks([event])[0] === 'three days');
    expect(threeDays).toEqual({
      id: expect.any(Number),
      occurred_at: new Date((now - 3 * DAY) * 1000).toISOString().replace('.000Z', 'Z'),
      type: 'grant.revoked',
      actor: 'system',
      client_id: 'lk_x',
      user_id: 'usr_y',
      details: { mark: 'three days' },
    });
    const times = events.map((event) => Date.parse(event['occurred_at'] as string));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    expect(listJson('--limit', '2')).toEqual(listJson().slice(0, 2));
    expect(listJson('--since', '2099-01-01')).toEqual([]);
  }, 60_000);

  it('prints one aligned line per event, newest first', async () => {
    const lines = run(['audit', 'list', '--since', '11d']).trimEnd().split('\n');
    const events = listJson('--since', '11d');
    expect(lines).toHaveLength(events.length);
    expect(lines.length).toBeGreaterThan(3);
    for (const [i, line] of lines.entries()) {
      const event = events[i] as Record<string, unknown>;
      expect(line.startsWith(`${event['occurred_at']}  ${event['type']} `)).toBe(true);
      expect(line).toContain(` ${event['actor']} `);
    }
    // The first five columns (time, type, actor, app, user) start at the same place on every line.
    for (let column = 1; column < 5; column++) {
      const starts = lines.map((line) => new RegExp(`^(?:\\S+\\s+){${column}}`).exec(line)?.[0].length);
      expect(new Set(starts).size, `column ${column + 1}`).toBe(1);
    }
    expect(lines.find((line) => line.includes('mark="three days"'))).toMatch(
      / lk_x +usr_y +mark="three days"$/,
    );
    expect(run(['audit', 'list', '--since', '2099-01-01T00:00:00Z'])).toBe('no audit events\n');
  });

  it('the purge deletes events older than the retention and never a younger one, walking them in batches', async () => {
    await s.ctx.db.deleteFrom('audit_events').execute();
    const at = nowSeconds();
    const retention = 30 * DAY;
    const cutoff = at - retention;
    for (const age of [400, 300, 200, 100, 1]) await record(cutoff - age, `old ${age}`);
    for (const age of [0, -1, -3600]) await record(cutoff - age, `young ${age}`);
    const purge = (batchSize: number) =>
      purgeExpired(s.ctx.db, { accessTokenTtl: 3600, auditRetention: retention, now: at, batchSize });
    expect((await purge(2)).audit_events).toBe(5);
    expect(await storedMarks()).toEqual(['young -3600', 'young -1', 'young 0']);
    expect((await purge(2)).audit_events).toBe(0);
    // Default: 90 days.
    await record(at - 90 * DAY - 10, 'past 90 days');
    await record(at - 90 * DAY + 100, 'within 90 days');
    expect((await purgeExpired(s.ctx.db, { accessTokenTtl: 3600 })).audit_events).toBe(1);
    expect(await storedMarks()).toContain('within 90 days');
  });

  it('`latchkey purge` keeps events for LATCHKEY_AUDIT_RETENTION', async () => {
    await s.ctx.db.deleteFrom('audit_events').execute();
    await record(nowSeconds() - 3 * DAY, 'three days');
    await record(nowSeconds() - DAY + 600, 'under a day');
    const out = run(['purge'], { LATCHKEY_AUDIT_RETENTION: '2d' });
    expect(out).toMatch(/^audit_events:\s+1$/m);
    expect(await storedMarks()).toEqual(['under a day']);
    const refused = cli(['purge'], { ...env, LATCHKEY_AUDIT_RETENTION: '12h' });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/^latchkey: LATCHKEY_AUDIT_RETENTION [^\n]+\n$/);
    expect(await storedMarks()).toEqual(['under a day']);
  });

  it('a running server purges events past LATCHKEY_AUDIT_RETENTION by itself', async () => {
    const own = await startTestServer(dialect, {
      LATCHKEY_PURGE_INTERVAL: '1',
      LATCHKEY_AUDIT_RETENTION: '1d',
    });
    try {
      const event = (mark: string): AuditEvent => ({ type: 'key.rotated', actor: 'cli', details: { mark } });
      await recordAuditIn(own.ctx.db, [event('two days')], nowSeconds() - 2 * DAY);
      await recordAuditIn(own.ctx.db, [event('an hour')], nowSeconds() - 3600);
      await vi.waitFor(
        async () => {
          const left = await own.ctx.audit.list({ limit: 10 });
          expect(left.map((e) => e.details['mark'])).toEqual(['an hour']);
        },
        { timeout: 5000, interval: 100 },
      );
    } finally {
      await own.close();
    }
  });
});

describe('latchkey audit list with bad arguments', () => {
  const bad = [
    ['--since', 'yesterday'],
    ['--since', '2025-02-30'],
    ['--since', '2025-01-31T12:00'],
    ['--limit', '0'],
    ['--limit', 'all'],
    ['now'],
  ];
  it.each(bad.map((args) => [args.join(' '), args]))('audit list %s: exit 2 with one line', (_, args) => {
    const dir = mkdtempSync(join(tmpdir(), 'latchkey-audit-'));
    try {
      const result = cli(['audit', 'list', ...(args as string[])], { LATCHKEY_DATA_DIR: dir });
      expect(result.code).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(/^latchkey: [^\n]+\n$/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('LATCHKEY_AUDIT_RETENTION', () => {
  it('is 90 days by default; a duration of a day or more; anything else is refused naming it', () => {
    expect(loadConfig({}).auditRetention).toBe(90 * DAY);
    expect(loadConfig({ LATCHKEY_AUDIT_RETENTION: '' }).auditRetention).toBe(90 * DAY);
    expect(loadConfig({ LATCHKEY_AUDIT_RETENTION: '30d' }).auditRetention).toBe(30 * DAY);
    expect(loadConfig({ LATCHKEY_AUDIT_RETENTION: '86400' }).auditRetention).toBe(DAY);
    for (const raw of ['0', '12h', '86399', 'forever', '-1d', '1y', '99999999d']) {
      expect(() => loadConfig({ LATCHKEY_AUDIT_RETENTION: raw }), raw).toThrow(/^LATCHKEY_AUDIT_RETENTION /);
    }
  });
});

describe('the first start', () => {
  it("records the demo app's creation by the system", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'latchkey-audit-'));
    try {
      const server = await startProcess({ LATCHKEY_DATA_DIR: join(dir, 'data') });
      expect(await server.stop()).toBe(0);
      const listed = cli(['audit', 'list', '--json'], { LATCHKEY_DATA_DIR: join(dir, 'data') });
      expect(listed.code, listed.stderr).toBe(0);
      const events = JSON.parse(listed.stdout) as Record<string, unknown>[];
      expect(events).toEqual([
        expect.objectContaining({
          type: 'app.created',
          actor: 'system',
          details: { name: 'Demo app', demo: true },
        }),
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
