/**
 * The app page's Usage and Recent errors in-process (app.inject): empty states; the chart with its
 * title, summary and a table of the numbers; the errors newest first, the newest ten at once and the
 * rest behind a disclosure, what a request sent escaped, never a secret; how many were not recorded;
 * a collaborator sees them, a stranger gets the 404 page.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedInBrowser, tokenRequest } from './support/attacks.js';
import { InjectBrowser, registerThreeLeggedApp } from './support/browser.js';
import { startTestServer, type TestServer } from './support/server.js';

describe('the app page’s Usage and Recent errors', () => {
  let s: TestServer;
  let owner: InjectBrowser;
  let stranger: InjectBrowser;
  let app: Awaited<ReturnType<typeof registerThreeLeggedApp>>;
  const page = async (browser = owner) => {
    await s.ctx.recentErrors.flush();
    const res = await browser.get(`/portal/apps/${app.client.id}`);
    expect(res.statusCode, res.body).toBe(200);
    return res.body;
  };
  /** The HTML of the section headed `id`. */
  const section = (body: string, id: string) =>
    new RegExp(`<section class="section" aria-labelledby="${id}">([\\s\\S]*?)</section>`).exec(body)?.[1] ??
    '';

  beforeAll(async () => {
    s = await startTestServer('sqlite', { LATCHKEY_AUTH_MAX_FAILURES: '1000000' });
    const user = await s.ctx.users.create('dev@example.com', 'a long password');
    const other = await s.ctx.users.create('other@example.com', 'a long password');
    owner = await signedInBrowser(s, new InjectBrowser(s.app), user.id);
    stranger = await signedInBrowser(s, new InjectBrowser(s.app), other.id);
    app = await registerThreeLeggedApp(s, {
      grants: ['authorization_code', 'refresh_token', 'client_credentials'],
      scope: 'data:read',
      name: 'Reports',
    });
    await s.ctx.db
      .updateTable('clients')
      .set({ owner_id: user.id })
      .where('id', '=', app.client.id)
      .execute();
  });
  afterAll(async () => {
    await s?.close();
  });

  it('says when there is nothing yet', async () => {
    const body = await page();
    expect(section(body, 'usage')).toContain('No tokens issued in the last 14 days.');
    expect(section(body, 'usage')).toMatch(
      /<strong class="stat-value">0<\/strong> <span class="stat-label">users have this app connected/,
    );
    expect(section(body, 'usage')).not.toContain('<svg');
    expect(section(body, 'recent-errors')).toContain('No failed requests.');
    expect(section(body, 'recent-errors')).not.toContain('<table');
  });

  it('draws the tokens of the last 14 days, with a title, a summary and the numbers as a table', async () => {
    for (let i = 0; i < 4; i++) {
      expect((await tokenRequest(s.app, app.basic, { grant_type: 'client_credentials' })).statusCode).toBe(
        200,
      );
    }
    const usage = section(await page(), 'usage');
    expect(usage).toMatch(
      /<strong class="stat-value">4<\/strong> <span class="stat-label">tokens in 14 days/,
    );
    expect(usage).toMatch(/<strong class="stat-value">4<\/strong> <span class="stat-label">tokens today/);
    expect(usage).toContain(
      '<svg class="chart" role="img" aria-labelledby="usage-chart-title usage-chart-desc"',
    );
    expect(usage).toContain('<title id="usage-chart-title">Tokens issued per day, last 14 days</title>');
    expect(usage).toMatch(
      /<desc id="usage-chart-desc">4 tokens from \d+ \w+ to \d+ \w+; the busiest day was/,
    );
    // One bar today, of the client credentials colour, with its own title.
    expect(usage.match(/<rect class="grant-client-credentials"/g)).toHaveLength(1);
    expect(usage).toMatch(/<g><title>\d+ \w+: 4 tokens \(Client credentials 4\)<\/title>/);
    expect(usage).toMatch(/<details class="usage-numbers"><summary>Show the numbers<\/summary>/);
    const rows = usage.match(/<tr><th scope="row">/g);
    expect(rows).toHaveLength(14);
  });

  it('lists the errors newest first, ten at once and the rest behind a disclosure, escaped, never a secret', async () => {
    // Older failures first (written as the recorder would), then a few the server records itself:
    // fewer than a burst (activity/error-recorder.ts), so none is left unrecorded.
    await s.ctx.appErrors.write(
      Array.from({ length: 11 }, (_, i) => ({
        clientId: app.client.id,
        occurredAt: Math.floor(Date.now() / 1000) - 3600 + i,
        endpoint: 'token' as const,
        grantType: 'refresh_token',
        error: 'invalid_grant',
        reason: `older failure ${i}`,
      })),
    );
    const evil = 'https://app.example/cb"><script>alert(1)</script>';
    await owner.get(
      `/oauth/authorize?${new URLSearchParams({ response_type: 'code', client_id: app.client.id, redirect_uri: evil })}`,
    );
    for (let i = 0; i < 3; i++) {
      await tokenRequest(s.app, s.basic(app.client.id, `wrong-secret-${i}`), {
        grant_type: 'client_credentials',
      });
    }
    await tokenRequest(s.app, app.basic, { grant_type: 'client_credentials', scope: 'data:write' });
    const body = await page();
    const errors = section(body, 'recent-errors');
    const [shown, older] = errors.split('<details class="older-errors">');
    expect(shown?.match(/<tr role="row"><td/g)).toHaveLength(10);
    expect(older?.match(/<tr role="row"><td/g)).toHaveLength(6);
    expect(older).toContain('<summary>Show 6 older errors</summary>');
    // Newest first: the scope, the secrets, the redirect URI, then the older ones, newest first.
    const reasons = [...errors.matchAll(/class="error-reason">([^<]*)</g)].map((m) => m[1]);
    expect(reasons).toEqual([
      'scope not allowed for this app: data:write (it may ask for: data:read)',
      'client secret does not match',
      'client secret does not match',
      'client secret does not match',
      'redirect_uri does not match: registered https://app.example/cb, got https://app.example/cb&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;',
      ...Array.from({ length: 11 }, (_, i) => `older failure ${10 - i}`),
    ]);
    expect(shown).toContain(
      '<code>invalid_scope</code><span class="error-endpoint">Token endpoint · Client credentials</span>',
    );
    expect(shown).toContain(
      '<code>redirect_uri_mismatch</code><span class="error-endpoint">Authorization endpoint</span>',
    );
    expect(older).toContain(
      '<code>invalid_grant</code><span class="error-endpoint">Token endpoint · Refresh token</span>',
    );
    expect(body).not.toContain('<script>alert(1)');
    expect(body).not.toContain('wrong-secret-');
    expect(body).not.toContain(app.clientSecret as string);
    expect(errors).not.toContain('not-recorded');
  });

  it('says how many failures were counted but not listed', async () => {
    await s.ctx.appErrors.write(
      [],
      [{ clientId: app.client.id, day: Math.floor(Date.now() / 86_400_000), dropped: 1234 }],
    );
    const errors = section(await page(), 'recent-errors');
    expect(errors).toContain(
      '<strong>1,234 more failures</strong> in the last 30 days were counted but not listed: each server records a few a second per app.',
    );
  });

  it('is the 404 page to anyone without a role for the app', async () => {
    const res = await stranger.get(`/portal/apps/${app.client.id}`);
    expect(res.statusCode).toBe(404);
    expect(res.body).not.toContain('Recent errors');
    expect(res.body).not.toContain('invalid_scope');
  });
});
