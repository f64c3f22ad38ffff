/**
 * Values the database cannot hold (a NUL byte, 10 KB) never surface as a 500. Tokens
 * that cannot be ours are not looked up at all; a PostgreSQL data exception that still happens answers
 * 400 invalid_request, and an outage still answers 503.
 */
import { randomBytes } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, describe, expect, it, type MockInstance, vi } from 'vitest';
import { asValueRejected, GrantError, isDataException, ValueRejectedError } from '../src/storage/errors.js';
import { openRepositories } from '../src/storage/repositories.js';
import { UserRepository } from '../src/storage/users.js';
import { hasIssuedShape, randomToken } from '../src/tokens/random.js';
import { RefreshTokenFormat } from '../src/tokens/refresh-token-format.js';
import {
  expectInactive,
  expectInvalidGrant,
  getTokens,
  introspect,
  ownFormatToken,
  revoke,
  signedInBrowser,
  type ThreeLeggedApp,
  tokenRequest,
} from './support/attacks.js';
import { csrfOf, InjectBrowser, registerThreeLeggedApp } from './support/browser.js';
import { dialects, FORM, startTestServer, type TestServer } from './support/server.js';

const PASSWORD = 'correct horse battery';

/** Presented values that cannot be tokens of ours. */
const BAD_VALUES: [string, string][] = [
  ['a NUL byte', '\u0000abc'],
  ['a NUL byte in a 43-character token', `\u0000${'a'.repeat(42)}`],
  ['10 KB', 'x'.repeat(10 * 1024)],
  ['non-ASCII', 'ä'.repeat(43)],
];

describe('hasIssuedShape', () => {
  it('accepts what we issue and nothing else', () => {
    expect(hasIssuedShape('token', randomToken(32))).toBe(true);
    expect(hasIssuedShape('grantId', `gr_${randomToken(16)}`)).toBe(true);
    expect(hasIssuedShape('jti', crypto.randomUUID())).toBe(true);
    for (const [, value] of BAD_VALUES) {
      expect(hasIssuedShape('token', value)).toBe(false);
      expect(hasIssuedShape('grantId', value)).toBe(false);
      expect(hasIssuedShape('jti', value)).toBe(false);
    }
    expect(hasIssuedShape('token', `${randomToken(32)}\n`)).toBe(false);
    expect(hasIssuedShape('token', randomToken(31))).toBe(false);
    expect(hasIssuedShape('grantId', randomToken(16))).toBe(false);
    expect(hasIssuedShape('jti', crypto.randomUUID().toUpperCase())).toBe(false);
  });
});

