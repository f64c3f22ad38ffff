/**
 * Failures on the browser pages that are not the pages' own errors (a body over the limit, the
 * database down, a bug) are HTML pages with the page security headers, never raw JSON; the JSON
 * endpoints keep their JSON answers.
 */

import type { LightMyRequestResponse } from 'fastify';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  expectErrorPage,
  getTokens,
  sessionCookieSet,
  signedInBrowser,
  type ThreeLeggedApp,
} from './support/attacks.js';
import { csrfOf, formAction, InjectBrowser, registerThreeLeggedApp } from './support/browser.js';
import { FORM, startTestServer, type TestServer } from './support/server.js';

const PASSWORD = 'correct horse battery';

/** An HTML page as every page must be (RFC 9700 §4.15): CSP, no framing, no referrer, no-store. */
function expectHtmlPage(res: LightMyRequestResponse, status: number, title: string) {
  expect(res.statusCode).toBe(status);
  expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
  expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
  expect(res.headers['x-frame-options']).toBe('DENY');
  expect(res.headers['referrer-policy']).toBe('no-referrer');
  expect(res.headers['cache-control']).toBe('no-store');
  expect(res.body).toContain(title);
  expect(res.body).not.toContain('"error"');
}

describe('error pages for failures on the browser pages', () => {
  let s: TestServer;
  beforeEach(async () => {
    s = await startTestServer('sqlite');
  });
  afterEach(async () => {
    vi.restoreAllMocks();
    await s.close();
  });

  it('a sign-in POST over the body limit is a 413 page', async () => {
    const res = await s.app.inject({
      method: 'POST',
      url: '/login',
      headers: FORM,
      payload: `email=a%40b.example&password=${'x'.repeat(70 * 1024)}`,
    });
    expectHtmlPage(res, 413, 'This request was not understood');
  });

  it('a sign-in POST whose Content-Type cannot be parsed is a 400 page, like any other unreadable form', async () => {
    const res = await s.app.inject({
      method: 'POST',
      url: '/login',
      headers: { 'content-type': 'text' },
      payload: 'email=a%40b.example&password=x',
    });
    expectHtmlPage(res, 400, 'This request was not understood');
  });

  it('the database down during sign-in is a 503 page with Retry-After, logged as an outage', async () => {
    const browser = new InjectBrowser(s.app);
    const csrf = csrfOf((await browser.get('/login')).body);
    vi.spyOn(s.ctx.users, 'verify').mockRejectedValue(
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }),
    );
    const res = await browser.post('/login', { csrf, email: 'a@b.example', password: 'hunter2-hunter2' });
    expectHtmlPage(res, 503, 'Temporarily unavailable');
    expect(res.headers['retry-after']).toBe('1');
    expect(s.logs.text).toContain('database unavailable');
    expect(s.logs.text).not.toContain('hunter2');
  });

  it('a bug on a page is a 500 page; the stack goes to the log, not to the browser', async () => {
    const browser = new InjectBrowser(s.app);
    const csrf = csrfOf((await browser.get('/signup')).body);
    vi.spyOn(s.ctx.users, 'create').mockRejectedValue(new TypeError('boom in create'));
    const res = await browser.post('/signup', {
      csrf,
      name: 'New',
      email: 'new@b.example',
      password: 'a long password 123',
    });
    expectHtmlPage(res, 500, 'Something went wrong');
    expect(res.body).not.toContain('boom');
    expect(s.logs.text).toContain('boom in create');
  });

  it('the JSON endpoints keep JSON errors', async () => {
    const res = await s.app.inject({
      method: 'POST',
      url: '/oauth/token',
      headers: { ...FORM, authorization: s.basic() },
      payload: `grant_type=client_credentials&pad=${'x'.repeat(70 * 1024)}`,
    });
    expect(res.statusCode).toBe(413);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(res.json()).toEqual({ error: 'invalid_request', error_description: 'request body is too large' });
    const missing = await s.app.inject({ method: 'GET', url: '/no/such/page' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ error: 'not_found' });
  });
});

