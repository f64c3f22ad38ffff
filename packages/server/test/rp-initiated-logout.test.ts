/**
 * RP-Initiated Logout 1.0 at /oauth/logout: each rule of the request (§2-§4), the confirmation page
 * and its anti-CSRF form, and that no GET ends a session unless its hint is about that very session.
 */
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectErrorPage, expectSecurePage, signedInBrowser } from './support/attacks.js';
import { csrfOf, formAction, InjectBrowser, registerThreeLeggedApp } from './support/browser.js';
import { idTokenHint, liveSession, sessionOf } from './support/logout.js';
import { dialects, FORM, startTestServer, type TestServer } from './support/server.js';

const RETURN = 'https://printer.example/signed-out';
const RETURN_WITH_QUERY = 'https://printer.example/bye?from=latchkey';

describe.each(dialects())('RP-Initiated Logout on %s', (dialect) => {
  let s: TestServer;
  let userId: string;
  let otherUserId: string;
  let app: Awaited<ReturnType<typeof registerThreeLeggedApp>>;
  let otherApp: Awaited<ReturnType<typeof registerThreeLeggedApp>>;

  beforeAll(async () => {
    s = await startTestServer(dialect);
    userId = (await s.ctx.users.create('ada@example.com', 'correct horse battery')).id;
    otherUserId = (await s.ctx.users.create('bob@example.com', 'correct horse battery')).id;
    app = await registerThreeLeggedApp(s, { name: 'Photo Printer' });
    otherApp = await registerThreeLeggedApp(s, {
      name: 'Other App',
      redirectUris: ['https://other.example/cb'],
    });
    await s.ctx.clients.update(app.client.id, { postLogoutRedirectUris: [RETURN, RETURN_WITH_QUERY] });
    await s.ctx.clients.update(otherApp.client.id, { postLogoutRedirectUris: ['https://other.example/bye'] });
  });
  afterAll(async () => {
    // No ID token (a hint) and no session cookie is ever logged.
    expect(s.logs.text).not.toMatch(/eyJ[\w-]+\.eyJ/);
    await s?.close();
  });

  const signedIn = () => signedInBrowser(s, new InjectBrowser(s.app), userId);
  const logoutUrl = (params: Record<string, string>) => `/oauth/logout?${new URLSearchParams(params)}`;
  const hintFor = async (
    browser: InjectBrowser,
    overrides: { sub?: string; aud?: string; sid?: string } = {},
  ) => {
    const session = await liveSession(s, browser);
    return idTokenHint(s, { sub: userId, aud: app.client.id, sid: session.sid, ...overrides });
  };
  /** A confirmation page: 200, the question, the form, the session untouched. */
  async function expectConfirmation(res: LightMyRequestResponse, browser: InjectBrowser) {
    expect(res.statusCode).toBe(200);
    expectSecurePage(res);
    expect(res.body).toContain('Sign out of Latchkey?');
    expect(formAction(res.body)).toBe('/oauth/logout/confirm');
    expect(await sessionOf(s, browser)).toBeDefined();
  }

  it('a valid hint about this session and a registered URI: signed out at once, back to the app with state', async () => {
    const browser = await signedIn();
    const hint = await hintFor(browser);
    const res = await browser.get(
      logoutUrl({ id_token_hint: hint, post_logout_redirect_uri: RETURN, state: 'a b&c=d' }),
    );
    expect(res.statusCode).toBe(303);
    expect(res.headers['location']).toBe(`${RETURN}?state=a%20b%26c%3Dd`);
    expect(browser.cookies.has('lk_session')).toBe(false);
    expect(await s.ctx.db.selectFrom('sessions').selectAll().where('user_id', '=', userId).execute()).toEqual(
      [],
    );
    // The pages see a signed-out browser.
    expect((await browser.get('/account/apps')).headers['location']).toMatch(/^\/login\?/);
  });

  it('state is appended to a registered URI that has a query; without state nothing is added', async () => {
    const first = await signedIn();
    const res = await first.get(
      logoutUrl({
        id_token_hint: await hintFor(first),
        post_logout_redirect_uri: RETURN_WITH_QUERY,
        state: 's1',
      }),
    );
    expect(res.headers['location']).toBe(`${RETURN_WITH_QUERY}&state=s1`);
    const second = await signedIn();
    const bare = await second.get(
      logoutUrl({ id_token_hint: await hintFor(second), post_logout_redirect_uri: RETURN }),
    );
    expect(bare.headers['location']).toBe(RETURN);
  });

  it('a HEAD with a valid hint (a link checker) ends nothing', async () => {
    const browser = await signedIn();
    const url = logoutUrl({ id_token_hint: await hintFor(browser), post_logout_redirect_uri: RETURN });
    const head = await s.app.inject({
      method: 'HEAD',
      url,
      headers: { cookie: `lk_session=${browser.cookies.get('lk_session')}` },
    });
    expect(head.statusCode).toBe(200);
    expect(head.headers['location']).toBeUndefined();
    expect(await sessionOf(s, browser)).toBeDefined();
  });

  it('a valid hint and no URI: "You are signed out", naming the app', async () => {
    const browser = await signedIn();
    const res = await browser.get(logoutUrl({ id_token_hint: await hintFor(browser), ui_locales: 'fr' }));
    expect(res.statusCode).toBe(200);
    expectSecurePage(res);
    expect(res.body).toContain('You are signed out');
    expect(res.body).toContain('Photo Printer');
    expect(await sessionOf(s, browser)).toBeUndefined();
  });

  it('an unregistered post_logout_redirect_uri is an error page, never a redirect, and nothing ends', async () => {
    const browser = await signedIn();
    const hint = await hintFor(browser);
    for (const uri of [
      'https://evil.example/',
      `${RETURN}/`,
      `${RETURN}?x=1`,
      RETURN.toUpperCase(),
      'https://other.example/bye',
    ]) {
      const res = await browser.get(
        logoutUrl({ id_token_hint: hint, post_logout_redirect_uri: uri, state: 's' }),
      );
      expectErrorPage(res, 400);
      expect(res.body).toContain('post_logout_redirect_uri_mismatch');
    }
    const viaClientId = await browser.get(
      logoutUrl({ client_id: app.client.id, post_logout_redirect_uri: 'https://evil.example/' }),
    );
    expectErrorPage(viaClientId, 400);
    expect(await sessionOf(s, browser)).toBeDefined();
  });

  it('a client_id that is not the hint audience is refused; so is an unknown client_id', async () => {
    const browser = await signedIn();
    const hint = await hintFor(browser);
    const mismatch = await browser.get(
      logoutUrl({
        id_token_hint: hint,
        client_id: otherApp.client.id,
        post_logout_redirect_uri: 'https://other.example/bye',
      }),
    );
    expectErrorPage(mismatch, 400);
    expect(mismatch.body).toContain('client_mismatch');
    const unknown = await browser.get(
      logoutUrl({ client_id: 'lk_nosuchapp', post_logout_redirect_uri: RETURN }),
    );
    expectErrorPage(unknown, 400);
    expect(unknown.body).toContain('unknown_client');
    // A hint and its own client_id agree: accepted.
    const agreeing = await browser.get(
      logoutUrl({ id_token_hint: hint, client_id: app.client.id, post_logout_redirect_uri: RETURN }),
    );
    expect(agreeing.headers['location']).toBe(RETURN);
  });

  it('a return URI with no app to check it against is refused; repeated parameters are refused', async () => {
    const browser = await signedIn();
    const noApp = await browser.get(logoutUrl({ post_logout_redirect_uri: RETURN }));
    expectErrorPage(noApp, 400);
    expect(noApp.body).toContain('missing_client_id');
    const repeated = await browser.get(
      `/oauth/logout?client_id=${app.client.id}&post_logout_redirect_uri=${encodeURIComponent(RETURN)}&post_logout_redirect_uri=https%3A%2F%2Fevil.example%2F`,
    );
    expectErrorPage(repeated, 400);
    expect(repeated.body).toContain('malformed_link');
    expect(await sessionOf(s, browser)).toBeDefined();
  });

  it('no hint: a confirmation page naming the app; its form signs out and returns with state', async () => {
    const browser = await signedIn();
    const res = await browser.get(
      logoutUrl({ client_id: app.client.id, post_logout_redirect_uri: RETURN, state: 'xyz' }),
    );
    await expectConfirmation(res, browser);
    expect(res.body).toContain('Photo Printer');
    expect(res.body).toContain('ada@example.com');
    // CSP form-action lets the confirmation's 303 reach the app's return address.
    expect(String(res.headers['content-security-policy'])).toContain(
      "form-action 'self' https://printer.example",
    );
    const fields = Object.fromEntries(
      [...res.body.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((m) => [
        m[1],
        m[2],
      ]),
    );
    expect(fields).toMatchObject({
      client_id: app.client.id,
      post_logout_redirect_uri: RETURN,
      state: 'xyz',
    });
    const confirmed = await browser.post('/oauth/logout/confirm', fields as Record<string, string>);
    expect(confirmed.statusCode).toBe(303);
    expect(confirmed.headers['location']).toBe(`${RETURN}?state=xyz`);
    expect(await sessionOf(s, browser)).toBeUndefined();
  });

  it('no hint and no app: the confirmation asks plainly; confirming shows "You are signed out"', async () => {
    const browser = await signedIn();
    const res = await browser.get('/oauth/logout');
    await expectConfirmation(res, browser);
    expect(res.body).toContain('A link asks you to sign out.');
    const confirmed = await browser.post('/oauth/logout/confirm', { csrf: csrfOf(res.body) });
    expect(confirmed.headers['location']).toBe('/oauth/logout/done');
    const done = await browser.get('/oauth/logout/done');
    expect(done.statusCode).toBe(200);
    expect(done.body).toContain('You are signed out');
    expect(await sessionOf(s, browser)).toBeUndefined();
  });

  it('the confirmation POST without the anti-CSRF value, with a wrong one or from another origin is refused', async () => {
    const browser = await signedIn();
    const page = await browser.get(logoutUrl({ client_id: app.client.id, post_logout_redirect_uri: RETURN }));
    const csrf = csrfOf(page.body);
    const attempts = [
      () => browser.post('/oauth/logout/confirm', { client_id: app.client.id }),
      () => browser.post('/oauth/logout/confirm', { csrf: `${csrf.slice(0, -2)}xx` }),
      () => browser.post('/oauth/logout/confirm', { csrf }, { origin: 'https://evil.example' }),
    ];
    for (const attempt of attempts) {
      const res = await attempt();
      expectErrorPage(res, 403);
      expect(res.body).toContain('form_expired');
    }
    // Another browser's (another session's) value does not work either.
    const other = await signedIn();
    const otherPage = await other.get('/oauth/logout');
    expectErrorPage(await browser.post('/oauth/logout/confirm', { csrf: csrfOf(otherPage.body) }), 403);
    expect(await sessionOf(s, browser)).toBeDefined();
    expect(await sessionOf(s, other)).toBeDefined();
  });

  it('no GET ends a session without confirmation: no hint, another user, another session, a forged hint', async () => {
    const browser = await signedIn();
    const session = await liveSession(s, browser);
    const valid = await hintFor(browser);
    const [header, payload] = valid.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    const forgedPayload = Buffer.from(JSON.stringify({ ...claims, sub: otherUserId })).toString('base64url');
    const requests = [
      logoutUrl({}),
      logoutUrl({ client_id: app.client.id }),
      logoutUrl({
        id_token_hint: await hintFor(browser, { sub: otherUserId }),
        post_logout_redirect_uri: RETURN,
      }),
      logoutUrl({ id_token_hint: await hintFor(browser, { sid: 'another-session' }) }),
      logoutUrl({
        id_token_hint: await idTokenHint(
          s,
          { sub: userId, aud: app.client.id },
          { iss: 'https://evil.example' },
        ),
      }),
      logoutUrl({ id_token_hint: `${header}.${forgedPayload}.${valid.split('.')[2]}` }),
      logoutUrl({ id_token_hint: 'not-a-jwt', client_id: app.client.id }),
    ];
    for (const url of requests) await expectConfirmation(await browser.get(url), browser);
    expect((await liveSession(s, browser)).sid).toBe(session.sid);
  });

  it('a hint that does not verify never sends the browser back, even after confirming', async () => {
    const browser = await signedIn();
    const forged = `${(await hintFor(browser)).slice(0, -4)}AAAA`;
    const res = await browser.get(
      logoutUrl({
        id_token_hint: forged,
        client_id: app.client.id,
        post_logout_redirect_uri: RETURN,
        state: 's',
      }),
    );
    await expectConfirmation(res, browser);
    expect(res.body).not.toContain('post_logout_redirect_uri');
    const confirmed = await browser.post('/oauth/logout/confirm', {
      csrf: csrfOf(res.body),
      client_id: app.client.id,
    });
    expect(confirmed.headers['location']).toBe(`/oauth/logout/done?client_id=${app.client.id}`);
    const done = await browser.get(String(confirmed.headers['location']));
    expect(done.body).toContain('Photo Printer');
    expect(await sessionOf(s, browser)).toBeUndefined();
  });

  it('without a session nothing is asked: back to a registered URI, or "You are signed out"', async () => {
    const browser = new InjectBrowser(s.app);
    const back = await browser.get(
      logoutUrl({ client_id: app.client.id, post_logout_redirect_uri: RETURN, state: 'q' }),
    );
    expect(back.statusCode).toBe(303);
    expect(back.headers['location']).toBe(`${RETURN}?state=q`);
    const page = await browser.get('/oauth/logout');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('You are signed out');
    // Still refused without a session: an unregistered URI.
    expectErrorPage(
      await browser.get(
        logoutUrl({ client_id: app.client.id, post_logout_redirect_uri: 'https://evil.example/' }),
      ),
      400,
    );
  });

  it('POST: with the session cookie it is answered like GET; without it (a cross-site form) it becomes the same GET', async () => {
    const browser = await signedIn();
    const hint = await hintFor(browser);
    const crossSite = await s.app.inject({
      method: 'POST',
      url: '/oauth/logout',
      headers: FORM,
      payload: new URLSearchParams({
        id_token_hint: hint,
        post_logout_redirect_uri: RETURN,
        state: 'p',
      }).toString(),
    });
    expect(crossSite.statusCode).toBe(303);
    const location = new URL(String(crossSite.headers['location']), 'http://localhost:4000');
    expect(location.pathname).toBe('/oauth/logout');
    expect(Object.fromEntries(location.searchParams)).toEqual({
      id_token_hint: hint,
      post_logout_redirect_uri: RETURN,
      state: 'p',
    });
    const followed = await browser.get(`${location.pathname}${location.search}`);
    expect(followed.headers['location']).toBe(`${RETURN}?state=p`);

    const again = await signedIn();
    const direct = await again.post('/oauth/logout', {
      id_token_hint: await hintFor(again),
      post_logout_redirect_uri: RETURN,
    });
    expect(direct.headers['location']).toBe(RETURN);
    expect(await sessionOf(s, again)).toBeUndefined();
    const asks = await (await signedIn()).post('/oauth/logout', { client_id: app.client.id });
    expect(asks.statusCode).toBe(200);
    expect(asks.body).toContain('Sign out of Latchkey?');
  });

  it('a pairwise app: the hint carries the pairwise sub, which is matched; the local ID is not', async () => {
    const pairwise = await registerThreeLeggedApp(s, {
      name: 'Pairwise',
      redirectUris: ['https://pw.example/cb'],
    });
    await s.ctx.clients.update(pairwise.client.id, { subjectType: 'pairwise' });
    const client = await s.ctx.clients.find(pairwise.client.id);
    const { subjectFor } = await import('../src/oidc/subject.js');
    const sub = subjectFor(client as NonNullable<typeof client>, userId, s.ctx.pairwiseKey);
    expect(sub).not.toBe(userId);
    const browser = await signedIn();
    const asLocal = await browser.get(
      logoutUrl({ id_token_hint: await hintFor(browser, { aud: pairwise.client.id }) }),
    );
    await expectConfirmation(asLocal, browser);
    const res = await browser.get(
      logoutUrl({ id_token_hint: await hintFor(browser, { aud: pairwise.client.id, sub }) }),
    );
    expect(res.body).toContain('You are signed out');
    expect(await sessionOf(s, browser)).toBeUndefined();
  });

  it('other methods get the 405 page; the signed-out page sends a signed-in browser to the question', async () => {
    const put = await s.app.inject({ method: 'PUT', url: '/oauth/logout' });
    expectErrorPage(put, 405);
    expect(put.headers['allow']).toBe('GET, HEAD, POST');
    const getConfirm = await s.app.inject({ method: 'GET', url: '/oauth/logout/confirm' });
    expectErrorPage(getConfirm, 405);
    const browser = await signedIn();
    expect((await browser.get('/oauth/logout/done')).headers['location']).toBe('/oauth/logout');
  });
});
