/**
 * GET /manage/v1/apps/{id}/errors and /usage on SQLite and PostgreSQL: what the owner and collaborators
 * see (the same as the app page), in the shapes the OpenAPI document gives; a 404 to anyone else, as
 * for an app that does not exist.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tokenRequest } from './support/attacks.js';
import { expectProblem, PortalUser } from './support/portal-user.js';
import { dialects, startTestServer, type TestServer } from './support/server.js';

const basicOf = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

describe.each(dialects())('the activity routes of the management API on %s', (dialect) => {
  let s: TestServer;
  let owner: PortalUser;
  let helper: PortalUser;
  let stranger: PortalUser;
  let app: { client_id: string; client_secret: string };

  beforeAll(async () => {
    s = await startTestServer(dialect, { LATCHKEY_SCOPES: 'data:read data:write manage' });
    owner = await PortalUser.signUp(s, 'owner@example.com');
    helper = await PortalUser.signUp(s, 'helper@example.com');
    stranger = await PortalUser.signUp(s, 'stranger@example.com');
    app = (
      await owner.call('POST', '/apps', { name: 'Reports', type: 'service', scope: 'data:read' })
    ).json();
    await owner.call('POST', `/apps/${app.client_id}/collaborators`, { email: 'helper@example.com' });
  });
  afterAll(async () => {
    await s?.close();
  });

  it('lists the app’s failed requests, newest first, with reasons and no secret', async () => {
    const empty = await owner.call('GET', `/apps/${app.client_id}/errors`);
    expect(empty.statusCode, empty.body).toBe(200);
    expect(empty.json()).toEqual({ errors: [], not_recorded: 0, kept: 50, retention_days: 30 });

    const basic = basicOf(app.client_id, app.client_secret);
    await tokenRequest(s.app, basic, { grant_type: 'client_credentials', scope: 'data:write' });
    await tokenRequest(s.app, basicOf(app.client_id, 'not-the-secret'), { grant_type: 'client_credentials' });
    await s.ctx.recentErrors.flush();
    const res = await helper.call('GET', `/apps/${app.client_id}/errors`);
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body.errors).toEqual([
      {
        occurred_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$/),
        endpoint: 'token',
        grant_type: null,
        error: 'invalid_client',
        reason: 'client secret does not match',
      },
      {
        occurred_at: expect.any(String),
        endpoint: 'token',
        grant_type: 'client_credentials',
        error: 'invalid_scope',
        reason: 'scope not allowed for this app: data:write (it may ask for: data:read)',
      },
    ]);
    expect(Math.abs(Date.parse(body.errors[0].occurred_at) - Date.now())).toBeLessThan(60_000);
    expect(res.body).not.toContain(app.client_secret);
    expect(res.body).not.toContain('not-the-secret');
  });

  it('gives the last 14 days of tokens by grant type, today last, and the users connected', async () => {
    const basic = basicOf(app.client_id, app.client_secret);
    for (let i = 0; i < 3; i++) {
      expect((await tokenRequest(s.app, basic, { grant_type: 'client_credentials' })).statusCode).toBe(200);
    }
    const res = await owner.call('GET', `/apps/${app.client_id}/usage`);
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body.grant_types).toEqual(['client_credentials']);
    expect(body.connected_users).toBe(0);
    expect(body.days).toHaveLength(14);
    const today = new Date().toISOString().slice(0, 10);
    expect(body.days.at(-1)).toEqual({ date: today, issued: { client_credentials: 3 }, total: 3 });
    expect(body.days[0]).toEqual({
      date: new Date(Date.now() - 13 * 86_400_000).toISOString().slice(0, 10),
      issued: { client_credentials: 0 },
      total: 0,
    });
    // The same once written.
    await s.ctx.usage.flush();
    expect((await helper.call('GET', `/apps/${app.client_id}/usage`)).json()).toEqual(body);
  });

  it('answers 404 to a stranger and for an app that does not exist, alike', async () => {
    for (const route of ['errors', 'usage']) {
      const hidden = expectProblem(
        await stranger.call('GET', `/apps/${app.client_id}/${route}`),
        404,
        'not_found',
      );
      const missing = expectProblem(await owner.call('GET', `/apps/lk_nothing/${route}`), 404, 'not_found');
      expect(hidden.detail.replace(app.client_id, 'X')).toBe(missing.detail.replace('lk_nothing', 'X'));
    }
    const unauthenticated = await s.app.inject({
      method: 'GET',
      url: `/manage/v1/apps/${app.client_id}/errors`,
    });
    expect(unauthenticated.statusCode).toBe(401);
  });
});
