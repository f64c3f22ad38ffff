/**
 * A purge (storage/purge.ts) deletes in batches until nothing expired is left, on SQLite and
 * PostgreSQL: grants with and without refresh tokens, sessions, throttle counters whose window ended,
 * and expired refresh tokens found between live ones however small the batch.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getTokens, nowSeconds, refresh, type ThreeLeggedApp } from './support/attacks.js';
import { type InjectBrowser, registerThreeLeggedApp } from './support/browser.js';
import { expireGrantOf, grantExistsIn, purgeServer, startPurgeServer } from './support/purge.js';
import { dialects, type TestServer } from './support/server.js';

describe.each(dialects())('purge on %s', (dialect) => {
  let s: TestServer;
  let app: ThreeLeggedApp;
  let browser: InjectBrowser;
  let userId: string;
  const purge = (options: { batchSize?: number; now?: number } = {}) => purgeServer(s, options);
  const expireGrant = (refreshToken: string, accessTokensExpired = true) =>
    expireGrantOf(s, refreshToken, accessTokensExpired);
  const grantExists = (grantId: string) => grantExistsIn(s, grantId);

  beforeAll(async () => {
    ({ s, app, browser, userId } = await startPurgeServer(dialect));
  });
  afterAll(async () => {
    await s?.close();
  });

  it('grants without refresh tokens are purged in batches too', async () => {
    await purge();
    const noRefresh = await registerThreeLeggedApp(s, {
      name: 'No refresh either',
      scope: 'data:read',
      redirectUris: ['https://norefresh2.example/cb'],
      grants: ['authorization_code'],
    });
    for (let i = 0; i < 5; i++) await getTokens(s, browser, noRefresh, { scope: 'data:read' });
    await s.ctx.db
      .updateTable('grants')
      .set({ created_at: nowSeconds() - s.config.accessTokenTtl - 3600 })
      .where('client_id', '=', noRefresh.client.id)
      .execute();
    const counts = await purge({ batchSize: 2 });
    expect(counts.grants).toBe(5);
    expect(
      await s.ctx.db.selectFrom('grants').select('id').where('client_id', '=', noRefresh.client.id).execute(),
    ).toEqual([]);
  });

  it('deletes in batches until nothing expired is left', async () => {
    await purge();
    const sessions = await Promise.all(
      Array.from({ length: 7 }, () => s.ctx.users.createSession(userId, -10)),
    );
    const live = await s.ctx.users.createSession(userId, 3600);
    for (let i = 0; i < 3; i++) await expireGrant((await getTokens(s, browser, app)).refresh_token);
    const counts = await purge({ batchSize: 2 });
    expect(counts).toMatchObject({ sessions: sessions.length, grants: 3, refresh_tokens: 3 });
    expect(await s.ctx.users.sessionUser(live)).toMatchObject({ id: userId });
  });

  it('deletes throttle counters whose window ended, in batches, and keeps open ones', async () => {
    await purge();
    const at = nowSeconds();
    const rows = [
      ...Array.from({ length: 5 }, (_, i) => ({
        key: `t:ended${i}`,
        count: 3,
        reset_at_ms: (at - 10) * 1000,
      })),
      { key: 't:open', count: 3, reset_at_ms: (at + 600) * 1000 },
    ];
    await s.ctx.db.insertInto('throttle_counters').values(rows).execute();
    expect(await purge({ batchSize: 2, now: at })).toMatchObject({ throttle_counters: 5 });
    const left = await s.ctx.db.selectFrom('throttle_counters').select('key').execute();
    expect(left.map((row) => row.key)).toEqual(['t:open']);
    await s.ctx.db.deleteFrom('throttle_counters').execute();
  });

  it('finds expired refresh tokens between live ones, however small the batch', async () => {
    await purge();
    const issued: Awaited<ReturnType<typeof getTokens>>[] = [];
    for (let i = 0; i < 7; i++) issued.push(await getTokens(s, browser, app));
    // Expired: the 2nd, 5th and 7th (the last row of the table); live around them.
    const dead = [1, 4, 6].map((i) => issued[i]?.refresh_token as string);
    const deadGrants = await Promise.all(dead.map((token) => expireGrant(token)));
    const counts = await purge({ batchSize: 2 });
    expect(counts).toMatchObject({ refresh_tokens: 3, grants: 3 });
    for (const grant of deadGrants) expect(await grantExists(grant)).toBe(false);
    for (const [i, tokens] of issued.entries()) {
      if (dead.includes(tokens.refresh_token)) continue;
      expect((await refresh(s.app, app.basic, tokens.refresh_token)).statusCode, `token ${i}`).toBe(200);
    }
  });
});
