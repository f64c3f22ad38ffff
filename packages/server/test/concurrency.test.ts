/**
 * N parallel redemptions of one code, refreshes of one token, revocations of one access token and
 * consent saves for one user and app, on SQLite and PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  claimsOf,
  expectInactive,
  getCode,
  getTokens,
  hashOf,
  introspect,
  refresh,
  revoke,
  signedInBrowser,
  type ThreeLeggedApp,
  tokenRequest,
} from './support/attacks.js';
import { InjectBrowser, registerThreeLeggedApp } from './support/browser.js';
import { dialects, startTestServer, type TestServer } from './support/server.js';

const N = 20;

/** Status and error of each response, tallied. */
function tally(responses: { statusCode: number; json(): { error?: string } }[]) {
  const counts: Record<string, number> = {};
  for (const res of responses) {
    const key = res.statusCode === 200 ? '200' : `${res.statusCode} ${res.json().error}`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

async function setup(dialect: Parameters<typeof startTestServer>[0], env: Record<string, string> = {}) {
  const s = await startTestServer(dialect, env);
  const user = await s.ctx.users.create('ada@example.com', 'correct horse battery');
  const app = await registerThreeLeggedApp(s);
  const browser = await signedInBrowser(s, new InjectBrowser(s.app), user.id);
  return { s, app, browser };
}

describe.each(dialects())('concurrency on %s', (dialect) => {
  // SECURITY.md's strict mode: no grace, no retry window.
  describe('grace 0, no retry window', () => {
    let s: TestServer;
    let app: ThreeLeggedApp;
    let browser: InjectBrowser;
    beforeAll(async () => {
      ({ s, app, browser } = await setup(dialect, { LATCHKEY_REFRESH_RETRY_WINDOW: '0' }));
    });
    afterAll(async () => {
      await s?.close();
    });

    it.each([1, 2, 3])(
      `${N} parallel redemptions of one code: exactly one 200, the rest invalid_grant (round %i)`,
      async () => {
        const { code, verifier, redirectUri } = await getCode(browser, app);
        const form = {
          grant_type: 'authorization_code',
          code,
          redirect_uri: redirectUri,
          code_verifier: verifier as string,
        };
        const responses = await Promise.all(
          Array.from({ length: N }, () => tokenRequest(s.app, app.basic, form)),
        );
        expect(tally(responses)).toEqual({ '200': 1, '400 invalid_grant': N - 1 });
        // The code was replayed: the tokens it produced are revoked.
        const winner = responses.find((r) => r.statusCode === 200)?.json();
        const after = await refresh(s.app, app.basic, winner.refresh_token);
        expect(after.json().error).toBe('invalid_grant');
        expectInactive(await introspect(s.app, app.basic, winner.access_token));
        const codeRow = await s.ctx.db
          .selectFrom('authorization_codes')
          .select(['used_at', 'grant_id'])
          .where('code_hash', '=', hashOf(code))
          .executeTakeFirstOrThrow();
        expect(codeRow.used_at).not.toBeNull();
        // One grant, one refresh token: nothing half-written by the losers.
        const grants = await s.ctx.db
          .selectFrom('grants')
          .select('id')
          .where('id', '=', codeRow.grant_id as string)
          .execute();
        expect(grants).toHaveLength(1);
        const refreshRows = await s.ctx.db
          .selectFrom('refresh_tokens')
          .select('token_hash')
          .where('grant_id', '=', codeRow.grant_id as string)
          .execute();
        expect(refreshRows).toHaveLength(1);
      },
    );

    it.each([1, 2, 3])(`${N} parallel refreshes with one token: exactly one 200 (round %i)`, async () => {
      const tokens = await getTokens(s, browser, app);
      const responses = await Promise.all(
        Array.from({ length: N }, () => refresh(s.app, app.basic, tokens.refresh_token)),
      );
      expect(tally(responses)).toEqual({ '200': 1, '400 invalid_grant': N - 1 });
      // The losers reused a rotated token outside the (zero) grace window: the grant is revoked.
      const winner = responses.find((r) => r.statusCode === 200)?.json();
      expect((await refresh(s.app, app.basic, winner.refresh_token)).json().error).toBe('invalid_grant');
      expectInactive(await introspect(s.app, app.basic, winner.access_token));
    });

    it('a refresh that arrives while another transaction is open waits for it, then both commit', async () => {
      const tokens = await getTokens(s, browser, app);
      const grantId = claimsOf(tokens.access_token).gid as string;
      let release = () => {};
      const held = new Promise<void>((resolve) => {
        release = resolve;
      });
      let began = () => {};
      const open = new Promise<void>((resolve) => {
        began = resolve;
      });
      // A transaction left open across an await, as a code redemption or a purge batch does.
      const other = s.ctx.db.transaction().execute(async (trx) => {
        await trx.updateTable('grants').set({ scopes: 'data:read' }).where('id', '=', grantId).execute();
        began();
        await held;
      });
      await open;
      let answered = false;
      const refreshed = refresh(s.app, app.basic, tokens.refresh_token).then((res) => {
        answered = true;
        return res;
      });
      await new Promise((resolve) => setTimeout(resolve, 50));
      if (dialect === 'sqlite') expect(answered).toBe(false);
      release();
      await other;
      const res = await refreshed;
      expect(res.statusCode).toBe(200);
      // PostgreSQL: the rotation locked the grant after the other transaction's update; SQLite: it
      // ran after it. Either way it read the committed scopes.
      expect(res.json().scope).toBe('data:read');
    });

    it(`${N} parallel revocations of one access token: all 200, one row, the token inactive`, async () => {
      const tokens = await getTokens(s, browser, app);
      const responses = await Promise.all(
        Array.from({ length: N }, () => revoke(s.app, app.basic, tokens.access_token, 'access_token')),
      );
      expect(tally(responses)).toEqual({ '200': N });
      expectInactive(await introspect(s.app, app.basic, tokens.access_token));
      const rows = await s.ctx.db
        .selectFrom('revoked_tokens')
        .select('expires_at')
        .where('jti', '=', claimsOf(tokens.access_token).jti as string)
        .execute();
      expect(rows).toEqual([{ expires_at: claimsOf(tokens.access_token).exp }]);
      // The grant is untouched: its refresh token still works.
      expect((await refresh(s.app, app.basic, tokens.refresh_token)).statusCode).toBe(200);
    });

    it(`${N} parallel consent saves for one user and app: none fails, no scope is lost`, async () => {
      const user = await s.ctx.users.create('grace@example.com', 'correct horse battery');
      const scopes = Array.from({ length: N }, (_, i) => `scope:${i}`);
      const results = await Promise.allSettled(
        scopes.map((scope, i) => s.ctx.consents.save(user.id, app.client.id, [scope, `shared:${i % 2}`])),
      );
      expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
      const saved = await s.ctx.consents.scopes(user.id, app.client.id);
      expect(saved.sort()).toEqual([...scopes, 'shared:0', 'shared:1'].sort());
      // Saving what is already allowed changes nothing; saving more adds to it.
      await Promise.all([
        s.ctx.consents.save(user.id, app.client.id, ['scope:0']),
        s.ctx.consents.save(user.id, app.client.id, ['extra']),
      ]);
      expect((await s.ctx.consents.scopes(user.id, app.client.id)).sort()).toEqual(
        [...scopes, 'shared:0', 'shared:1', 'extra'].sort(),
      );
    });
  });

  describe('grace 30 s', () => {
    let s: TestServer;
    let app: ThreeLeggedApp;
    let browser: InjectBrowser;
    beforeAll(async () => {
      ({ s, app, browser } = await setup(dialect, { LATCHKEY_REFRESH_GRACE: '30' }));
    });
    afterAll(async () => {
      await s?.close();
    });

    it(`${N} parallel refreshes with one token all succeed; exactly one chain stays valid`, async () => {
      await expectOneChain(s, app, browser);
    });
  });

  // The default: a rotated token whose successor was never used may be presented again for 30 s (a
  // retry after a lost answer): the same one chain, without any grace.
  describe('default settings (retry window 30 s, grace 0)', () => {
    let s: TestServer;
    let app: ThreeLeggedApp;
    let browser: InjectBrowser;
    beforeAll(async () => {
      ({ s, app, browser } = await setup(dialect));
    });
    afterAll(async () => {
      await s?.close();
    });

    it(`${N} parallel refreshes with one token all succeed; exactly one chain stays valid`, async () => {
      await expectOneChain(s, app, browser);
    });
  });
});

/**
 * N parallel refreshes with one token: every one succeeds, each rotation after the first retires the
 * head the one before it issued, so exactly one chain stays valid and the grant is intact.
 */
async function expectOneChain(s: TestServer, app: ThreeLeggedApp, browser: InjectBrowser) {
  const tokens = await getTokens(s, browser, app);
  const responses = await Promise.all(
    Array.from({ length: N }, () => refresh(s.app, app.basic, tokens.refresh_token)),
  );
  expect(tally(responses)).toEqual({ '200': N });
  const issued = responses.map((r) => r.json().refresh_token as string);
  expect(new Set(issued).size).toBe(N);
  const grantId = (
    await s.ctx.db
      .selectFrom('refresh_tokens')
      .select('grant_id')
      .where('token_hash', '=', hashOf(tokens.refresh_token))
      .executeTakeFirstOrThrow()
  ).grant_id;
  const rows = await s.ctx.db
    .selectFrom('refresh_tokens')
    .select(['token_hash', 'rotated_at'])
    .where('grant_id', '=', grantId)
    .execute();
  expect(rows).toHaveLength(N + 1);
  const heads = rows.filter((r) => r.rotated_at === null);
  expect(heads).toHaveLength(1);
  const head = issued.find((t) => hashOf(t) === heads[0]?.token_hash);
  expect(head).toBeDefined();
  // The grant is intact: every access token issued is active.
  for (const res of responses) {
    const body = (await introspect(s.app, app.basic, res.json().access_token)).json();
    expect(body.active).toBe(true);
  }
  // The others are rotated (introspect inactive), the head is the live one and works.
  for (const token of issued.filter((t) => t !== head)) {
    expectInactive(await introspect(s.app, app.basic, token));
  }
  expect((await introspect(s.app, app.basic, head as string)).json().active).toBe(true);
  const next = await refresh(s.app, app.basic, head as string);
  expect(next.statusCode).toBe(200);
  // Still one head afterwards.
  const after = await s.ctx.db
    .selectFrom('refresh_tokens')
    .select('token_hash')
    .where('grant_id', '=', grantId)
    .where('rotated_at', 'is', null)
    .execute();
  expect(after).toEqual([{ token_hash: hashOf(next.json().refresh_token) }]);
}
