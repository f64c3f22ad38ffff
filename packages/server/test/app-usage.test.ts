/**
 * Usage on SQLite and PostgreSQL: tokens issued are counted in memory per app, UTC day and grant type,
 * and added to the database by each flush and at shutdown; several servers on one database add up (an
 * upsert that adds, written concurrently); a failed write keeps its counts for the next; a deleted
 * app's counts go with it; "users connected" counts remembered consents and live grants.
 */
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { UsageCounter } from '../src/activity/usage-counter.js';
import { loadConfig } from '../src/config.js';
import { appUsage, USAGE_DAYS } from '../src/manage/app-activity.js';
import { createServer } from '../src/server.js';
import { DAY_MS, dayOf } from '../src/storage/activity/shared.js';
import { UsageRepository } from '../src/storage/activity/usage.js';
import { openDatabase } from '../src/storage/database.js';
import { getTokens, refresh, signedInBrowser, tokenRequest } from './support/attacks.js';
import { InjectBrowser, registerThreeLeggedApp } from './support/browser.js';
import { dialects, kekEnv, startTestServer, type TestServer } from './support/server.js';

const silent = pino({ level: 'silent' });

describe.each(dialects())('Usage on %s', (dialect) => {
  let s: TestServer;
  const stored = async (clientId: string) =>
    (
      await s.ctx.db
        .selectFrom('app_usage')
        .select(['day', 'grant_type', 'issued'])
        .where('client_id', '=', clientId)
        .orderBy('grant_type')
        .execute()
    ).map((row) => ({ day: Number(row.day), grantType: row.grant_type, issued: Number(row.issued) }));

  beforeAll(async () => {
    // Flushed by the tests, not by the timer.
    s = await startTestServer(dialect, { LATCHKEY_USAGE_FLUSH_INTERVAL: '300' });
  });
  afterAll(async () => {
    await s?.close();
  });

  it('counts issued tokens per grant type without a write per token, then adds them in one flush', async () => {
    const app = await registerThreeLeggedApp(s, {
      grants: ['client_credentials', 'authorization_code', 'refresh_token'],
    });
    const user = await s.ctx.users.create('ada@example.com', 'a long password');
    const browser = await signedInBrowser(s, new InjectBrowser(s.app), user.id);
    for (let i = 0; i < 5; i++) {
      expect((await tokenRequest(s.app, app.basic, { grant_type: 'client_credentials' })).statusCode).toBe(
        200,
      );
    }
    const tokens = await getTokens(s, browser, app);
    expect((await refresh(s.app, app.basic, tokens.refresh_token)).statusCode).toBe(200);
    // A failure issues nothing.
    await tokenRequest(s.app, app.basic, { grant_type: 'client_credentials', scope: 'admin' });
    expect(await stored(app.client.id)).toEqual([]);
    // Shown at once from this server's memory...
    const today = dayOf();
    const usage = await appUsage(s.ctx, app.client);
    expect(usage.days).toHaveLength(USAGE_DAYS);
    expect(usage.days.at(-1)).toEqual({
      day: today,
      issued: { authorization_code: 1, client_credentials: 5, refresh_token: 1 },
      total: 7,
    });
    expect(usage.days.slice(0, -1).every((day) => day.total === 0)).toBe(true);
    expect(usage.connectedUsers).toBe(1);
    // ... and written by a flush, once.
    await s.ctx.usage.flush();
    await s.ctx.usage.flush();
    expect(await stored(app.client.id)).toEqual([
      { day: today, grantType: 'authorization_code', issued: 1 },
      { day: today, grantType: 'client_credentials', issued: 5 },
      { day: today, grantType: 'refresh_token', issued: 1 },
    ]);
    expect((await appUsage(s.ctx, app.client)).days.at(-1)?.total).toBe(7);
    // Users connected: a remembered consent or a live grant; none once the user withdraws.
    await s.ctx.connectedApps.disconnect(user.id, app.client.id);
    expect((await appUsage(s.ctx, app.client)).connectedUsers).toBe(0);
  });

  it('several servers on one database add up, flushing at the same moment, each more than once', async () => {
    const app = await registerThreeLeggedApp(s, { grants: ['client_credentials'], name: 'Shared' });
    const other = openDatabase(s.config.databaseUrl);
    try {
      const servers = [
        new UsageCounter(s.ctx.appUsage, silent),
        new UsageCounter(new UsageRepository(other), silent),
        new UsageCounter(new UsageRepository(other), silent),
      ];
      for (let round = 0; round < 2; round++) {
        servers.forEach((counter, i) => {
          for (let n = 0; n <= i * 10; n++) counter.issued(app.client.id, 'client_credentials');
        });
        await Promise.all(servers.map((counter) => counter.flush()));
      }
      // 1 + 11 + 21 per round.
      expect(await stored(app.client.id)).toEqual([
        { day: dayOf(), grantType: 'client_credentials', issued: 66 },
      ]);
    } finally {
      await other.destroy();
    }
  });

  it('a day that ends is written under its own day; the 14 days end today', async () => {
    const app = await registerThreeLeggedApp(s, { grants: ['client_credentials'], name: 'Midnight' });
    const today = dayOf();
    const clock = vi.spyOn(Date, 'now');
    try {
      clock.mockReturnValue((today + 1) * DAY_MS - 1);
      const counter = new UsageCounter(s.ctx.appUsage, silent);
      counter.issued(app.client.id, 'client_credentials');
      clock.mockReturnValue((today + 1) * DAY_MS);
      counter.issued(app.client.id, 'client_credentials');
      counter.issued(app.client.id, 'client_credentials');
      clock.mockRestore();
      await counter.flush();
    } finally {
      clock.mockRestore();
    }
    expect((await stored(app.client.id)).sort((a, b) => a.day - b.day)).toEqual([
      { day: today, grantType: 'client_credentials', issued: 1 },
      { day: today + 1, grantType: 'client_credentials', issued: 2 },
    ]);
    const tomorrow = await appUsage(s.ctx, app.client, (today + 1) * DAY_MS + 1000);
    expect(tomorrow.days.map((day) => day.total).slice(-2)).toEqual([1, 2]);
    expect(tomorrow.days[0]?.day).toBe(today + 2 - USAGE_DAYS);
  });

  it('a write that fails keeps its counts for the next one; a deleted app’s counts go with it', async () => {
    const app = await registerThreeLeggedApp(s, { grants: ['client_credentials'], name: 'Flaky' });
    const gone = await registerThreeLeggedApp(s, { grants: ['client_credentials'], name: 'Gone' });
    let fail = true;
    const repository = {
      add: async (...args: Parameters<UsageRepository['add']>) => {
        if (fail) throw Object.assign(new Error('down'), { code: 'ECONNREFUSED' });
        return s.ctx.appUsage.add(...args);
      },
    } as UsageRepository;
    const counter = new UsageCounter(repository, silent);
    counter.issued(app.client.id, 'client_credentials');
    counter.issued(gone.client.id, 'client_credentials');
    await counter.flush();
    counter.issued(app.client.id, 'client_credentials');
    expect(counter.unwritten(app.client.id).reduce((sum, count) => sum + count.issued, 0)).toBe(2);
    await s.ctx.clients.delete(gone.client.id);
    fail = false;
    await counter.stop();
    expect(await stored(app.client.id)).toEqual([
      { day: dayOf(), grantType: 'client_credentials', issued: 2 },
    ]);
    expect(await stored(gone.client.id)).toEqual([]);
    expect(counter.unwritten(app.client.id)).toEqual([]);
    // Rows already written go with the app too.
    await s.ctx.clients.delete(app.client.id);
    expect(await stored(app.client.id)).toEqual([]);
  });

  it('a server writes what it counted when it stops', async () => {
    const config = loadConfig({
      LATCHKEY_DATA_DIR: s.dir,
      LATCHKEY_DATABASE_URL: s.config.databaseUrl,
      LATCHKEY_LOG_LEVEL: 'silent',
      LATCHKEY_USAGE_FLUSH_INTERVAL: '300',
      LATCHKEY_DEMO_APP: 'false',
      ...kekEnv(dialect),
    });
    const second = await createServer(config);
    const app = await registerThreeLeggedApp(s, { grants: ['client_credentials'], name: 'Stopping' });
    for (let i = 0; i < 3; i++) {
      const res = await tokenRequest(second.app, app.basic, { grant_type: 'client_credentials' });
      expect(res.statusCode).toBe(200);
    }
    expect(await stored(app.client.id)).toEqual([]);
    await second.close();
    expect(await stored(app.client.id)).toEqual([
      { day: dayOf(), grantType: 'client_credentials', issued: 3 },
    ]);
  });
});
