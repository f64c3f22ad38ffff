/**
 * Expired rows are purged (storage/purge.ts), in batches, periodically and by
 * `latchkey purge`; live rows and refresh-token reuse detection stay. On SQLite and PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../src/config.js';
import { RETIRED_SECRET_KEPT } from '../src/storage/clients.js';
import { openDatabase } from '../src/storage/database.js';
import { PURGED_TABLES, type PurgeCounts, purgeExpired } from '../src/storage/purge.js';
import { randomToken, sha256Hex } from '../src/tokens/random.js';
import {
  claimsOf,
  countRows,
  expectInactive,
  expectInvalidGrant,
  getCode,
  getTokens,
  hashOf,
  introspect,
  nowSeconds,
  refresh,
  revoke,
  signedInBrowser,
  type ThreeLeggedApp,
} from './support/attacks.js';
import { InjectBrowser, registerThreeLeggedApp } from './support/browser.js';
import { cli, cliAsync } from './support/process.js';
import { dialects, startTestServer, type TestServer } from './support/server.js';

const none = (): PurgeCounts => Object.fromEntries(PURGED_TABLES.map((t) => [t, 0])) as PurgeCounts;

describe.each(dialects())('purge on %s', (dialect) => {
  let s: TestServer;
  let app: ThreeLeggedApp;
  let browser: InjectBrowser;
  let userId: string;
  const purge = (options: { batchSize?: number; now?: number } = {}) =>
    purgeExpired(s.ctx.db, { accessTokenTtl: s.config.accessTokenTtl, ...options });

  /**
   * Makes every refresh token of a grant expired, issued long enough ago that its access tokens are
   * too; the grant was created no later than its tokens, as in real life.
   */
  const expireGrant = async (refreshToken: string, accessTokensExpired = true) => {
    const { grant_id } = await s.ctx.db
      .selectFrom('refresh_tokens')
      .select('grant_id')
      .where('token_hash', '=', hashOf(refreshToken))
      .executeTakeFirstOrThrow();
    const issued = accessTokensExpired ? nowSeconds() - s.config.accessTokenTtl - 3600 : nowSeconds() - 5;
    await s.ctx.db
      .updateTable('refresh_tokens')
      .set({ expires_at: nowSeconds() - 10, created_at: issued })
      .where('grant_id', '=', grant_id)
      .execute();
    await s.ctx.db.updateTable('grants').set({ created_at: issued }).where('id', '=', grant_id).execute();
    return grant_id;
  };
  const grantExists = async (grantId: string) =>
    (await s.ctx.db.selectFrom('grants').select('id').where('id', '=', grantId).executeTakeFirst()) !==
    undefined;

  beforeAll(async () => {
    s = await startTestServer(dialect);
    userId = (await s.ctx.users.create('ada@example.com', 'correct horse battery')).id;
    app = await registerThreeLeggedApp(s);
    browser = await signedInBrowser(s, new InjectBrowser(s.app), userId);
  });
  afterAll(async () => {
    await s?.close();
  });

  it('deletes what expired, keeps what is live, and reports per table', async () => {
    await purge();
    const past = nowSeconds() - 10;
    // Expired: a code, a pending request, a session, a revocation, a secret, a retired key, a grant.
    const { code: deadCode } = await getCode(browser, app);
    await s.ctx.db
      .updateTable('authorization_codes')
      .set({ expires_at: past })
      .where('code_hash', '=', hashOf(deadCode))
      .execute();
    const request = {
      clientId: app.client.id,
      userId,
      redirectUri: app.redirectUri,
      redirectUriGiven: true,
      scopes: ['data:read'],
      state: undefined,
      codeChallenge: undefined,
    };
    await s.ctx.authorizationRequests.save(request, -10);
    const deadSession = await s.ctx.users.createSession(userId, -10);
    await s.ctx.emailLinks.issue(userId, 'reset', 'ada@example.com', -10);
    await s.ctx.db
      .insertInto('revoked_tokens')
      .values({ jti: crypto.randomUUID(), expires_at: past })
      .execute();
    // A secret replaced by a rotation whose grace period ended more than 30 days ago, and one whose
    // grace ended recently: kept so that Recent errors can tell a developer still sending it.
    const retired = (expiresAt: number) =>
      s.ctx.db
        .insertInto('client_secrets')
        .values({
          id: randomToken(12),
          client_id: app.client.id,
          secret_hash: sha256Hex(randomToken(32)),
          created_at: expiresAt - 86400,
          expires_at: expiresAt,
        })
        .execute();
    await retired(past - RETIRED_SECRET_KEPT);
    await retired(past);
    await s.ctx.db
      .insertInto('signing_keys')
      .values({
        kid: 'retired-long-ago',
        alg: 'ES256',
        state: 'retired',
        private_jwk: '{}',
        public_jwk: '{}',
        created_at: past - 86400,
        publish_until: past,
      })
      .execute();
    const dead = await getTokens(s, browser, app);
    const rotated = (await refresh(s.app, app.basic, dead.refresh_token)).json();
    const deadGrant = await expireGrant(rotated.refresh_token);

    // Live: a code, a pending request, a session, a revocation, the current secret, the keys, grants.
    const { code: liveCode } = await getCode(browser, app);
    const liveHandle = await s.ctx.authorizationRequests.save(request, 600);
    const liveSession = await s.ctx.users.createSession(userId, 3600);
    const liveLink = await s.ctx.emailLinks.issue(userId, 'verify', 'ada@example.com', 3600);
    const revoked = await getTokens(s, browser, app);
    await revoke(s.app, app.basic, revoked.access_token);
    const live = await getTokens(s, browser, app);
    // Refresh tokens expired, but an access token issued from the grant may still be unexpired.
    const recent = await getTokens(s, browser, app);
    const recentGrant = await expireGrant(recent.refresh_token, false);
    // Revoked, but its refresh token has not expired yet.
    const revokedGrant = await getTokens(s, browser, app);
    await revoke(s.app, app.basic, revokedGrant.refresh_token);

    const before = {
      codes: await countRows(s, 'authorization_codes'),
      keys: await s.ctx.db.selectFrom('signing_keys').select('kid').execute(),
    };
    const counts = await purge();
    expect(counts).toEqual({
      authorization_codes: 1,
      authorization_requests: 1,
      sessions: 1,
      revoked_tokens: 1,
      refresh_tokens: 2,
      grants: 1,
      client_secrets: 1,
      signing_keys: 1,
      audit_events: 0,
      throttle_counters: 0,
      app_errors: 0,
      app_error_drops: 0,
      app_usage: 0,
      email_links: 1,
    });
    expect(await purge()).toEqual(none());
    expect(await s.ctx.db.selectFrom('email_links').select('id_hash').execute()).toHaveLength(1);
    expect(await s.ctx.emailLinks.find(liveLink, 'verify')).toEqual({ userId, email: 'ada@example.com' });

    expect(await countRows(s, 'authorization_codes')).toBe(before.codes - 1);
    const codes = await s.ctx.db.selectFrom('authorization_codes').select('code_hash').execute();
    expect(codes.map((c) => c.code_hash)).toContain(hashOf(liveCode));
    expect(codes.map((c) => c.code_hash)).not.toContain(hashOf(deadCode));
    expect(await s.ctx.users.sessionUser(liveSession)).toMatchObject({ id: userId });
    const sessions = await s.ctx.db.selectFrom('sessions').select('id_hash').execute();
    expect(sessions.map((r) => r.id_hash)).not.toContain(sha256Hex(deadSession));
    expect(await s.ctx.authorizationRequests.take(liveHandle, userId)).toMatchObject({
      scopes: ['data:read'],
    });
    expectInactive(await introspect(s.app, app.basic, revoked.access_token));
    expect(await countRows(s, 'revoked_tokens')).toBe(1);
    const secrets = await s.ctx.db
      .selectFrom('client_secrets')
      .select('expires_at')
      .where('client_id', '=', app.client.id)
      .execute();
    expect(secrets).toEqual(expect.arrayContaining([{ expires_at: null }, { expires_at: past }]));
    expect(secrets).toHaveLength(2);
    const keys = await s.ctx.db.selectFrom('signing_keys').select('kid').execute();
    expect(keys.map((k) => k.kid).sort()).toEqual(
      before.keys
        .map((k) => k.kid)
        .filter((kid) => kid !== 'retired-long-ago')
        .sort(),
    );
    expect(await grantExists(deadGrant)).toBe(false);
    expect(await grantExists(recentGrant)).toBe(true);
    expect((await introspect(s.app, app.basic, recent.access_token)).json().active).toBe(true);
    expect(await grantExists(claimsOf(revokedGrant.access_token).gid as string)).toBe(true);
    expect((await introspect(s.app, app.basic, live.access_token)).json().active).toBe(true);
    expect((await refresh(s.app, app.basic, live.refresh_token)).statusCode).toBe(200);
    // The purged grant's refresh token is as dead as before.
    expectInvalidGrant(await refresh(s.app, app.basic, rotated.refresh_token));
  });

  it('keeps the rotated refresh tokens of a live grant: reuse after a purge is detected and revokes the grant', async () => {
    const first = await getTokens(s, browser, app);
    const second = (await refresh(s.app, app.basic, first.refresh_token)).json();
    const third = (await refresh(s.app, app.basic, second.refresh_token)).json();
    // Even long after the access tokens expired, while the head can be refreshed.
    await purge({ now: nowSeconds() + s.config.accessTokenTtl + 3600 });
    // That purge also ended the browser's session (it would have expired by then): sign in again.
    browser = await signedInBrowser(s, new InjectBrowser(s.app), userId);
    const grantId = claimsOf(third.access_token).gid as string;
    const rows = await s.ctx.db
      .selectFrom('refresh_tokens')
      .select('token_hash')
      .where('grant_id', '=', grantId)
      .execute();
    expect(rows).toHaveLength(3);
    // RFC 9700 §4.14.2: the reuse of a rotated token revokes the grant.
    expectInvalidGrant(await refresh(s.app, app.basic, first.refresh_token));
    expectInvalidGrant(await refresh(s.app, app.basic, third.refresh_token));
    expectInactive(await introspect(s.app, app.basic, third.access_token));
  });

  it('a grant that never had a refresh token goes once its access token expired, not before; live refresh tokens keep theirs', async () => {
    await purge();
    // An app without the refresh_token grant: its grant gets no refresh-token row (RFC 6749 §5.1).
    const noRefresh = await registerThreeLeggedApp(s, {
      name: 'No refresh',
      scope: 'data:read',
      redirectUris: ['https://norefresh.example/cb'],
      grants: ['authorization_code'],
    });
    const once = await getTokens(s, browser, noRefresh, { scope: 'data:read' });
    expect(once.refresh_token).toBeUndefined();
    const grantId = claimsOf(once.access_token).gid as string;
    const { created_at } = await s.ctx.db
      .selectFrom('grants')
      .select('created_at')
      .where('id', '=', grantId)
      .executeTakeFirstOrThrow();
    const createdAt = Number(created_at);
    // A grant with live refresh tokens, created (and last refreshed) long before: untouched.
    const refreshable = await getTokens(s, browser, app);
    const refreshableGrant = claimsOf(refreshable.access_token).gid as string;
    const longAgo = createdAt - s.config.accessTokenTtl - 3600;
    await s.ctx.db
      .updateTable('grants')
      .set({ created_at: longAgo })
      .where('id', '=', refreshableGrant)
      .execute();
    await s.ctx.db
      .updateTable('refresh_tokens')
      .set({ created_at: longAgo })
      .where('grant_id', '=', refreshableGrant)
      .execute();
    const connected = async () => (await s.ctx.connectedApps.list(userId)).map((c) => c.clientId);
    expect(await connected()).toContain(noRefresh.client.id);

    // Now, and at the last second its access token (plus the issue slack) may be unexpired: kept.
    expect((await purge()).grants).toBe(0);
    expect((await introspect(s.app, noRefresh.basic, once.access_token)).json().active).toBe(true);
    const lastLive = createdAt + s.config.accessTokenTtl + 60;
    expect((await purge({ now: lastLive })).grants).toBe(0);
    expect(await grantExists(grantId)).toBe(true);

    // One second later it goes. The app stays on the Connected apps page: the user's consent remains
    // (the next request of that app would get a code without asking), until the user withdraws it.
    const counts = await purge({ now: lastLive + 1 });
    expect(counts.grants).toBe(1);
    expect(counts.refresh_tokens).toBe(0);
    expect(await grantExists(grantId)).toBe(false);
    expect(await connected()).toContain(noRefresh.client.id);

    expect(await grantExists(refreshableGrant)).toBe(true);
    expect(
      await s.ctx.db
        .selectFrom('refresh_tokens')
        .select('token_hash')
        .where('grant_id', '=', refreshableGrant)
        .execute(),
    ).toEqual([{ token_hash: hashOf(refreshable.refresh_token) }]);
    expect(await connected()).toContain(app.client.id);
    expect((await refresh(s.app, app.basic, refreshable.refresh_token)).statusCode).toBe(200);
    // The future purge also ended the browser's session: sign in again for the next test.
    browser = await signedInBrowser(s, new InjectBrowser(s.app), userId);
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

  it('purges by a server and by another process at once both succeed and delete each row once', async () => {
    await purge();
    for (let i = 0; i < 40; i++) await s.ctx.users.createSession(userId, -10);
    const [here, there] = await Promise.all([
      purge({ batchSize: 5 }),
      cliAsync(['purge'], { LATCHKEY_DATA_DIR: s.dir, LATCHKEY_DATABASE_URL: s.config.databaseUrl }),
    ]);
    expect(there.stderr).toBe('');
    const elsewhere = Number(/^sessions:\s+(\d+)$/m.exec(there.stdout)?.[1]);
    expect(here.sessions + elsewhere).toBe(40);
    const expired = await s.ctx.db
      .selectFrom('sessions')
      .select('id_hash')
      .where('expires_at', '<', nowSeconds())
      .execute();
    expect(expired).toEqual([]);
  });

  it.runIf(dialect === 'postgres')('two servers purging one PostgreSQL database take turns', async () => {
    await purge();
    for (let i = 0; i < 40; i++) await s.ctx.users.createSession(userId, -10);
    const other = openDatabase(s.config.databaseUrl);
    try {
      const results = await Promise.all([
        purge({ batchSize: 3 }),
        purgeExpired(other, { accessTokenTtl: s.config.accessTokenTtl, batchSize: 3 }),
        purgeExpired(other, { accessTokenTtl: s.config.accessTokenTtl, batchSize: 7 }),
      ]);
      expect(results.reduce((sum, c) => sum + c.sessions, 0)).toBe(40);
    } finally {
      await other.destroy();
    }
  });

  it('`latchkey purge` prints what it deleted per table; bad arguments exit 2 with one line', async () => {
    await purge();
    await s.ctx.users.createSession(userId, -10);
    await s.ctx.users.createSession(userId, -10);
    await s.ctx.db
      .insertInto('revoked_tokens')
      .values({ jti: randomToken(12), expires_at: 1 })
      .execute();
    const env = {
      LATCHKEY_DATA_DIR: s.dir,
      LATCHKEY_DATABASE_URL: s.config.databaseUrl,
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

describe('a running server purges every LATCHKEY_PURGE_INTERVAL seconds', () => {
  it('LATCHKEY_PURGE_INTERVAL: default 3600, 0 disables, a duration is accepted', () => {
    expect(loadConfig({}).purgeInterval).toBe(3600);
    expect(loadConfig({ LATCHKEY_PURGE_INTERVAL: '0' }).purgeInterval).toBe(0);
    expect(loadConfig({ LATCHKEY_PURGE_INTERVAL: '15m' }).purgeInterval).toBe(900);
    expect(() => loadConfig({ LATCHKEY_PURGE_INTERVAL: 'often' })).toThrow(/LATCHKEY_PURGE_INTERVAL/);
  });

  it.each(dialects())(
    'on %s: an expired session disappears without a request; close() stops it',
    async (dialect) => {
      const s = await startTestServer(dialect, { LATCHKEY_PURGE_INTERVAL: '1' });
      try {
        const user = await s.ctx.users.create('ada@example.com', 'correct horse battery');
        await s.ctx.users.createSession(user.id, -10);
        const live = await s.ctx.users.createSession(user.id, 3600);
        // The first run comes 0.5 to 1.5 s after the start; it logs once every table is done, a moment
        // after the sessions batch commits. Polled until both are seen (a deadline, not a margin).
        await vi.waitFor(
          async () => {
            expect(await countRows(s, 'sessions')).toBe(1);
            expect(s.logs.text).toContain('purged expired rows');
          },
          { timeout: 20_000, interval: 100 },
        );
        expect(await countRows(s, 'sessions')).toBe(1);
        expect(await s.ctx.users.sessionUser(live)).toMatchObject({ id: user.id });
        expect(s.logs.text).toContain('purged expired rows');
        expect(s.logs.text).not.toContain('purge failed');
      } finally {
        await s.close();
      }
    },
  );

  it.each(dialects())('on %s: LATCHKEY_PURGE_INTERVAL=0 never purges', async (dialect) => {
    const s = await startTestServer(dialect, { LATCHKEY_PURGE_INTERVAL: '0' });
    try {
      const user = await s.ctx.users.create('ada@example.com', 'correct horse battery');
      await s.ctx.users.createSession(user.id, -10);
      await new Promise((resolve) => setTimeout(resolve, 1600));
      expect(await countRows(s, 'sessions')).toBe(1);
    } finally {
      await s.close();
    }
  });
});
