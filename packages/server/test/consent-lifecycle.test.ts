/**
 * Consent the user can see and withdraw: every app the user allowed is on the Connected apps page, also
 * after its grant was revoked or its code never redeemed; "Revoke access" forgets the consent; a grant
 * revoked for a security reason (a replayed code, a reused refresh token: RFC 6749 §4.1.2, RFC 9700
 * §4.14.2) forgets it too, so the next authorization request asks the user again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  getCode,
  getTokens,
  refresh,
  revoke,
  signedInBrowser,
  type ThreeLeggedApp,
  tokenRequest,
} from './support/attacks.js';
import { csrfOf, InjectBrowser, locationParams, registerThreeLeggedApp } from './support/browser.js';
import { dialects, startTestServer, type TestServer } from './support/server.js';

describe.each(dialects())('consent the user can see and withdraw, on %s', (dialect) => {
  let s: TestServer;
  let browser: InjectBrowser;
  let userId: string;
  let n = 0;
  beforeAll(async () => {
    s = await startTestServer(dialect);
    userId = (await s.ctx.users.create('ada@example.com', 'correct horse battery')).id;
    browser = await signedInBrowser(s, new InjectBrowser(s.app), userId);
  });
  afterAll(async () => {
    await s?.close();
  });

  /** A fresh confidential app: remembered consent is reused for it. */
  const freshApp = () =>
    registerThreeLeggedApp(s, { name: `App ${++n}`, redirectUris: [`https://app${n}.example/cb`] });
  const listed = async () => (await s.ctx.connectedApps.list(userId)).map((app) => app.clientId);
  /** What the next authorization request of this app gets: a silent code, or the consent page. */
  async function nextRequest(app: ThreeLeggedApp): Promise<'code' | 'consent page'> {
    const query = new URLSearchParams({
      response_type: 'code',
      client_id: app.client.id,
      redirect_uri: app.redirectUri,
      scope: 'data:read',
      state: 'next',
    });
    const res = await browser.get(`/oauth/authorize?${query}`);
    if (res.statusCode === 303 && locationParams(res).get('code')) return 'code';
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('/oauth/authorize/decision');
    return 'consent page';
  }

  it('a grant the app revoked stays listed while the consent remains; Revoke access forgets the consent', async () => {
    const app = await freshApp();
    const tokens = await getTokens(s, browser, app, { scope: 'data:read' });
    expect((await revoke(s.app, app.basic, tokens.refresh_token)).statusCode).toBe(200);
    // The consent remains, so the next request would get a code without asking: the user must see it.
    expect(await listed()).toContain(app.client.id);
    const page = await browser.get('/account/apps');
    expect(page.body).toContain(app.client.name);
    const res = await browser.post(`/account/apps/${app.client.id}/revoke`, { csrf: csrfOf(page.body) });
    expect(res.statusCode).toBe(303);
    expect(await listed()).not.toContain(app.client.id);
    expect(await nextRequest(app)).toBe('consent page');
  });

  it('a code never redeemed: the app is listed', async () => {
    const app = await freshApp();
    await getCode(browser, app, { scope: 'data:read' });
    expect(await listed()).toContain(app.client.id);
    expect(await nextRequest(app)).toBe('code');
  });

  it('a replayed code forgets the consent: the user is asked again', async () => {
    const app = await freshApp();
    const { code, verifier, redirectUri } = await getCode(browser, app, { scope: 'data:read' });
    const form = {
      grant_type: 'authorization_code',
      code,
      redirect_uri: redirectUri,
      code_verifier: verifier as string,
    };
    expect((await tokenRequest(s.app, app.basic, form)).statusCode).toBe(200);
    expect((await tokenRequest(s.app, app.basic, form)).json().error).toBe('invalid_grant');
    expect(await s.ctx.consents.scopes(userId, app.client.id)).toEqual([]);
    expect(await listed()).not.toContain(app.client.id);
    expect(await nextRequest(app)).toBe('consent page');
  });

  it('a reused refresh token forgets the consent: the user is asked again', async () => {
    const app = await freshApp();
    const tokens = await getTokens(s, browser, app, { scope: 'data:read' });
    const successor = await refresh(s.app, app.basic, tokens.refresh_token);
    expect((await refresh(s.app, app.basic, successor.json().refresh_token)).statusCode).toBe(200);
    expect((await refresh(s.app, app.basic, tokens.refresh_token)).json().error).toBe('invalid_grant');
    expect(await s.ctx.consents.scopes(userId, app.client.id)).toEqual([]);
    expect(await listed()).not.toContain(app.client.id);
    expect(await nextRequest(app)).toBe('consent page');
  });

  it('a refresh token the app revoked (not a security event) keeps the consent', async () => {
    const app = await freshApp();
    const tokens = await getTokens(s, browser, app, { scope: 'data:read' });
    await revoke(s.app, app.basic, tokens.refresh_token);
    expect(await s.ctx.consents.scopes(userId, app.client.id)).toEqual(['data:read']);
    expect(await nextRequest(app)).toBe('code');
  });
});
