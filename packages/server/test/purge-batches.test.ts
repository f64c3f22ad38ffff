/**
 * A purge (storage/purge.ts) deletes in batches until nothing expired is left, on SQLite and
 * PostgreSQL: grants with and without refresh tokens, sessions, throttle counters whose window ended,
 * and expired refresh tokens found between live ones however small the batch.
 */
import { describe, expect, it } from 'vitest';
import { getTokens, nowSeconds, refresh } from './support/attacks.js';
import { registerThreeLeggedApp } from './support/browser.js';
import { usePurgeServer } from './support/purge.js';
import { dialects } from './support/server.js';

describe.each(dialects())('purge on %s', (dialect) => {
  const f = usePurgeServer(dialect);

  it('grants without refresh tokens are purged in batches too', async () => {
    await f.purge();
    const noRefresh = await registerThreeLeggedApp(f.s, {
      name: 'No refresh either',
      scope: 'data:read',
      redirectUris: ['https://norefresh2.example/cb'],
      grants: ['authorization_code'],
    });
    for (let i = 0; i < 5; i++) await getTokens(f.s, f.browser, noRefresh, { scope: 'data:read' });
    await f.s.ctx.db
      .updateTable('grants')
      .set({ created_at: nowSeconds() - f.s.config.accessTokenTtl - 3600 })
      .where('client_id', '=', noRefresh.client.id)
      .execute();
    const counts = await f.purge({ batchSize: 2 });
    expect(counts.grants).toBe(5);
    expect(
      await f.s.ctx.db
        .selectFrom('grants')
        .select('id')
        .where('client_id', '=', noRefresh.client.id)
        .execute(),
    ).toEqual([]);
  });

  it('deletes in batches until nothing expired is left', async () => {
    await f.purge();
    const sessions = await Promise.all(
      Array.from({ length: 7 }, () => f.s.ctx.users.createSession(f.userId, -10)),
    );
    const live = await f.s.ctx.users.createSession(f.userId, 3600);
    for (let i = 0; i < 3; i++) await f.expireGrant((await getTokens(f.s, f.browser, f.app)).refresh_token);
    const counts = await f.purge({ batchSize: 2 });
    expect(counts).toMatchObject({ sessions: sessions.length, grants: 3, refresh_tokens: 3 });
    expect(await f.s.ctx.users.sessionUser(live)).toMatchObject({ id: f.userId });
  });

  it('deletes throttle counters whose window ended, in batches, and keeps open ones', async () => {
    await f.purge();
    const at = nowSeconds();
    const rows = [
      ...Array.from({ length: 5 }, (_, i) => ({
        key: `t:ended${i}`,
        count: 3,
        reset_at_ms: (at - 10) * 1000,
      })),
      { key: 't:open', count: 3, reset_at_ms: (at + 600) * 1000 },
    ];
    await f.s.ctx.db.insertInto('throttle_counters').values(rows).execute();
    expect(await f.purge({ batchSize: 2, now: at })).toMatchObject({ throttle_counters: 5 });
    const left = await f.s.ctx.db.selectFrom('throttle_counters').select('key').execute();
    expect(left.map((row) => row.key)).toEqual(['t:open']);
    await f.s.ctx.db.deleteFrom('throttle_counters').execute();
  });

  it('finds expired refresh tokens between live ones, however small the batch', async () => {
    await f.purge();
    const issued: Awaited<ReturnType<typeof getTokens>>[] = [];
    for (let i = 0; i < 7; i++) issued.push(await getTokens(f.s, f.browser, f.app));
    // Expired: the 2nd, 5th and 7th (the last row of the table); live around them.
    const dead = [1, 4, 6].map((i) => issued[i]?.refresh_token as string);
    const deadGrants = await Promise.all(dead.map((token) => f.expireGrant(token)));
    const counts = await f.purge({ batchSize: 2 });
    expect(counts).toMatchObject({ refresh_tokens: 3, grants: 3 });
    for (const grant of deadGrants) expect(await f.grantExists(grant)).toBe(false);
    for (const [i, tokens] of issued.entries()) {
      if (dead.includes(tokens.refresh_token)) continue;
      expect((await refresh(f.s.app, f.app.basic, tokens.refresh_token)).statusCode, `token ${i}`).toBe(200);
    }
  });
});
