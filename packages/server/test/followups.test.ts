/**
 * Follow-ups of the security review: the CLI usage lists every command and flag; a database data
 * exception is logged (SQLSTATE and route only); no refresh token is stored for an app that may not
 * refresh; IPv6 clients are throttled per /64; a malformed page form is an HTML 400 page.
 */
import { readdirSync, readFileSync } from 'node:fs';
import type { LightMyRequestResponse } from 'fastify';
import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, describe, expect, it, type MockInstance, vi } from 'vitest';
import { main } from '../src/cli/main.js';
import { asValueRejected } from '../src/storage/errors.js';
import { randomToken } from '../src/tokens/random.js';
import {
  expectErrorPage,
  getTokens,
  introspect,
  revoke,
  sessionCookieSet,
  signedInBrowser,
  type ThreeLeggedApp,
  tokenRequest,
} from './attack-support.js';
import { csrfOf, formAction, InjectBrowser, registerThreeLeggedApp } from './browser.js';
import { dialects, FORM, REFRESH_TOKEN_SHAPE, startTestServer, type TestServer } from './support.js';

const PASSWORD = 'correct horse battery';

describe('latchkey --help', () => {
  async function usage(argv: string[]) {
    let text = '';
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      text += String(chunk);
      return true;
    });
    try {
      return { code: await main(argv), text };
    } finally {
      write.mockRestore();
    }
  }

  it('lists --resource-server with apps create', async () => {
    const { code, text } = await usage(['--help']);
    expect(code).toBe(0);
    const create = text.slice(text.indexOf('apps create'), text.indexOf('apps list'));
    expect(create).toContain('--resource-server');
    expect(create).toContain('--public');
  });

  it('shows every command and flag the README shows', async () => {
    const { text } = await usage(['help']);
    const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
    const lines = readme
      .split('\n')
      .filter((line) => /\blatchkey (?:[a-z]+)/.test(line) && line.includes('npx'));
    expect(lines.length).toBeGreaterThan(3);
    for (const line of lines) {
      const [, command, sub] = /\blatchkey ([a-z]+)(?: ([a-z-]+))?/.exec(line) ?? [];
      expect(text).toContain(sub ? `${command} ${sub}` : `${command}`);
      for (const [flag] of line.matchAll(/--[a-z-]+/g)) expect(text, line).toContain(flag);
    }
    // The README's list of commands.
    for (const command of ['start', 'migrate', 'apps create', 'apps list', 'apps show', 'apps rotate-secret'])
      expect(text).toContain(command);
    for (const command of ['apps delete', 'keys rotate', 'users create', 'purge', 'proxy'])
      expect(text).toContain(command);
  });

  it('shows every option the CLI commands parse', async () => {
    const { text } = await usage(['-h']);
    const dir = new URL('../src/cli/', import.meta.url);
    const options = new Set<string>();
    for (const file of readdirSync(dir).filter((name) => name.endsWith('.ts'))) {
      const source = readFileSync(new URL(file, dir), 'utf8');
      for (const [, name] of source.matchAll(/['"]?([a-z][a-z-]*)['"]?: \{ type: '(?:string|boolean)'/g))
        options.add(name as string);
    }
    expect([...options]).toContain('resource-server');
    for (const option of options) expect(text).toContain(`--${option}`);
  });
});

describe.each(dialects())('a database data exception is logged without values, on %s', (dialect) => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer(dialect);
  });
  afterAll(async () => {
    await s?.close();
  });

  /** What PostgreSQL throws for `select '<value>'::int`: the message quotes the value. */
  function refused(value: string, code = '22P02') {
    return Object.assign(new Error(`invalid input syntax for type integer: "${value}"`), { code });
  }

  const warnings = () =>
    s.logs.lines
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((line) => line.msg === 'database refused a value: a shape check is missing');

  /**
   * Sends `request` while `spy` stands in for a repository method; the answer must be 400 and the spy
   * called (with `args`, when given). Returns the answer and the warn lines it logged.
   */
  async function refusedWhile(
    spy: MockInstance,
    request: () => Promise<LightMyRequestResponse>,
    args?: unknown[],
  ) {
    const before = warnings().length;
    try {
      const res = await request();
      expect(res.statusCode).toBe(400);
      if (args) expect(spy).toHaveBeenCalledWith(...args);
      else expect(spy).toHaveBeenCalled();
      return { res, logged: warnings().slice(before) };
    } finally {
      spy.mockRestore();
    }
  }

  it('a 400 from a data exception logs the SQLSTATE and the route at warn level, never the value', async () => {
    const token = randomToken(32);
    const spy = vi.spyOn(s.ctx.refreshTokens, 'find').mockImplementation(async (value) => {
      throw asValueRejected(refused(value));
    });
    const { res, logged } = await refusedWhile(spy, () => revoke(s.app, s.basic(), token), [token]);
    expect(res.json().error).toBe('invalid_request');
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({ level: 40, sqlstate: '22P02', route: '/oauth/revoke' });
    expect(s.logs.text).not.toContain(token);
  });

  it('logs the route pattern: no path parameter value, no query string', async () => {
    const user = await s.ctx.users.create(`pattern-${dialect}@example.com`, PASSWORD);
    const browser = await signedInBrowser(s, new InjectBrowser(s.app), user.id);
    const page = await browser.get('/account/apps');
    const spy = vi.spyOn(s.ctx.connectedApps, 'disconnect').mockImplementation(async (_user, clientId) => {
      throw asValueRejected(refused(clientId, '22001'));
    });
    const { logged } = await refusedWhile(spy, () =>
      browser.post('/account/apps/lk_PATHVALUE/revoke?q=QUERYVALUE', { csrf: csrfOf(page.body) }),
    );
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({ sqlstate: '22001', route: '/account/apps/:clientId/revoke' });
    const line = JSON.stringify(logged[0]);
    expect(line).not.toContain('PATHVALUE');
    expect(line).not.toContain('QUERYVALUE');
    expect(line).not.toContain('invalid input syntax');
  });

  it('another 400 (a plain invalid_request) logs no such line', async () => {
    const before = warnings().length;
    const res = await tokenRequest(s.app, s.basic(), { grant_type: 'authorization_code' });
    expect(res.statusCode).toBe(400);
    expect(warnings().length).toBe(before);
  });

  it.runIf(dialect === 'postgres')('a value PostgreSQL itself refuses is logged the same way', async () => {
    const token = randomToken(32);
    const spy = vi.spyOn(s.ctx.refreshTokens, 'find').mockImplementation(async (value) => {
      await sql`select ${value}::int`.execute(s.ctx.db);
      return undefined;
    });
    const { logged } = await refusedWhile(spy, () => introspect(s.app, s.basic(), token));
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({ sqlstate: '22P02', route: '/oauth/introspect' });
    expect(s.logs.text).not.toContain(token);
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

describe('IPv6 clients are throttled per /64 (LATCHKEY_TRUST_PROXY, X-Forwarded-For)', () => {
  let s: TestServer;
  afterEach(async () => {
    await s?.close();
  });
  const start = async (env: Record<string, string>) => {
    s = await startTestServer('sqlite', { LATCHKEY_TRUST_PROXY: '127.0.0.1', ...env });
  };

  /** A client_credentials request through the trusted proxy at 127.0.0.1 for `client`. */
  const tokenFor = (client: string, secret: string) =>
    s.app.inject({
      method: 'POST',
      url: '/oauth/token',
      remoteAddress: '127.0.0.1',
      headers: { ...FORM, 'x-forwarded-for': client, authorization: s.basic(s.credentials.clientId, secret) },
      payload: 'grant_type=client_credentials',
    });

  it('client authentication: two addresses of one /64 share the limit, another /64 does not', async () => {
    await start({ LATCHKEY_AUTH_MAX_FAILURES: '3', LATCHKEY_AUTH_FAILURE_WINDOW: '60' });
    for (const client of ['2001:db8:1:2::a', '2001:db8:1:2::b', '2001:0db8:0001:0002:ffff::c'])
      expect((await tokenFor(client, 'wrong')).statusCode).toBe(401);
    expect((await tokenFor('2001:db8:1:2:abcd::d', s.credentials.clientSecret)).statusCode).toBe(429);
    expect((await tokenFor('2001:db8:1:3::a', s.credentials.clientSecret)).statusCode).toBe(200);
  });

  it('client authentication: IPv4 stays per address', async () => {
    await start({ LATCHKEY_AUTH_MAX_FAILURES: '3', LATCHKEY_AUTH_FAILURE_WINDOW: '60' });
    for (let i = 0; i < 3; i++) expect((await tokenFor('203.0.113.9', 'wrong')).statusCode).toBe(401);
    expect((await tokenFor('203.0.113.9', s.credentials.clientSecret)).statusCode).toBe(429);
    expect((await tokenFor('203.0.113.10', s.credentials.clientSecret)).statusCode).toBe(200);
  });

  it('sign-in: failures from one /64 for different accounts share the per-IP limit', async () => {
    await start({ LATCHKEY_LOGIN_MAX_FAILURES: '3' });
    const login = async (client: string, email: string) => {
      const browser = new InjectBrowser(s.app);
      const page = await browser.get('/login');
      return browser.post(
        formAction(page.body),
        { csrf: csrfOf(page.body), email, password: 'wrong password' },
        { 'x-forwarded-for': client },
      );
    };
    for (let i = 1; i <= 3; i++)
      expect((await login(`2001:db8:7:8::${i}`, `u${i}@example.com`)).statusCode).toBe(401);
    expect((await login('2001:db8:7:8:ffff::99', 'u4@example.com')).statusCode).toBe(429);
    expect((await login('2001:db8:7:9::1', 'u5@example.com')).statusCode).toBe(401);
  });

  it('sign-up: addresses of one /64 share the per-IP limit', async () => {
    await start({ LATCHKEY_SIGNUP_MAX_PER_IP: '2' });
    let n = 0;
    const signup = async (client: string) => {
      const browser = new InjectBrowser(s.app);
      const page = await browser.get('/signup');
      return browser.post(
        formAction(page.body),
        { csrf: csrfOf(page.body), email: `new${n++}@example.com`, password: PASSWORD },
        { 'x-forwarded-for': client },
      );
    };
    expect((await signup('2001:db8:5:6::1')).statusCode).toBe(303);
    expect((await signup('2001:db8:5:6::2')).statusCode).toBe(303);
    expect((await signup('2001:db8:5:6:1:2:3:4')).statusCode).toBe(429);
    expect((await signup('2001:db8:5:7::1')).statusCode).toBe(303);
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