describe.each(dialects())('values the database cannot hold, on %s', (dialect) => {
  let s: TestServer;
  let app: ThreeLeggedApp;
  let browser: InjectBrowser;

  beforeAll(async () => {
    s = await startTestServer(dialect);
    const user = await s.ctx.users.create('ada@example.com', 'correct horse battery');
    app = await registerThreeLeggedApp(s);
    browser = await signedInBrowser(s, new InjectBrowser(s.app), user.id);
  });
  afterAll(async () => {
    expect(s.logs.text).not.toContain('unexpected error');
    await s?.close();
  });

  describe.each(BAD_VALUES)('%s', (_name, value) => {
    it('as an authorization code → 400 invalid_grant', async () => {
      expectInvalidGrant(
        await tokenRequest(s.app, app.basic, {
          grant_type: 'authorization_code',
          code: value,
          redirect_uri: app.redirectUri,
          code_verifier: 'v'.repeat(43),
        }),
      );
    });

    it('as a refresh token → 400 invalid_grant', async () => {
      expectInvalidGrant(
        await tokenRequest(s.app, app.basic, { grant_type: 'refresh_token', refresh_token: value }),
      );
    });

    it('revoked → 200 and nothing changes', async () => {
      const tokens = await getTokens(s, browser, app);
      for (const hint of [undefined, 'access_token', 'refresh_token']) {
        const res = await revoke(s.app, app.basic, value, hint);
        expect(res.statusCode).toBe(200);
        expect(res.body).toBe('{}');
      }
      expect((await introspect(s.app, app.basic, tokens.access_token)).json().active).toBe(true);
    });

    it('introspected → 200 {"active":false}', async () => {
      expectInactive(await introspect(s.app, app.basic, value));
    });
  });

  it('the literal body token=%00abc is inactive at introspection and revokes nothing', async () => {
    for (const url of ['/oauth/introspect', '/oauth/revoke']) {
      const res = await s.app.inject({
        method: 'POST',
        url,
        headers: { ...FORM, authorization: app.basic },
        payload: 'token=%00abc',
      });
      expect(res.statusCode).toBe(200);
      expect(res.body).toBe(url === '/oauth/revoke' ? '{}' : '{"active":false}');
    }
  });

  it('a session cookie with a NUL byte is no session', async () => {
    expect(await s.ctx.users.sessionUser('\u0000abc')).toBeUndefined();
    await expect(s.ctx.users.deleteSession('\u0000abc')).resolves.toBeUndefined();
  });

  it('the repositories do not look such values up at all', async () => {
    // Every query built through Kysely passes this plugin: it records what reached the database.
    const queries: string[] = [];
    const watched = s.ctx.db.withPlugin({
      transformQuery: (args) => {
        queries.push(args.node.kind);
        return args.node;
      },
      transformResult: async (args) => args.result,
    });
    const repositories = openRepositories(watched);
    const { refreshTokens, authorizationRequests, revocations, codes } = repositories;
    const users = new UserRepository(watched);
    // A repository reads its database's refresh-token selector key once, on first use.
    await expect(refreshTokens.find('')).resolves.toBeUndefined();
    expect(queries).toEqual(['SelectQueryNode']);
    queries.length = 0;
    // Refresh tokens of the current format whose selector does not decrypt to a row ID: a forged
    // one, and one issued by another database (another key).
    const elsewhere = new RefreshTokenFormat(randomBytes(16)).issue(1);
    for (const value of [...BAD_VALUES.map(([, v]) => v), 'x'.repeat(64), elsewhere]) {
      await expect(refreshTokens.find(value)).resolves.toBeUndefined();
      await expect(authorizationRequests.take(value, 'usr_x')).resolves.toBeUndefined();
      await expect(revocations.grantActive(value)).resolves.toBe(false);
      // A jti we cannot have issued is inactive: introspection fails closed.
      await expect(revocations.accessTokenRevoked(value)).resolves.toBe(true);
      await expect(revocations.revokeAccessToken(value, 4_102_444_800)).resolves.toBeUndefined();
      await expect(codes.redeem(value, { refreshTtl: 60, rule: () => 'redeem' })).rejects.toEqual(
        new GrantError('unknown'),
      );
      await expect(
        refreshTokens.rotate(value, { clientId: 'lk_x', refreshTtl: 60, rule: () => 'rotate' }),
      ).rejects.toEqual(new GrantError('unknown'));
      await expect(users.sessionUser(value)).resolves.toBeUndefined();
      await expect(users.deleteSession(value)).resolves.toBeUndefined();
    }
    expect(queries).toEqual([]);
    // A well-formed value is looked up: the check is not a bypass of the database. (A legacy refresh
    // token, 43 characters, and this database's own format for a row that does not exist.)
    await expect(refreshTokens.find(randomToken(32))).resolves.toBeUndefined();
    await expect(refreshTokens.find(await ownFormatToken(s, 1e12))).resolves.toBeUndefined();
    await expect(revocations.accessTokenRevoked(crypto.randomUUID())).resolves.toBe(false);
    expect(queries).toEqual(['SelectQueryNode', 'SelectQueryNode', 'SelectQueryNode']);
  });
});

