/**
 * Recent errors on SQLite and PostgreSQL: a failed token or authorization request of an app that
 * exists is recorded with a reason its developer can act on, while the answer on the wire stays
 * exactly as generic as it was; nothing is recorded for a made-up client ID; at most 50 rows per app
 * and a capped write rate, whatever floods in; deleted with the app and by the purge after 30 days; a
 * failing write never fails a request nor logs what it held.
 */
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorRecorder, RECORDING_LIMITS } from '../src/activity/error-recorder.js';
import type { RecentErrorRepository } from '../src/storage/activity/recent-errors.js';
import { purgeExpired } from '../src/storage/purge.js';
import {
  getCode,
  getTokens,
  nowSeconds,
  refresh,
  signedInBrowser,
  type ThreeLeggedApp,
  tokenRequest,
} from './support/attacks.js';
import { InjectBrowser, registerThreeLeggedApp } from './support/browser.js';
import { clockReaches, dialects, LogCapture, startTestServer, type TestServer } from './support/server.js';

/** The answers as the token endpoint gave them before Recent errors existed, byte for byte. */
const WIRE = {
  invalidClient: '{"error":"invalid_client","error_description":"client authentication failed"}',
  invalidGrant:
    '{"error":"invalid_grant","error_description":"the authorization code or refresh token is invalid, expired, revoked, does not match the authorization request, or was issued to another client"}',
  invalidScope: '{"error":"invalid_scope","error_description":"scope not allowed for this client: admin"}',
  unauthorizedClient:
    '{"error":"unauthorized_client","error_description":"this client is not allowed to use grant_type \\"authorization_code\\""}',
};

/** A recorder that writes everything at once (the flood tests set their own limits). */
const UNLIMITED = {
  ...RECORDING_LIMITS,
  perAppBurst: 1e9,
  perAppPerSecond: 1e9,
  totalBurst: 1e9,
  totalPerSecond: 1e9,
  maxQueued: 1e9,
};