describe('a repeated or badly encoded field in a page form is an HTML 400 page', () => {
  let s: TestServer;
  let userId: string;
  let app: ThreeLeggedApp;
  beforeAll(async () => {
    s = await startTestServer('sqlite');
    userId = (await s.ctx.users.create('grace@example.com', PASSWORD)).id;
    app = await registerThreeLeggedApp(s);
  });
  afterAll(async () => {
    expect(s.logs.text).not.toContain(PASSWORD);
    await s?.close();
  });

  /** POSTs a raw form body with the browser's cookies. */
  function postRaw(browser: InjectBrowser, url: string, body: string) {
    return s.app.inject({
      method: 'POST',
      url,
      headers: { ...FORM, cookie: [...browser.cookies].map(([k, v]) => `${k}=${v}`).join('; ') },
      payload: body,
    });
  }

  function expectMalformedFormPage(res: LightMyRequestResponse) {
    expectErrorPage(res, 400);
    expect(res.body).toContain('This form was not understood');
    expect(res.body).not.toContain('invalid_request');
    expect(sessionCookieSet(res)).toBe(false);
  }

  const form = (fields: [string, string][]) => new URLSearchParams(fields).toString();

  it('POST /login with email twice, or with bad percent-encoding: 400 page, not signed in', async () => {
    const browser = new InjectBrowser(s.app);
    const page = await browser.get('/login');
    const csrf = csrfOf(page.body);
    const twice = form([
      ['csrf', csrf],
      ['email', 'grace@example.com'],
      ['email', 'other@example.com'],
      ['password', PASSWORD],
    ]);
    expectMalformedFormPage(await postRaw(browser, formAction(page.body), twice));
    expectMalformedFormPage(
      await postRaw(browser, formAction(page.body), `csrf=${csrf}&email=%zz&password=x`),
    );
    // The same form, well-formed, signs in.
    const ok = await browser.post(formAction(page.body), {
      csrf,
      email: 'grace@example.com',
      password: PASSWORD,
    });
    expect(ok.statusCode).toBe(303);
  });

  it('POST /signup with email twice: 400 page, no account for either address', async () => {
    const browser = new InjectBrowser(s.app);
    const page = await browser.get('/signup');
    const body = form([
      ['csrf', csrfOf(page.body)],
      ['name', 'First'],
      ['email', 'first@example.com'],
      ['email', 'second@example.com'],
      ['password', PASSWORD],
    ]);
    expectMalformedFormPage(await postRaw(browser, formAction(page.body), body));
    const users = await s.ctx.db
      .selectFrom('users')
      .select('email')
      .where('email', 'in', ['first@example.com', 'second@example.com'])
      .execute();
    expect(users).toEqual([]);
  });

  it('POST /logout with csrf twice: 400 page, still signed in', async () => {
    const browser = await signedInBrowser(s, new InjectBrowser(s.app), userId);
    const page = await browser.get('/account/apps');
    expect(page.statusCode).toBe(200);
    const csrf = csrfOf(page.body);
    expectMalformedFormPage(
      await postRaw(
        browser,
        '/logout',
        form([
          ['csrf', csrf],
          ['csrf', csrf],
        ]),
      ),
    );
    expect((await browser.get('/account/apps')).statusCode).toBe(200);
  });

  it('POST the consent decision with decision=allow&decision=deny: 400 page, the request stays usable', async () => {
    const browser = await signedInBrowser(s, new InjectBrowser(s.app), userId);
    const consent = await browser.get(
      `/oauth/authorize?${new URLSearchParams({
        response_type: 'code',
        client_id: app.client.id,
        redirect_uri: app.redirectUri,
        scope: 'data:read',
      })}`,
    );
    expect(consent.statusCode).toBe(200);
    const action = formAction(consent.body);
    const csrf = csrfOf(consent.body);
    const twice = form([
      ['csrf', csrf],
      ['decision', 'allow'],
      ['decision', 'deny'],
    ]);
    const res = await postRaw(browser, action, twice);
    expectMalformedFormPage(res);
    expect(res.headers.location).toBeUndefined();
    const ok = await browser.post(action, { csrf, decision: 'allow' });
    expect(ok.statusCode).toBe(303);
    expect(new URL(String(ok.headers.location)).searchParams.get('code')).toMatch(/^[\w-]{43}$/);
  });

  it('POST /account/apps/:id/revoke with csrf twice: 400 page, the app stays connected', async () => {
    const connected = await registerThreeLeggedApp(s, { name: 'Connected' });
    const browser = await signedInBrowser(s, new InjectBrowser(s.app), userId);
    await getTokens(s, browser, connected, { scope: 'data:read' });
    const page = await browser.get('/account/apps');
    const csrf = csrfOf(page.body);
    const url = `/account/apps/${encodeURIComponent(connected.client.id)}/revoke`;
    expectMalformedFormPage(
      await postRaw(
        browser,
        url,
        form([
          ['csrf', csrf],
          ['csrf', csrf],
        ]),
      ),
    );
    const apps = await s.ctx.connectedApps.list(userId);
    expect(apps.map((a) => a.clientId)).toContain(connected.client.id);
    // Well-formed, the same request disconnects the app.
    expect((await browser.post(url, { csrf })).statusCode).toBe(303);
    expect((await s.ctx.connectedApps.list(userId)).map((a) => a.clientId)).not.toContain(
      connected.client.id,
    );
  });
});

