/**
 * What a purge (storage/purge.ts) deletes and what it keeps, on SQLite and PostgreSQL: every kind of
 * expired row goes and live ones stay, reported per table; the rotated refresh tokens of a live grant
 * stay so that reuse is still detected; a grant that never had a refresh token goes once its access
 * token expired, not before.
 */
import { describe, expect, it } from 'vitest';
import { RETIRED_SECRET_KEPT } from '../src/storage/clients.js';
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
} from './support/attacks.js';
import { InjectBrowser, registerThreeLeggedApp } from './support/browser.js';
import { none, usePurgeServer } from './support/purge.js';
import { dialects } from './support/server.js';

describe.each(dialects())('purge on %s', (dialect) => {
  const f = usePurgeServer(dialect);

  it('deletes what expired, keeps what is live, and reports per table', async () => {
    await f.purge();
    const past = nowSeconds() - 10;
    // Expired: a code, a pending request, a session, a revocation, a secret, a retired key, a grant.
    const { code: deadCode } = await getCode(f.browser, f.app);
    await f.s.ctx.db
      .updateTable('authorization_codes')
      .set({ expires_at: past })
      .where('code_hash', '=', hashOf(deadCode))
      .execute();
    const request = {
      clientId: f.app.client.id,
      userId: f.userId,
      redirectUri: f.app.redirectUri,
      redirectUriGiven: true,
      scopes: ['data:read'],
      state: undefined,
      codeChallenge: undefined,
    };
    await f.s.ctx.authorizationRequests.save(request, -10);
    const deadSession = await f.s.ctx.users.createSession(f.userId, -10);
    await f.s.ctx.emailLinks.issue(f.userId, 'reset', 'ada@example.com', -10);
    await f.s.ctx.db
      .insertInto('revoked_tokens')
      .values({ jti: crypto.randomUUID(), expires_at: past })
      .execute();
    // A secret replaced by a rotation whose grace period ended more than 30 days ago, and one whose
    // grace ended recently: kept so that Recent errors can tell a developer still sending it.
    const retired = (expiresAt: number) =>
      f.s.ctx.db
        .insertInto('client_secrets')
        .values({
          id: randomToken(12),
          client_id: f.app.client.id,
          secret_hash: sha256Hex(randomToken(32)),
          created_at: expiresAt - 86400,
          expires_at: expiresAt,
        })
        .execute();
    await retired(past - RETIRED_SECRET_KEPT);
    await retired(past);
    await f.s.ctx.db
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
    const dead = await getTokens(f.s, f.browser, f.app);
    const rotated = (await refresh(f.s.app, f.app.basic, dead.refresh_token)).json();
    const deadGrant = await f.expireGrant(rotated.refresh_token);

    // Live: a code, a pending request, a session, a revocation, the current secret, the keys, grants.
    const { code: liveCode } = await getCode(f.browser, f.app);
    const liveHandle = await f.s.ctx.authorizationRequests.save(request, 600);
    const liveSession = await f.s.ctx.users.createSession(f.userId, 3600);
    const liveLink = await f.s.ctx.emailLinks.issue(f.userId, 'verify', 'ada@example.com', 3600);
    const revoked = await getTokens(f.s, f.browser, f.app);
    await revoke(f.s.app, f.app.basic, revoked.access_token);
    const live = await getTokens(f.s, f.browser, f.app);
    // Refresh tokens expired, but an access token issued from the grant may still be unexpired.
    const recent = await getTokens(f.s, f.browser, f.app);
    const recentGrant = await f.expireGrant(recent.refresh_token, false);
    // Revoked, but its refresh token has not expired yet.
    const revokedGrant = await getTokens(f.s, f.browser, f.app);
    await revoke(f.s.app, f.app.basic, revokedGrant.refresh_token);

    const before = {
      codes: await countRows(f.s, 'authorization_codes'),
      keys: await f.s.ctx.db.selectFrom('signing_keys').select('kid').execute(),
    };
    const counts = await f.purge();
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
    expect(await f.purge()).toEqual(none());
    expect(await f.s.ctx.db.selectFrom('email_links').select('id_hash').execute()).toHaveLength(1);
    expect(await f.s.ctx.emailLinks.find(liveLink, 'verify')).toEqual({
      userId: f.userId,
      email: 'ada@example.com',
    });

    expect(await countRows(f.s, 'authorization_codes')).toBe(before.codes - 1);
    const codes = await f.s.ctx.db.selectFrom('authorization_codes').select('code_hash').execute();
    expect(codes.map((c) => c.code_hash)).toContain(hashOf(liveCode));
    expect(codes.map((c) => c.code_hash)).not.toContain(hashOf(deadCode));
    expect(await f.s.ctx.users.sessionUser(liveSession)).toMatchObject({ id: f.userId });
    const sessions = await f.s.ctx.db.selectFrom('sessions').select('id_hash').execute();
    expect(sessions.map((r) => r.id_hash)).not.toContain(sha256Hex(deadSession));
    expect(await f.s.ctx.authorizationRequests.take(liveHandle, f.userId)).toMatchObject({
      scopes: ['data:read'],
    });
    expectInactive(await introspect(f.s.app, f.app.basic, revoked.access_token));
    expect(await countRows(f.s, 'revoked_tokens')).toBe(1);
    const secrets = await f.s.ctx.db
      .selectFrom('client_secrets')
      .select('expires_at')
      .where('client_id', '=', f.app.client.id)
      .execute();
    expect(secrets).toEqual(expect.arrayContaining([{ expires_at: null }, { expires_at: past }]));
    expect(secrets).toHaveLength(2);
    const keys = await f.s.ctx.db.selectFrom('signing_keys').select('kid').execute();
    expect(keys.map((k) => k.kid).sort()).toEqual(
      before.keys
        .map((k) => k.kid)
        .filter((kid) => kid !== 'retired-long-ago')
        .sort(),
    );
    expect(await f.grantExists(deadGrant)).toBe(false);
    expect(await f.grantExists(recentGrant)).toBe(true);
    expect((await introspect(f.s.app, f.app.basic, recent.access_token)).json().active).toBe(true);
    expect(await f.grantExists(claimsOf(revokedGrant.access_token).gid as string)).toBe(true);
    expect((await introspect(f.s.app, f.app.basic, live.access_token)).json().active).toBe(true);
    expect((await refresh(f.s.app, f.app.basic, live.refresh_token)).statusCode).toBe(200);
    // The purged grant's refresh token is as dead as before.
    expectInvalidGrant(await refresh(f.s.app, f.app.basic, rotated.refresh_token));
  });

  it('keeps the rotated refresh tokens of a live grant: reuse after a purge is detected and revokes the grant', async () => {
    const first = await getTokens(f.s, f.browser, f.app);
    const second = (await refresh(f.s.app, f.app.basic, first.refresh_token)).json();
    const third = (await refresh(f.s.app, f.app.basic, second.refresh_token)).json();
    // Even long after the access tokens expired, while the head can be refreshed.
    await f.purge({ now: nowSeconds() + f.s.config.accessTokenTtl + 3600 });
    // That purge also ended the browser's session (it would have expired by then): sign in again.
    f.browser = await signedInBrowser(f.s, new InjectBrowser(f.s.app), f.userId);
    const grantId = claimsOf(third.access_token).gid as string;
    const rows = await f.s.ctx.db
      .selectFrom('refresh_tokens')
      .select('token_hash')
      .where('grant_id', '=', grantId)
      .execute();
    expect(rows).toHaveLength(3);
    // RFC 9700 §4.14.2: the reuse of a rotated token revokes the grant.
    expectInvalidGrant(await refresh(f.s.app, f.app.basic, first.refresh_token));
    expectInvalidGrant(await refresh(f.s.app, f.app.basic, third.refresh_token));
    expectInactive(await introspect(f.s.app, f.app.basic, third.access_token));
  });

  it('a grant that never had a refresh token goes once its access token expired, not before; live refresh tokens keep theirs', async () => {
    await f.purge();
    // An app without the refresh_token grant: its grant gets no refresh-token row (RFC 6749 §5.1).
    const noRefresh = await registerThreeLeggedApp(f.s, {
      name: 'No refresh',
      scope: 'data:read',
      redirectUris: ['https://norefresh.example/cb'],
      grants: ['authorization_code'],
    });
    const once = await getTokens(f.s, f.browser, noRefresh, { scope: 'data:read' });
    expect(once.refresh_token).toBeUndefined();
    const grantId = claimsOf(once.access_token).gid as string;
    const { created_at } = await f.s.ctx.db
      .selectFrom('grants')
      .select('created_at')
      .where('id', '=', grantId)
      .executeTakeFirstOrThrow();
    const createdAt = Number(created_at);
    // A grant with live refresh tokens, created (and last refreshed) long before: untouched.
    const refreshable = await getTokens(f.s, f.browser, f.app);
    const refreshableGrant = claimsOf(refreshable.access_token).gid as string;
    const longAgo = createdAt - f.s.config.accessTokenTtl - 3600;
    await f.s.ctx.db
      .updateTable('grants')
      .set({ created_at: longAgo })
      .where('id', '=', refreshableGrant)
      .execute();
    await f.s.ctx.db
      .updateTable('refresh_tokens')
      .set({ created_at: longAgo })
      .where('grant_id', '=', refreshableGrant)
      .execute();
    const connected = async () => (await f.s.ctx.connectedApps.list(f.userId)).map((c) => c.clientId);
    expect(await connected()).toContain(noRefresh.client.id);

    // Now, and at the last second its access token (plus the issue slack) may be unexpired: kept.
    expect((await f.purge()).grants).toBe(0);
    expect((await introspect(f.s.app, noRefresh.basic, once.access_token)).json().active).toBe(true);
    const lastLive = createdAt + f.s.config.accessTokenTtl + 60;
    expect((await f.purge({ now: lastLive })).grants).toBe(0);
    expect(await f.grantExists(grantId)).toBe(true);

    // One second later it goes. The app stays on the Connected apps page: the user's consent remains
    // (the next request of that app would get a code without asking), until the user withdraws it.
    const counts = await f.purge({ now: lastLive + 1 });
    expect(counts.grants).toBe(1);
    expect(counts.refresh_tokens).toBe(0);
    expect(await f.grantExists(grantId)).toBe(false);
    expect(await connected()).toContain(noRefresh.client.id);

    expect(await f.grantExists(refreshableGrant)).toBe(true);
    expect(
      await f.s.ctx.db
        .selectFrom('refresh_tokens')
        .select('token_hash')
        .where('grant_id', '=', refreshableGrant)
        .execute(),
    ).toEqual([{ token_hash: hashOf(refreshable.refresh_token) }]);
    expect(await connected()).toContain(f.app.client.id);
    expect((await refresh(f.s.app, f.app.basic, refreshable.refresh_token)).statusCode).toBe(200);
    // The future purge also ended the browser's session: sign in again for the next test.
    f.browser = await signedInBrowser(f.s, new InjectBrowser(f.s.app), f.userId);
  });
});
