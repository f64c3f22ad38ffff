/**
 * Refresh tokens under attack (RFC 6749 §6, §10.4, RFC 9700 §4.14): a broader scope is invalid_scope
 * and consumes nothing; a token of another client, expired, revoked, unknown or with a forged verifier
 * is invalid_grant with one description; reuse of a rotated token (grace 0), even racing a rotation or
 * asking for a wider scope, revokes the whole grant. An app without the refresh_token grant gets none,
 * and none is stored.
 */
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  claimsOf,
  expectInactive,
  expectInvalidGrant,
  getTokens,
  hashOf,
  introspect,
  nowSeconds,
  ownFormatToken,
  refresh,
  revoke,
  signedInBrowser,
  type ThreeLeggedApp,
} from './support/attacks.js';
import { InjectBrowser, registerThreeLeggedApp } from './support/browser.js';
import {
  expectGenericInvalidGrant,
  grantRequests,
  PASSWORD,
  useGrantAttackServer,
} from './support/grant-attack-server.js';
import { dialects, REFRESH_TOKEN_SHAPE, startTestServer, type TestServer } from './support/server.js';

describe.each(dialects())('code, refresh, revocation and introspection attacks on %s', (dialect) => {
  const f = useGrantAttackServer(dialect);

  const { active } = grantRequests(() => f.s);

  describe('refresh tokens', () => {
    it('broader scope → invalid_scope, token untouched; narrower allowed; later refresh gets the full scope', async () => {
      const narrowGrant = await getTokens(f.s, f.browser, f.appA, { scope: 'data:read' });
      for (const scope of ['data:read data:write', 'data:write', 'admin', 'data:read admin']) {
        const res = await refresh(f.s.app, f.appA.basic, narrowGrant.refresh_token, scope);
        expect({ status: res.statusCode, error: res.json().error }).toEqual({
          status: 400,
          error: 'invalid_scope',
        });
      }
      // The refused requests consumed nothing.
      const same = await refresh(f.s.app, f.appA.basic, narrowGrant.refresh_token);
      expect(same.statusCode).toBe(200);
      expect(same.json().scope).toBe('data:read');

      const full = await getTokens(f.s, f.browser, f.appA, { scope: 'data:read data:write' });
      expect(full.scope).toBe('data:read data:write');
      const narrower = await refresh(f.s.app, f.appA.basic, full.refresh_token, 'data:read');
      expect(narrower.statusCode).toBe(200);
      expect(narrower.json().scope).toBe('data:read');
      expect(claimsOf(narrower.json().access_token).scope).toBe('data:read');
      const later = await refresh(f.s.app, f.appA.basic, narrower.json().refresh_token);
      expect(later.statusCode).toBe(200);
      expect(later.json().scope).toBe('data:read data:write');
      expect(claimsOf(later.json().access_token).scope).toBe('data:read data:write');
    });

    it('reuse of a rotated token asking for a wider scope is still a replay: invalid_grant, the grant revoked (RFC 9700 §4.14.2)', async () => {
      const first = await getTokens(f.s, f.browser, f.appA, { scope: 'data:read' });
      const rotated = await refresh(f.s.app, f.appA.basic, first.refresh_token);
      expect(rotated.statusCode).toBe(200);
      const latest = await refresh(f.s.app, f.appA.basic, rotated.json().refresh_token);
      expect(latest.statusCode).toBe(200);
      // The rotated token, replayed with a scope it was never granted: the scope must not hide the
      // replay (an invalid_scope answer would confirm the token is live and leave the grant standing).
      expectInvalidGrant(await refresh(f.s.app, f.appA.basic, first.refresh_token, 'data:read data:write'));
      expectInvalidGrant(await refresh(f.s.app, f.appA.basic, latest.json().refresh_token));
      const res = await introspect(f.s.app, f.appA.basic, latest.json().access_token);
      expect(res.json()).toEqual({ active: false });
    });

    it('refresh token of another client → invalid_grant, and the owner can still use it', async () => {
      const tokens = await getTokens(f.s, f.browser, f.appA);
      expectInvalidGrant(await refresh(f.s.app, f.appB.basic, tokens.refresh_token));
      expectInvalidGrant(
        await refresh(f.s.app, f.appB.basic, tokens.refresh_token, 'data:read data:write admin'),
      );
      expect((await refresh(f.s.app, f.appA.basic, tokens.refresh_token)).statusCode).toBe(200);
    });

    it('expired → invalid_grant', async () => {
      const tokens = await getTokens(f.s, f.browser, f.appA);
      const row = await f.s.ctx.db
        .selectFrom('refresh_tokens')
        .select(['expires_at', 'created_at'])
        .where('token_hash', '=', hashOf(tokens.refresh_token))
        .executeTakeFirstOrThrow();
      // Default lifetime: 14 days.
      expect(Number(row.expires_at) - Number(row.created_at)).toBe(14 * 86400);
      await f.s.ctx.db
        .updateTable('refresh_tokens')
        .set({ expires_at: nowSeconds() - 1 })
        .where('token_hash', '=', hashOf(tokens.refresh_token))
        .execute();
      expectInvalidGrant(await refresh(f.s.app, f.appA.basic, tokens.refresh_token));
    });

    it('revoked → invalid_grant', async () => {
      const tokens = await getTokens(f.s, f.browser, f.appA);
      expect((await revoke(f.s.app, f.appA.basic, tokens.refresh_token, 'refresh_token')).statusCode).toBe(
        200,
      );
      expectInvalidGrant(await refresh(f.s.app, f.appA.basic, tokens.refresh_token));
      expectInactive(await introspect(f.s.app, f.appA.basic, tokens.access_token));
    });

    it('unknown → invalid_grant', async () => {
      expectInvalidGrant(await refresh(f.s.app, f.appA.basic, 'x'.repeat(43)));
      expectInvalidGrant(await refresh(f.s.app, f.appA.basic, 'x'.repeat(64)));
    });

    it('reuse racing a rotation that carries a later second is still a replay at grace 0', async () => {
      const first = await getTokens(f.s, f.browser, f.appA);
      const second = (await refresh(f.s.app, f.appA.basic, first.refresh_token)).json();
      // The successor was used, so presenting `first` again is no retry after a lost answer.
      const third = (await refresh(f.s.app, f.appA.basic, second.refresh_token)).json();
      // The winner of a race read the clock after this request did (it waited for the lock).
      await f.s.ctx.db
        .updateTable('refresh_tokens')
        .set({ rotated_at: nowSeconds() + 5 })
        .where('token_hash', '=', hashOf(first.refresh_token))
        .execute();
      expectInvalidGrant(await refresh(f.s.app, f.appA.basic, first.refresh_token));
      expectInvalidGrant(await refresh(f.s.app, f.appA.basic, second.refresh_token));
      expectInvalidGrant(await refresh(f.s.app, f.appA.basic, third.refresh_token));
    });

    it('a live token’s selector with another verifier → invalid_grant, and nothing is revoked', async () => {
      const tokens = await getTokens(f.s, f.browser, f.appA);
      const { id } = await f.s.ctx.db
        .selectFrom('refresh_tokens')
        .select('id')
        .where('token_hash', '=', hashOf(tokens.refresh_token))
        .executeTakeFirstOrThrow();
      // Someone who learned the selector key and the row ID, or who damaged the verifier: neither is
      // the token issued for that row, so neither counts as its reuse.
      const forged = await ownFormatToken(f.s, Number(id));
      const last = tokens.refresh_token.at(-1) === 'A' ? 'B' : 'A';
      const damaged = `${tokens.refresh_token.slice(0, -1)}${last}`;
      for (const candidate of [forged, damaged]) {
        expectGenericInvalidGrant(await refresh(f.s.app, f.appA.basic, candidate));
        expect((await introspect(f.s.app, f.appA.basic, candidate)).json()).toEqual({ active: false });
      }
      expect(await active(f.appA, tokens.access_token)).toBe(true);
      expect((await refresh(f.s.app, f.appA.basic, tokens.refresh_token)).statusCode).toBe(200);
    });

    it('unknown, another client’s, expired, revoked and replayed refresh tokens share one description', async () => {
      const failures: LightMyRequestResponse[] = [await refresh(f.s.app, f.appA.basic, 'x'.repeat(43))];
      const theirs = await getTokens(f.s, f.browser, f.appA);
      failures.push(await refresh(f.s.app, f.appB.basic, theirs.refresh_token));
      const expired = await getTokens(f.s, f.browser, f.appA);
      await f.s.ctx.db
        .updateTable('refresh_tokens')
        .set({ expires_at: nowSeconds() - 1 })
        .where('token_hash', '=', hashOf(expired.refresh_token))
        .execute();
      failures.push(await refresh(f.s.app, f.appA.basic, expired.refresh_token));
      const revoked = await getTokens(f.s, f.browser, f.appA);
      await revoke(f.s.app, f.appA.basic, revoked.refresh_token);
      failures.push(await refresh(f.s.app, f.appA.basic, revoked.refresh_token));
      const rotated = await getTokens(f.s, f.browser, f.appA);
      const successor = await refresh(f.s.app, f.appA.basic, rotated.refresh_token);
      expect(successor.statusCode).toBe(200);
      // Its successor used, the rotated token presented again is a replay (not a retry).
      expect((await refresh(f.s.app, f.appA.basic, successor.json().refresh_token)).statusCode).toBe(200);
      failures.push(await refresh(f.s.app, f.appA.basic, rotated.refresh_token));
      for (const res of failures) expectGenericInvalidGrant(res);
    });

    it('reuse of a rotated token (grace 0) → invalid_grant and the whole grant revoked', async () => {
      const first = await getTokens(f.s, f.browser, f.appA);
      const second = (await refresh(f.s.app, f.appA.basic, first.refresh_token)).json();
      const third = (await refresh(f.s.app, f.appA.basic, second.refresh_token)).json();
      expect(third.refresh_token).toMatch(REFRESH_TOKEN_SHAPE);
      expect(await active(f.appA, third.access_token)).toBe(true);
      // The attacker replays the first (rotated) token.
      expectInvalidGrant(await refresh(f.s.app, f.appA.basic, first.refresh_token));
      // The newest refresh token fails too, and every access token of the grant is inactive.
      expectInvalidGrant(await refresh(f.s.app, f.appA.basic, third.refresh_token));
      for (const token of [first.access_token, second.access_token, third.access_token]) {
        expectInactive(await introspect(f.s.app, f.appA.basic, token));
      }
      const gid = claimsOf(third.access_token).gid as string;
      const grant = await f.s.ctx.db
        .selectFrom('grants')
        .select('revoked_at')
        .where('id', '=', gid)
        .executeTakeFirstOrThrow();
      expect(grant.revoked_at).not.toBeNull();
    });
  });
});