describe.each(dialects())('Recent errors on %s', (dialect) => {
  let s: TestServer;
  let browser: InjectBrowser;
  let three: ThreeLeggedApp;

  /** The app's rows once everything queued is written. */
  const recorded = async (clientId: string) => {
    await s.ctx.recentErrors.flush();
    return s.ctx.appErrors.list(clientId);
  };
  const latest = async (clientId: string) => (await recorded(clientId))[0];
  const allRows = async () =>
    Number(
      (
        await s.ctx.db
          .selectFrom('app_errors')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  beforeAll(async () => {
    // Failed client authentications from one address are throttled after 10 by default: this suite's
    // own failures must not throttle each other (the flood runs on a server of its own).
    s = await startTestServer(dialect, { LATCHKEY_AUTH_MAX_FAILURES: '1000000' });
    const user = await s.ctx.users.create('dev@example.com', 'a long password');
    browser = await signedInBrowser(s, new InjectBrowser(s.app), user.id);
    three = await registerThreeLeggedApp(s);
  });
  afterAll(async () => {
    await s?.close();
  });

  it('a wrong secret: the same 401 as for an unknown app; recorded for the app, never its value', async () => {
    const wrong = 'a-wrong-secret-that-must-never-be-stored-0123456';
    const before = await allRows();
    const res = await tokenRequest(s.app, s.basic(s.credentials.clientId, wrong), {
      grant_type: 'client_credentials',
    });
    expect(res.statusCode).toBe(401);
    expect(res.body).toBe(WIRE.invalidClient);
    const unknown = await tokenRequest(s.app, s.basic('lk_no_such_app', wrong), {
      grant_type: 'client_credentials',
    });
    expect(unknown.body).toBe(res.body);
    expect(await latest(s.credentials.clientId)).toMatchObject({
      endpoint: 'token',
      grantType: undefined,
      error: 'invalid_client',
      reason: 'client secret does not match',
    });
    // The unknown app's failure is nobody's: one row in all.
    expect(await allRows()).toBe(before + 1);
    const text = JSON.stringify(await s.ctx.db.selectFrom('app_errors').selectAll().execute());
    expect(text).not.toContain(wrong);
    expect(text).not.toContain(s.credentials.clientSecret);
  });

  it('a secret a rotation retired: the reason says so, the answer does not', async () => {
    const app = await registerThreeLeggedApp(s, { grants: ['client_credentials'], name: 'Rotated' });
    const old = app.clientSecret as string;
    const rotation = await s.ctx.clients.rotateSecret(app.client.id, 1);
    await clockReaches((rotation?.previousUntil as number) + 1);
    const res = await tokenRequest(s.app, s.basic(app.client.id, old), { grant_type: 'client_credentials' });
    expect(res.body).toBe(WIRE.invalidClient);
    expect((await latest(app.client.id))?.reason).toMatch(
      /^client secret does not match \(the secret rotated \d+ s ago has expired\)$/,
    );
    // A secret the app never had says nothing more.
    await tokenRequest(s.app, s.basic(app.client.id, 'x'.repeat(43)), { grant_type: 'client_credentials' });
    expect((await latest(app.client.id))?.reason).toBe('client secret does not match');
  });

  it('a scope the app lacks, a grant it is not registered for: the answers as before, reasons beside', async () => {
    const scope = await tokenRequest(s.app, s.basic(), { grant_type: 'client_credentials', scope: 'admin' });
    expect(scope.body).toBe(WIRE.invalidScope);
    expect(await latest(s.credentials.clientId)).toMatchObject({
      grantType: 'client_credentials',
      error: 'invalid_scope',
      reason: 'scope not allowed for this app: admin (it may ask for: data:read data:write)',
    });
    const grant = await tokenRequest(s.app, s.basic(), { grant_type: 'authorization_code', code: 'x' });
    expect(grant.body).toBe(WIRE.unauthorizedClient);
    expect(await latest(s.credentials.clientId)).toMatchObject({
      grantType: 'authorization_code',
      error: 'unauthorized_client',
      reason: 'this app is not registered for grant_type authorization_code (its grants: client_credentials)',
    });
  });

  it('a code redeemed with another redirect_uri or a wrong code_verifier: invalid_grant, and which', async () => {
    const first = await getCode(browser, three);
    const moved = await tokenRequest(s.app, three.basic, {
      grant_type: 'authorization_code',
      code: first.code,
      redirect_uri: `${three.redirectUri}/`,
      code_verifier: first.verifier as string,
    });
    expect(moved.body).toBe(WIRE.invalidGrant);
    expect((await latest(three.client.id))?.reason).toBe(
      `redirect_uri does not match the authorization request: expected ${three.redirectUri}, got ${three.redirectUri}/`,
    );
    const second = await getCode(browser, three);
    const verifier = 'v'.repeat(43);
    const wrong = await tokenRequest(s.app, three.basic, {
      grant_type: 'authorization_code',
      code: second.code,
      redirect_uri: three.redirectUri,
      code_verifier: verifier,
    });
    expect(wrong.body).toBe(WIRE.invalidGrant);
    const row = await latest(three.client.id);
    expect(row).toMatchObject({
      grantType: 'authorization_code',
      reason: 'code_verifier does not match the code_challenge',
    });
    expect(JSON.stringify(row)).not.toContain(second.code);
    expect(JSON.stringify(row)).not.toContain(verifier);
  });

  it('another app’s code or refresh token reads as unknown; a reused refresh token says the grant went', async () => {
    const other = await registerThreeLeggedApp(s, { name: 'Other' });
    const { code, verifier } = await getCode(browser, three);
    const stolen = await tokenRequest(s.app, other.basic, {
      grant_type: 'authorization_code',
      code,
      redirect_uri: three.redirectUri,
      code_verifier: verifier as string,
    });
    expect(stolen.body).toBe(WIRE.invalidGrant);
    const unknown = await tokenRequest(s.app, other.basic, {
      grant_type: 'authorization_code',
      code: 'c'.repeat(43),
      redirect_uri: three.redirectUri,
      code_verifier: verifier as string,
    });
    expect(unknown.body).toBe(WIRE.invalidGrant);
    const [forUnknown, forStolen] = await recorded(other.client.id);
    expect(forStolen?.reason).toBe(forUnknown?.reason);
    expect(forStolen?.reason).toMatch(/^the authorization code is not one issued to this app/);

    const tokens = await getTokens(s, browser, three);
    const next = await refresh(s.app, three.basic, tokens.refresh_token);
    // Its successor used, the first token presented again is a reuse (not a retry after a lost answer).
    expect((await refresh(s.app, three.basic, next.json().refresh_token)).statusCode).toBe(200);
    const theirs = await refresh(s.app, other.basic, tokens.refresh_token);
    expect(theirs.body).toBe(WIRE.invalidGrant);
    expect((await latest(other.client.id))?.reason).toMatch(/^the refresh token is not one this app holds/);
    const reused = await refresh(s.app, three.basic, tokens.refresh_token);
    expect(reused.body).toBe(WIRE.invalidGrant);
    expect(await latest(three.client.id)).toMatchObject({
      grantType: 'refresh_token',
      error: 'invalid_grant',
      reason: 'refresh token was already used (reuse detected; the grant was revoked)',
    });
  });

  it('the authorization endpoint: a redirect_uri not registered, a scope the app lacks', async () => {
    const authorize = (query: Record<string, string>) =>
      browser.get(
        `/oauth/authorize?${new URLSearchParams({ response_type: 'code', client_id: three.client.id, ...query })}`,
      );
    const page = await authorize({ redirect_uri: `${three.redirectUri}/` });
    expect(page.statusCode).toBe(400);
    expect(page.body).not.toContain(`${three.redirectUri}/`);
    expect(await latest(three.client.id)).toMatchObject({
      endpoint: 'authorize',
      error: 'redirect_uri_mismatch',
      reason: `redirect_uri does not match: registered ${three.redirectUri}, got ${three.redirectUri}/`,
    });
    const redirect = await authorize({ redirect_uri: three.redirectUri, scope: 'admin', state: 'st' });
    expect(redirect.statusCode).toBe(303);
    const location = new URL(String(redirect.headers['location']));
    expect(Object.fromEntries(location.searchParams)).toEqual({
      error: 'invalid_scope',
      error_description: 'scope not allowed for this client: admin',
      state: 'st',
      iss: s.config.issuer,
    });
    expect(await latest(three.client.id)).toMatchObject({
      endpoint: 'authorize',
      error: 'invalid_scope',
      reason: 'scope not allowed for this app: admin (it may ask for: data:read data:write)',
    });
    // An app that does not exist is nobody's to see.
    const before = await allRows();
    await browser.get(
      '/oauth/authorize?response_type=code&client_id=lk_none&redirect_uri=https://x.example/',
    );
    expect(await recorded('lk_none')).toEqual([]);
    expect(await allRows()).toBe(before);
  });

  it('keeps the newest 50 of an app, newest first, however many are written', async () => {
    const app = await registerThreeLeggedApp(s, { grants: ['client_credentials'], name: 'Busy' });
    const recorder = new ErrorRecorder(s.ctx.appErrors, pino({ level: 'silent' }), UNLIMITED);
    for (let batch = 0; batch < 5; batch++) {
      for (let i = 0; i < 1000; i++) {
        recorder.record({
          clientId: app.client.id,
          known: true,
          endpoint: 'token',
          error: 'invalid_request',
          description: 'd',
          reason: `failure ${batch * 1000 + i}`,
        });
      }
      await recorder.flush();
    }
    await recorder.stop();
    const rows = await s.ctx.appErrors.list(app.client.id);
    expect(rows.map((row) => row.reason)).toEqual(
      Array.from({ length: 50 }, (_, i) => `failure ${4999 - i}`),
    );
    const stored = await s.ctx.db
      .selectFrom('app_errors')
      .select('id')
      .where('client_id', '=', app.client.id)
      .execute();
    expect(stored).toHaveLength(50);
  }, 60_000);

  it('never records a made-up client ID, however many fail', async () => {
    const before = await allRows();
    for (let i = 0; i < 200; i++) {
      await tokenRequest(s.app, s.basic(`lk_made_up_${i}`, 'x'), { grant_type: 'client_credentials' });
    }
    await s.ctx.recentErrors.flush();
    expect(await allRows()).toBe(before);
    expect(
      await s.ctx.db
        .selectFrom('app_error_drops')
        .select('client_id')
        .where('client_id', 'like', 'lk_made_up_%')
        .execute(),
    ).toEqual([]);
  });

  it('goes with its app, and by the purge after 30 days', async () => {
    const app = await registerThreeLeggedApp(s, { grants: ['client_credentials'], name: 'Short-lived' });
    await tokenRequest(s.app, s.basic(app.client.id, 'wrong'), { grant_type: 'client_credentials' });
    expect(await recorded(app.client.id)).toHaveLength(1);
    const old = nowSeconds() - 31 * 86400;
    await s.ctx.appErrors.write(
      [
        {
          clientId: app.client.id,
          occurredAt: old,
          endpoint: 'token',
          grantType: undefined,
          error: 'e',
          reason: 'old',
        },
      ],
      [{ clientId: app.client.id, day: Math.floor(old / 86400), dropped: 7 }],
    );
    expect(await s.ctx.appErrors.dropped(app.client.id)).toBe(0);
    const counts = await purgeExpired(s.ctx.db, { accessTokenTtl: s.config.accessTokenTtl });
    expect(counts).toMatchObject({ app_errors: 1, app_error_drops: 1 });
    expect((await s.ctx.appErrors.list(app.client.id)).map((row) => row.reason)).toEqual([
      'client secret does not match',
    ]);
    await s.ctx.clients.delete(app.client.id);
    expect(await s.ctx.appErrors.list(app.client.id)).toEqual([]);
  });

  it('a write that fails fails no request, logs no content, and counts its failures as not recorded', async () => {
    const logs = new LogCapture();
    let fail = true;
    const repository = {
      write: async (...args: Parameters<RecentErrorRepository['write']>) => {
        if (fail) throw Object.assign(new Error('boom: secret-reason-text'), { code: 'SQLITE_BUSY' });
        return s.ctx.appErrors.write(...args);
      },
    } as RecentErrorRepository;
    const recorder = new ErrorRecorder(repository, pino({ level: 'debug' }, logs), {
      ...UNLIMITED,
      retryDelayMs: 0,
    });
    const app = await registerThreeLeggedApp(s, { grants: ['client_credentials'], name: 'Flaky' });
    const report = (reason: string) =>
      recorder.record({
        clientId: app.client.id,
        known: true,
        endpoint: 'token',
        error: 'invalid_scope',
        description: 'd',
        reason,
      });
    report('secret-reason-text 1');
    report('secret-reason-text 2');
    await recorder.flush();
    expect(logs.lines).toHaveLength(1);
    expect(JSON.parse(logs.lines[0] as string)).toMatchObject({
      level: 40,
      code: 'SQLITE_BUSY',
      failures: 2,
    });
    expect(logs.text).not.toContain('secret-reason-text');
    fail = false;
    report('third');
    await recorder.stop();
    expect((await s.ctx.appErrors.list(app.client.id)).map((row) => row.reason)).toEqual(['third']);
    expect(await s.ctx.appErrors.dropped(app.client.id)).toBe(2);
  });
  it('a flood of thousands of failures keeps 50 rows and a few writes a second, and counts the rest', async () => {
    // Default throttling: after 10 failures the rest are refused (429) before any look-up.
    const flooded = await startTestServer(dialect);
    const app = await registerThreeLeggedApp(flooded, { grants: ['client_credentials'], name: 'Flooded' });
    const failures = 3000;
    const started = Date.now();
    for (let sent = 0; sent < failures; sent += 100) {
      await Promise.all(
        Array.from({ length: 100 }, () =>
          tokenRequest(flooded.app, flooded.basic(app.client.id, 'wrong'), {
            grant_type: 'client_credentials',
          }),
        ),
      );
    }
    const seconds = (Date.now() - started) / 1000;
    await flooded.ctx.recentErrors.flush();
    const rows = await flooded.ctx.appErrors.list(app.client.id);
    const notRecorded = await flooded.ctx.appErrors.dropped(app.client.id);
    // Throttled (429) after the first few: recorded too, as the app failed before. Every failure was
    // either recorded or counted as not recorded; of those recorded, the newest 50 are kept (a slow
    // run records more than 50 within the cap, and the oldest are trimmed).
    const recorded = failures - notRecorded;
    const cap = RECORDING_LIMITS.perAppBurst + Math.ceil(seconds + 1) * RECORDING_LIMITS.perAppPerSecond;
    expect(recorded).toBeGreaterThan(0);
    expect(recorded).toBeLessThanOrEqual(cap);
    expect(rows.length).toBe(Math.min(50, recorded));
    expect(rows.map((row) => row.error)).toContain('temporarily_unavailable');
    const drops = await flooded.ctx.db
      .selectFrom('app_error_drops')
      .selectAll()
      .where('client_id', '=', app.client.id)
      .execute();
    expect(drops).toHaveLength(1);
    await flooded.close();
  }, 60_000);
});
