/**
 * Who may call the management API (/manage/v1) on both databases: a portal session with its
 * X-CSRF-Token, or a bearer token with the manage scope (never with an admin's powers); the 404 rule
 * for every action of anyone without a role; and what a collaborator may and may not do.
 */
import { describe, expect, it } from 'vitest';
import { getTokens } from './support/attacks.js';
import { registerThreeLeggedApp } from './support/browser.js';
import { useManageServer } from './support/manage-api.js';
import { API, expectProblem } from './support/portal-user.js';
import { dialects } from './support/server.js';
import { twoLegged } from './support/two-legged.js';

describe.each(dialects())('the management API on %s', (dialect) => {
  const f = useManageServer(dialect);

  it('answers 404 to anyone without a role, for every action, exactly as for an app that does not exist', async () => {
    const app = (
      await f.owner.call('POST', '/apps', {
        name: 'Private',
        type: 'web',
        scope: 'data:read',
        redirect_uris: ['https://p.example/cb'],
      })
    ).json();
    const actions = (id: string) =>
      [
        ['GET', `/apps/${id}`, undefined],
        ['PATCH', `/apps/${id}`, { name: 'Mine now' }],
        ['PATCH', `/apps/${id}`, { redirect_uris: ['https://evil.example/cb'] }],
        ['DELETE', `/apps/${id}`, undefined],
        ['GET', `/apps/${id}/secrets`, undefined],
        ['POST', `/apps/${id}/secrets`, { grace_seconds: 0 }],
        ['GET', `/apps/${id}/collaborators`, undefined],
        ['POST', `/apps/${id}/collaborators`, { email: 'stranger@example.com' }],
        ['DELETE', `/apps/${id}/collaborators/${f.owner.id}`, undefined],
        ['GET', `/apps/${id}/errors`, undefined],
        ['GET', `/apps/${id}/usage`, undefined],
      ] as const;
    for (const [method, path, body] of actions(app.client_id)) {
      const hidden = expectProblem(await f.stranger.call(method, path, body), 404, 'not_found');
      const missing = expectProblem(
        await f.stranger.call(method, path.replace(app.client_id, 'lk_nothing'), body),
        404,
        'not_found',
      );
      expect(hidden.detail.replace(app.client_id, 'X')).toBe(missing.detail.replace('lk_nothing', 'X'));
    }
    expect((await f.stranger.call('GET', '/apps')).json().apps).toEqual([]);
    // Nothing changed.
    expect((await f.owner.call('GET', `/apps/${app.client_id}`)).json()).toMatchObject({
      name: 'Private',
      redirect_uris: ['https://p.example/cb'],
    });
  });

  it('lets a collaborator view, change redirect URIs and rotate, but not rename, delete or add people', async () => {
    const app = (
      await f.owner.call('POST', '/apps', {
        name: 'Team',
        type: 'web',
        scope: 'data:read',
        redirect_uris: ['https://t.example/cb'],
      })
    ).json();
    const added = await f.owner.call('POST', `/apps/${app.client_id}/collaborators`, {
      email: 'HELPER@example.com',
    });
    expect(added.statusCode, added.body).toBe(201);
    expect(added.json().collaborators.map((c: { email: string }) => c.email)).toEqual(['helper@example.com']);
    expect(
      (await f.owner.call('POST', `/apps/${app.client_id}/collaborators`, { email: 'helper@example.com' }))
        .statusCode,
    ).toBe(200);

    expect(
      (await f.helper.call('GET', '/apps'))
        .json()
        .apps.map((a: { name: string; role: string }) => [a.name, a.role]),
    ).toEqual([['Team', 'collaborator']]);
    const moved = await f.helper.call('PATCH', `/apps/${app.client_id}`, {
      redirect_uris: ['https://t.example/cb2'],
    });
    expect(moved.json().redirect_uris).toEqual(['https://t.example/cb2']);
    expect(
      (await f.helper.call('POST', `/apps/${app.client_id}/secrets`, { grace_seconds: 0 })).statusCode,
    ).toBe(201);
    expectProblem(
      await f.helper.call('PATCH', `/apps/${app.client_id}`, { name: 'Renamed' }),
      403,
      'forbidden',
    );
    expectProblem(await f.helper.call('DELETE', `/apps/${app.client_id}`), 403, 'forbidden');
    expectProblem(
      await f.helper.call('POST', `/apps/${app.client_id}/collaborators`, { email: 'stranger@example.com' }),
      403,
      'forbidden',
    );
    expectProblem(
      await f.helper.call('DELETE', `/apps/${app.client_id}/collaborators/${f.helper.id}`),
      403,
      'forbidden',
    );

    // The owner removes them: the app is a 404 to them from then on.
    expect(
      (await f.owner.call('DELETE', `/apps/${app.client_id}/collaborators/${f.helper.id}`)).statusCode,
    ).toBe(204);
    expectProblem(await f.helper.call('GET', `/apps/${app.client_id}`), 404, 'not_found');
    expect((await f.owner.call('DELETE', `/apps/${app.client_id}`)).statusCode).toBe(204);
    expectProblem(await f.owner.call('GET', `/apps/${app.client_id}`), 404, 'not_found');
  });

  it('refuses callers without a session or token, a change without the session X-CSRF-Token, and foreign origins', async () => {
    const anonymous = await f.s.app.inject({ method: 'GET', url: `${API}/apps` });
    expectProblem(anonymous, 401, 'unauthenticated');
    expect(anonymous.headers['www-authenticate']).toBe('Bearer realm="latchkey", scope="manage"');
    // A forged value, another session's value, and the right value from another origin.
    const refused: Record<string, string>[] = [
      { 'x-csrf-token': 'forged' },
      { 'x-csrf-token': f.helper.csrf },
      { origin: 'https://evil.example' },
    ];
    for (const headers of refused) {
      const res = await f.owner.call(
        'POST',
        '/apps',
        { name: 'X', type: 'service', scope: 'data:read' },
        headers,
      );
      expectProblem(res, 403, 'csrf_token_invalid');
    }
    // Reading needs no anti-CSRF value.
    expect((await f.owner.call('GET', '/apps', undefined, { 'x-csrf-token': '' })).statusCode).toBe(200);
  });

  it('accepts a bearer token with the manage scope as its user, and refuses any other token', async () => {
    const tool = await registerThreeLeggedApp(f.s, { scope: 'data:read manage' });
    const tokens = await getTokens(f.s, f.owner.browser, tool, { scope: 'data:read manage' });
    const bearer = (token: string, method: 'GET' | 'POST' = 'GET', body?: unknown) =>
      f.s.app.inject({
        method,
        url: `${API}/apps`,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body ? { 'content-type': 'application/json' } : {}),
        },
        ...(body ? { payload: JSON.stringify(body) } : {}),
      });
    const listed = await bearer(tokens.access_token);
    expect(listed.statusCode, listed.body).toBe(200);
    expect(listed.json().apps.map((a: { owner: string }) => a.owner)).toContain('owner@example.com');
    // A token needs no anti-CSRF value: no browser sends it on its own.
    expect(
      (await bearer(tokens.access_token, 'POST', { name: 'By token', type: 'service', scope: 'data:read' }))
        .statusCode,
    ).toBe(201);

    const narrow = await getTokens(f.s, f.owner.browser, tool, { scope: 'data:read' });
    const insufficient = expectProblem(await bearer(narrow.access_token), 403, 'insufficient_scope');
    expect(insufficient.detail).toContain('manage');
    const service = (
      await f.owner.call('POST', '/apps', { name: 'Svc', type: 'service', scope: 'data:read' })
    ).json();
    const twoLeggedToken = (await twoLegged(f.s, service.client_id, service.client_secret)).json()
      .access_token;
    expectProblem(await bearer(twoLeggedToken), 403, 'insufficient_scope');
    const invalid = expectProblem(await bearer('not.a.jwt'), 401, 'unauthenticated');
    expect(invalid).toBeTruthy();
    // Revoked: refused at once, though the JWT is unexpired.
    await f.s.app.inject({
      method: 'POST',
      url: '/oauth/revoke',
      headers: { authorization: tool.basic, 'content-type': 'application/x-www-form-urlencoded' },
      payload: `token=${tokens.refresh_token}`,
    });
    expectProblem(await bearer(tokens.access_token), 401, 'unauthenticated');
  });

  it('a manage token acts for an admin as a developer: no admin powers for the app that holds it', async () => {
    const victim = (
      await f.owner.call('POST', '/apps', { name: 'Victim', type: 'service', scope: 'data:read' })
    ).json();
    const tool = await registerThreeLeggedApp(f.s, { scope: 'data:read manage' });
    const { access_token } = await getTokens(f.s, f.admin.browser, tool, { scope: 'data:read manage' });
    const asTool = (method: 'GET' | 'POST' | 'PATCH', path: string, body?: unknown) =>
      f.s.app.inject({
        method,
        url: `${API}${path}`,
        headers: {
          authorization: `Bearer ${access_token}`,
          ...(body ? { 'content-type': 'application/json' } : {}),
        },
        ...(body ? { payload: JSON.stringify(body) } : {}),
      });
    expect((await asTool('GET', '/apps')).json().apps).toEqual([]);
    expectProblem(
      await asTool('POST', `/apps/${victim.client_id}/secrets`, { grace_seconds: 0 }),
      404,
      'not_found',
    );
    expectProblem(
      await asTool('PATCH', `/apps/${victim.client_id}`, { redirect_uris: ['https://evil.example/cb'] }),
      404,
      'not_found',
    );
    const restricted = await asTool('POST', '/apps', { name: 'Mine', type: 'service', scope: 'data:write' });
    expectProblem(restricted, 403, 'forbidden');
    // The admin's own session keeps its powers.
    expect((await f.admin.call('GET', `/apps/${victim.client_id}`)).statusCode).toBe(200);
  });

  it('refuses a non-ASCII X-CSRF-Token of the right length as any wrong token, never a 500', async () => {
    const forged = `${'a'.repeat(42)}\u00e9`;
    const res = await f.owner.call(
      'POST',
      '/apps',
      { name: 'X', type: 'service', scope: 'data:read' },
      { 'x-csrf-token': forged },
    );
    expectProblem(res, 403, 'csrf_token_invalid');
  });
});