describe.each(dialects())(
  'no refresh token is stored for an app without the refresh_token grant, on %s',
  (dialect) => {
    let s: TestServer;
    let browser: InjectBrowser;
    beforeAll(async () => {
      s = await startTestServer(dialect);
      const user = await s.ctx.users.create('ada@example.com', PASSWORD);
      browser = await signedInBrowser(s, new InjectBrowser(s.app), user.id);
    });
    afterAll(async () => {
      await s?.close();
    });

    const rowsOf = async (table: 'refresh_tokens' | 'grants', clientId: string) =>
      (await s.ctx.db.selectFrom(table).select('client_id').where('client_id', '=', clientId).execute())
        .length;

    /** The token response of a fresh code (refresh_token absent for apps without the grant). */
    const exchange = (app: ThreeLeggedApp) => getTokens(s, browser, app, { scope: 'data:read' });

    it('a code exchange writes the grant but no refresh_tokens row; the access token works', async () => {
      const app = await registerThreeLeggedApp(s, {
        name: 'No refresh',
        scope: 'data:read',
        redirectUris: ['https://norefresh.example/cb'],
        grants: ['authorization_code'],
      });
      const { client } = app;
      const body = await exchange(app);
      expect(body.refresh_token).toBeUndefined();
      expect(await rowsOf('refresh_tokens', client.id)).toBe(0);
      expect(await rowsOf('grants', client.id)).toBe(1);
      const res = await introspect(s.app, app.basic, body.access_token as string);
      expect(res.json().active).toBe(true);
    });

    it('an app with the grant still gets its refresh token, stored', async () => {
      const app = await registerThreeLeggedApp(s, { name: 'With refresh' });
      const body = await exchange(app);
      expect(body.refresh_token).toMatch(REFRESH_TOKEN_SHAPE);
      expect(await rowsOf('refresh_tokens', app.client.id)).toBe(1);
    });
  },
);