describe('every error page names its error code', () => {
  let s: TestServer;
  let app: ThreeLeggedApp;
  beforeAll(async () => {
    s = await startTestServer('sqlite');
    app = await registerThreeLeggedApp(s);
  });
  afterAll(async () => {
    await s?.close();
  });

  it.each([
    ['no client_id', (): string => '/oauth/authorize?response_type=code', 400, 'missing_client_id'],
    ['an unknown app', (): string => '/oauth/authorize?client_id=lk_nope', 400, 'unknown_client'],
    [
      'an unregistered redirect_uri',
      (): string => `/oauth/authorize?client_id=${app.client.id}&redirect_uri=https://evil.example/cb`,
      400,
      'redirect_uri_mismatch',
    ],
    ['a repeated client_id', (): string => `/oauth/authorize?client_id=a&client_id=b`, 400, 'malformed_link'],
  ] as const)('%s: Error %i · %s', async (_name, url, status, code) => {
    const res = await s.app.inject({ method: 'GET', url: url() });
    expectHtmlPage(res, status, `Error ${status} · ${code}`);
  });

  it.each([
    ['PATCH', '/oauth/authorize?response_type=code', 'GET, HEAD, POST'],
    ['PUT', '/oauth/authorize', 'GET, HEAD, POST'],
    ['GET', '/oauth/authorize/decision?request=x', 'POST'],
    ['DELETE', '/oauth/authorize/decision', 'POST'],
  ] as const)(
    '%s %s: Error 405 · method_not_allowed with Allow, not a JSON 404',
    async (method, url, allow) => {
      const res = await s.app.inject({ method, url, headers: FORM, payload: `client_id=${app.client.id}` });
      expectHtmlPage(res, 405, 'Error 405 · method_not_allowed');
      expect(res.headers['allow']).toBe(allow);
      expect(res.headers['location']).toBeUndefined();
    },
  );

  it('a form without its anti-CSRF value: Error 403 · form_expired', async () => {
    const res = await s.app.inject({
      method: 'POST',
      url: '/login',
      headers: FORM,
      payload: 'email=a&password=b',
    });
    expectHtmlPage(res, 403, 'Error 403 · form_expired');
  });
});