describe.runIf(dialects().includes('postgres'))('the PostgreSQL data-exception safety net', () => {
  let s: TestServer;
  let app: ThreeLeggedApp;

  beforeAll(async () => {
    s = await startTestServer('postgres');
    app = await registerThreeLeggedApp(s);
  });
  afterAll(async () => {
    await s?.close();
  });

  it('a NUL byte PostgreSQL refuses is a data exception (SQLSTATE 22021), not an outage', async () => {
    const error = await sql`select ${'\u0000'}::text as v`.execute(s.ctx.db).then(
      () => undefined,
      (e: unknown) => e,
    );
    // Storage sorts it into its own error type; the HTTP layer answers it (400 invalid_request, below).
    expect(error).toBeInstanceOf(ValueRejectedError);
    expect(error).toMatchObject({ sqlstate: '22021' });
    const cause = (error as { cause?: unknown }).cause;
    expect(isDataException(cause)).toBe(true);
    expect((cause as { code: string }).code).toBe('22021');
    // The raw pool (the hot-path client lookup) goes through the same net.
    const native = await s.ctx.db
      .selectFrom('clients')
      .select('id')
      .where('id', '=', '\u0000')
      .execute()
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(native).toBeInstanceOf(ValueRejectedError);
    expect(native).toMatchObject({ sqlstate: '22021' });
  });

  it.each([
    ['/oauth/revoke', 'find'],
    ['/oauth/introspect', 'find'],
    ['/oauth/token', 'rotate'],
  ] as const)('a data exception reaching %s answers 400 invalid_request, not 500', async (url, method) => {
    // Stands for any path a shape check does not cover: the value reaches PostgreSQL and is refused.
    const spy = vi.spyOn(s.ctx.refreshTokens, method).mockImplementation(async () => {
      await sql`select ${'\u0000abc'}::text`.execute(s.ctx.db);
      return undefined as never;
    });
    try {
      const res = await s.app.inject({
        method: 'POST',
        url,
        headers: { ...FORM, authorization: app.basic },
        payload: new URLSearchParams({
          token: 'abc',
          grant_type: 'refresh_token',
          refresh_token: 'abc',
        }).toString(),
      });
      expect(res.statusCode).toBe(400);
      expect(res.json().error).toBe('invalid_request');
      expect(res.body).not.toContain('\\u0000');
      expect(spy).toHaveBeenCalled();
    } finally {
      spy.mockRestore();
    }
    expect(s.logs.text).not.toContain('unexpected error');
  });

  it('a connection failure still answers 503', async () => {
    const spy = vi.spyOn(s.ctx.refreshTokens, 'find').mockImplementation(async () => {
      const refused = new Error('connect ECONNREFUSED 127.0.0.1:1') as Error & { code: string };
      refused.code = 'ECONNREFUSED';
      throw refused;
    });
    try {
      const res = await revoke(s.app, app.basic, 'abc');
      expect(res.statusCode).toBe(503);
      expect(res.json().error).toBe('temporarily_unavailable');
    } finally {
      spy.mockRestore();
    }
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

describe('the Connected apps revoke form and values the database cannot hold', () => {
  let s: TestServer | undefined;
  afterEach(async () => {
    await s?.close();
    s = undefined;
  });

  // The Connected apps revoke form once took the app's ID from the
  // path and queried with it unchecked; on PostgreSQL `/account/apps/%00/revoke` was a data exception,
  // so the browser got a JSON 400 (no CSP, no X-Frame-Options) and the log a "shape check is missing"
  // warning, where SQLite answered the usual 303. Now an ID that cannot be an app's is never looked up.
  it.each(dialects())(
    'on %s: revoking an app ID that cannot exist is the usual 303 and no database error',
    async (dialect) => {
      s = await startTestServer(dialect);
      const app = await registerThreeLeggedApp(s);
      const user = await s.ctx.users.create('ada@example.com', 'correct horse battery');
      await s.ctx.consents.save(user.id, app.client.id, ['data:read']);
      const browser = await signedInBrowser(s, new InjectBrowser(s.app), user.id);
      const csrf = csrfOf((await browser.get('/account/apps')).body);
      for (const id of ['%00', 'a%00b', '%C3%A9', 'a%20b']) {
        const res = await browser.post(`/account/apps/${id}/revoke`, { csrf });
        expect({ id, status: res.statusCode, location: res.headers['location'] }).toEqual({
          id,
          status: 303,
          location: '/account/apps?revoked=1',
        });
      }
      expect(s.logs.text).not.toContain('shape check is missing');
      // The user's real consent is untouched.
      expect(await s.ctx.consents.scopes(user.id, app.client.id)).toEqual(['data:read']);
    },
  );
});
