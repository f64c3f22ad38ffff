/**
 * The audit log records the security events of the server's own endpoints (storage/audit.ts): a grant
 * revoked by its app (RFC 7009), by a code replay (RFC 6749 §4.1.2) or a refresh-token reuse (RFC 9700
 * §4.14.2) with the reuse and the forgotten consent, and by the user on the Connected apps page; a
 * reuse's events are written in the revocation's own transaction; no event holds a secret. On SQLite
 * and PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSigningKey } from '../src/keys/signing-key.js';
import type { StoredAuditEvent } from '../src/storage/audit.js';
import { openDatabase } from '../src/storage/database.js';
import { migrate } from '../src/storage/migrations.js';
import {
  claimsOf,
  getCode,
  refresh,
  revoke,
  signedInBrowser,
  type ThreeLeggedApp,
  tokenRequest,
} from './support/attacks.js';
import { csrfOf, InjectBrowser, registerThreeLeggedApp } from './support/browser.js';
import { dialects, ISSUED_SECRET, startTestServer, type TestServer } from './support/server.js';

describe.each(dialects())('audit events of the endpoints, on %s', (dialect) => {
  let s: TestServer;
  let browser: InjectBrowser;
  let userId: string;
  let n = 0;
  /** Every secret, code and token the suite saw: none may appear in any event. */
  const secrets: string[] = [];
  beforeAll(async () => {
    s = await startTestServer(dialect);
    secrets.push(s.credentials.clientSecret);
    userId = (await s.ctx.users.create('ada@example.com', 'correct horse battery')).id;
    browser = await signedInBrowser(s, new InjectBrowser(s.app), userId);
    secrets.push(...browser.cookies.values());
  });
  afterAll(async () => {
    await s?.close();
  });

  const freshApp = async () => {
    const app = await registerThreeLeggedApp(s, {
      name: `App ${++n}`,
      redirectUris: [`https://a${n}.example/cb`],
    });
    secrets.push(app.clientSecret as string);
    return app;
  };
  /** The token request that redeems a fresh code of the app. */
  async function codeForm(app: ThreeLeggedApp) {
    const { code, verifier, redirectUri } = await getCode(browser, app, { scope: 'data:read' });
    secrets.push(code, verifier as string);
    return {
      grant_type: 'authorization_code',
      code,
      redirect_uri: redirectUri,
      code_verifier: verifier as string,
    };
  }
  /** A code redeemed once: the form (to replay) and the tokens it gave. */
  async function redeemed(app: ThreeLeggedApp) {
    const form = await codeForm(app);
    const res = await tokenRequest(s.app, app.basic, form);
    expect(res.statusCode).toBe(200);
    const tokens = res.json() as { access_token: string; refresh_token: string };
    secrets.push(tokens.access_token, tokens.refresh_token);
    return { form, tokens, grantId: claimsOf(tokens.access_token).gid as string };
  }
  /** The events about one app, oldest first. */
  const eventsOf = async (clientId: string): Promise<StoredAuditEvent[]> =>
    (await s.ctx.audit.list({ limit: 10_000 })).filter((event) => event.clientId === clientId).reverse();
  const summary = (events: StoredAuditEvent[]) =>
    events.map(({ type, actor, userId, details }) => ({ type, actor, userId, details }));
  /** What a detected reuse records, by the system: the reuse, the revocation, the forgotten consent. */
  const compromised = (grantId: string, token: string, reason: string) => [
    { type: 'reuse.detected', actor: 'system', userId, details: { token, grant_id: grantId } },
    { type: 'grant.revoked', actor: 'system', userId, details: { grant_id: grantId, reason } },
    { type: 'consent.withdrawn', actor: 'system', userId, details: { reason } },
  ];
  const grantActive = (grantId: string) => s.ctx.revocations.grantActive(grantId);

  it('a refresh token the app revokes: grant.revoked by the app (revoked_by_app), once', async () => {
    const app = await freshApp();
    const { tokens, grantId } = await redeemed(app);
    expect(await eventsOf(app.client.id)).toEqual([]);
    expect((await revoke(s.app, app.basic, tokens.refresh_token)).statusCode).toBe(200);
    const expected = {
      type: 'grant.revoked',
      actor: app.client.id,
      userId,
      details: { grant_id: grantId, reason: 'revoked_by_app' },
    };
    expect(summary(await eventsOf(app.client.id))).toEqual([expected]);
    // Revoking a revoked grant changes nothing, and records nothing.
    await revoke(s.app, app.basic, tokens.refresh_token);
    expect(summary(await eventsOf(app.client.id))).toEqual([expected]);
  });

  it('a replayed code: reuse.detected, grant.revoked (code_replay), consent.withdrawn, by the system', async () => {
    const app = await freshApp();
    const { form, grantId } = await redeemed(app);
    expect((await tokenRequest(s.app, app.basic, form)).json().error).toBe('invalid_grant');
    const events = await eventsOf(app.client.id);
    expect(summary(events)).toEqual(compromised(grantId, 'authorization_code', 'code_replay'));
    // Written with the revocation: the same second as the grant's revoked_at.
    const { revoked_at } = await s.ctx.db
      .selectFrom('grants')
      .select('revoked_at')
      .where('id', '=', grantId)
      .executeTakeFirstOrThrow();
    for (const event of events) expect(event.occurredAt).toBe(Number(revoked_at));
    // A second replay is detected again; the grant and consent are gone already, so nothing else is said.
    await tokenRequest(s.app, app.basic, form);
    expect(summary((await eventsOf(app.client.id)).slice(3)).map((e) => e.type)).toEqual(['reuse.detected']);
  });

  it('parallel redemptions of one code: one grant.revoked, one reuse.detected per loser, never twice', async () => {
    const app = await freshApp();
    const form = await codeForm(app);
    const answers = await Promise.all(Array.from({ length: 6 }, () => tokenRequest(s.app, app.basic, form)));
    const won = answers.filter((res) => res.statusCode === 200);
    expect(won).toHaveLength(1);
    for (const res of won) secrets.push(res.json().access_token, res.json().refresh_token);
    const types = (await eventsOf(app.client.id)).map((event) => event.type);
    expect(types.filter((type) => type === 'reuse.detected')).toHaveLength(5);
    expect(types.filter((type) => type === 'grant.revoked')).toHaveLength(1);
    expect(types.filter((type) => type === 'consent.withdrawn')).toHaveLength(1);
  });

  it('a reused refresh token: reuse.detected, grant.revoked (refresh_token_reuse), consent.withdrawn', async () => {
    const app = await freshApp();
    const { tokens, grantId } = await redeemed(app);
    const successor = (await refresh(s.app, app.basic, tokens.refresh_token)).json();
    const third = (await refresh(s.app, app.basic, successor.refresh_token)).json();
    secrets.push(successor.refresh_token, successor.access_token, third.refresh_token, third.access_token);
    // Rotations are not security events.
    expect(await eventsOf(app.client.id)).toEqual([]);
    expect((await refresh(s.app, app.basic, tokens.refresh_token)).json().error).toBe('invalid_grant');
    expect(summary(await eventsOf(app.client.id))).toEqual(
      compromised(grantId, 'refresh_token', 'refresh_token_reuse'),
    );
  });

  it.each([
    ['a reused refresh token', 'refresh'],
    ['a replayed code', 'code'],
  ] as const)(
    '%s: when its events cannot be written, the grant is not revoked either (one transaction)',
    async (_, what) => {
      const app = await freshApp();
      const { form, tokens, grantId } = await redeemed(app);
      if (what === 'refresh')
        await refresh(
          s.app,
          app.basic,
          (await refresh(s.app, app.basic, tokens.refresh_token)).json().refresh_token,
        );
      await s.ctx.db.schema.alterTable('audit_events').renameTo('audit_events_away').execute();
      try {
        const res =
          what === 'refresh'
            ? await refresh(s.app, app.basic, tokens.refresh_token)
            : await tokenRequest(s.app, app.basic, form);
        expect(res.statusCode).toBeGreaterThanOrEqual(500);
      } finally {
        await s.ctx.db.schema.alterTable('audit_events_away').renameTo('audit_events').execute();
      }
      expect(await grantActive(grantId)).toBe(true);
      expect(await s.ctx.consents.scopes(userId, app.client.id)).toEqual(['data:read']);
      // With the table back, the same reuse revokes the grant and says so.
      if (what === 'refresh') await refresh(s.app, app.basic, tokens.refresh_token);
      else await tokenRequest(s.app, app.basic, form);
      expect(await grantActive(grantId)).toBe(false);
      expect((await eventsOf(app.client.id)).map((event) => event.type)).toContain('grant.revoked');
    },
  );

  it('Revoke access on the Connected apps page: grant.revoked per grant and consent.withdrawn, by the user', async () => {
    const app = await freshApp();
    const grants = [(await redeemed(app)).grantId, (await redeemed(app)).grantId];
    const page = await browser.get('/account/apps');
    const res = await browser.post(`/account/apps/${app.client.id}/revoke`, { csrf: csrfOf(page.body) });
    expect(res.statusCode).toBe(303);
    const events = summary(await eventsOf(app.client.id));
    expect(events).toHaveLength(3);
    expect(events).toEqual(
      expect.arrayContaining([
        ...grants.map((grantId) => ({
          type: 'grant.revoked',
          actor: userId,
          userId,
          details: { grant_id: grantId, reason: 'revoked_by_user' },
        })),
        { type: 'consent.withdrawn', actor: userId, userId, details: { reason: 'revoked_by_user' } },
      ]),
    );
    // Nothing left to withdraw: a second click records nothing.
    await browser.post(`/account/apps/${app.client.id}/revoke`, { csrf: csrfOf(page.body) });
    expect(await eventsOf(app.client.id)).toHaveLength(3);
  });

  it('no event holds a secret, code, token or session', async () => {
    const dump = JSON.stringify(await s.ctx.db.selectFrom('audit_events').selectAll().execute());
    expect(dump).toContain('grant.revoked');
    expect(secrets.length).toBeGreaterThan(20);
    for (const secret of secrets) expect(dump).not.toContain(secret);
    expect(dump).not.toMatch(ISSUED_SECRET);
  });
});

