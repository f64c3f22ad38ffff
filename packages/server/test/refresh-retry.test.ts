/**
 * A refresh whose answer was lost (a dropped connection, kill -9) and is retried with the same token:
 * while its successor was never used and within LATCHKEY_REFRESH_RETRY_WINDOW, a working token rather
 * than a revoked grant; a presentation after the successor was used is reuse (RFC 9700 §4.14.2).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  claimsOf,
  expectInactive,
  expectInvalidGrant,
  getTokens,
  hashOf,
  introspect,
  nowSeconds,
  refresh,
  signedInBrowser,
  type ThreeLeggedApp,
} from './support/attacks.js';
import { InjectBrowser, registerThreeLeggedApp } from './support/browser.js';
import { dialects, startTestServer, type TestServer } from './support/server.js';

describe.each(dialects())('retrying a refresh whose answer was lost, on %s', (dialect) => {
  let s: TestServer;
  let app: ThreeLeggedApp;
  let browser: InjectBrowser;
  beforeAll(async () => {
    s = await startTestServer(dialect);
    app = await registerThreeLeggedApp(s);
    const user = await s.ctx.users.create('ada@example.com', 'correct horse battery');
    browser = await signedInBrowser(s, new InjectBrowser(s.app), user.id);
  });
  afterAll(async () => {
    await s?.close();
  });

  const grantRevoked = async (accessToken: string) =>
    (await s.ctx.revocations.grantActive(claimsOf(accessToken).gid as string)) === false;

  it('the retry rotates again; the unused successor it replaces is retired, the new token works', async () => {
    const first = await getTokens(s, browser, app);
    // The answer to this refresh is lost: the client never sees `lost`.
    const lost = (await refresh(s.app, app.basic, first.refresh_token)).json();
    const retried = await refresh(s.app, app.basic, first.refresh_token);
    expect(retried.statusCode).toBe(200);
    const again = retried.json();
    expect(again.refresh_token).not.toBe(lost.refresh_token);
    expect(await grantRevoked(again.access_token)).toBe(false);
    // One chain: the retry's token is the head and works; the lost one was retired.
    expectInactive(await introspect(s.app, app.basic, lost.refresh_token));
    const next = await refresh(s.app, app.basic, again.refresh_token);
    expect(next.statusCode).toBe(200);
    expect(await grantRevoked(next.json().access_token)).toBe(false);
  });

  it('two lost answers in a row: each retry works, and one chain stays live', async () => {
    const first = await getTokens(s, browser, app);
    await refresh(s.app, app.basic, first.refresh_token);
    await refresh(s.app, app.basic, first.refresh_token);
    const third = await refresh(s.app, app.basic, first.refresh_token);
    expect(third.statusCode).toBe(200);
    const heads = await s.ctx.db
      .selectFrom('refresh_tokens')
      .select('token_hash')
      .where('grant_id', '=', claimsOf(first.access_token).gid as string)
      .where('rotated_at', 'is', null)
      .execute();
    expect(heads).toEqual([{ token_hash: hashOf(third.json().refresh_token) }]);
  });

  it('after the successor was used, presenting the old token is reuse: invalid_grant, grant revoked', async () => {
    const first = await getTokens(s, browser, app);
    const second = (await refresh(s.app, app.basic, first.refresh_token)).json();
    const third = (await refresh(s.app, app.basic, second.refresh_token)).json();
    expectInvalidGrant(await refresh(s.app, app.basic, first.refresh_token));
    expect(await grantRevoked(third.access_token)).toBe(true);
    expectInvalidGrant(await refresh(s.app, app.basic, third.refresh_token));
  });

  it('the successor a retry retired, presented later, is reuse: the grant is revoked', async () => {
    const first = await getTokens(s, browser, app);
    const lost = (await refresh(s.app, app.basic, first.refresh_token)).json();
    const again = (await refresh(s.app, app.basic, first.refresh_token)).json();
    expectInvalidGrant(await refresh(s.app, app.basic, lost.refresh_token));
    expect(await grantRevoked(again.access_token)).toBe(true);
  });

  it('past the retry window, presenting the old token is reuse even with its successor unused', async () => {
    const first = await getTokens(s, browser, app);
    const lost = (await refresh(s.app, app.basic, first.refresh_token)).json();
    await s.ctx.db
      .updateTable('refresh_tokens')
      .set({ rotated_at: nowSeconds() - 31 })
      .where('token_hash', '=', hashOf(first.refresh_token))
      .execute();
    expectInvalidGrant(await refresh(s.app, app.basic, first.refresh_token));
    expect(await grantRevoked(lost.access_token)).toBe(true);
  });

  it('another client presenting the token is refused and changes nothing', async () => {
    const other = await registerThreeLeggedApp(s, {
      name: 'Other',
      redirectUris: ['https://other.example/cb'],
    });
    const first = await getTokens(s, browser, app);
    const lost = (await refresh(s.app, app.basic, first.refresh_token)).json();
    expectInvalidGrant(await refresh(s.app, other.basic, first.refresh_token));
    expect((await introspect(s.app, app.basic, lost.refresh_token)).json().active).toBe(true);
  });
});

describe('LATCHKEY_REFRESH_RETRY_WINDOW=0 turns retries off', () => {
  let s: TestServer;
  afterAll(async () => {
    await s?.close();
  });

  it('presenting a rotated token again is reuse at once', async () => {
    s = await startTestServer('sqlite', { LATCHKEY_REFRESH_RETRY_WINDOW: '0' });
    const app = await registerThreeLeggedApp(s);
    const user = await s.ctx.users.create('bob@example.com', 'correct horse battery');
    const browser = await signedInBrowser(s, new InjectBrowser(s.app), user.id);
    const first = await getTokens(s, browser, app);
    const lost = (await refresh(s.app, app.basic, first.refresh_token)).json();
    expectInvalidGrant(await refresh(s.app, app.basic, first.refresh_token));
    expectInvalidGrant(await refresh(s.app, app.basic, lost.refresh_token));
  });
});