describe.each(dialects())('a start that seals keys stored in clear, on %s', (dialect) => {
  let s: TestServer | undefined;
  afterAll(async () => {
    await s?.close();
  });

  it('records key.rewrapped by the system, with how many it sealed', async () => {
    const { key, privateJwk } = generateSigningKey('ES256');
    s = await startTestServer(
      dialect,
      {},
      {
        // A key stored in clear, as before migration 007.
        async before(databaseUrl) {
          const db = openDatabase(databaseUrl);
          try {
            await migrate(db);
            await db
              .insertInto('signing_keys')
              .values({
                kid: key.kid,
                alg: 'ES256',
                state: 'retired',
                private_jwk: JSON.stringify(privateJwk),
                kek_id: null,
                public_jwk: JSON.stringify(key.publicJwk),
                created_at: Math.floor(Date.now() / 1000),
                publish_until: Math.floor(Date.now() / 1000) + 3600,
              })
              .execute();
          } finally {
            await db.destroy();
          }
        },
      },
    );
    const events = await s.ctx.audit.list({ limit: 10 });
    expect(events.map(({ type, actor, details }) => ({ type, actor, sealed: details['sealed'] }))).toEqual([
      { type: 'key.rewrapped', actor: 'system', sealed: 1 },
    ]);
    expect(JSON.stringify(events)).not.toContain(privateJwk.d as string);
  });
});
