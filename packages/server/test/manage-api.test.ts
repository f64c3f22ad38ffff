/**
 * The management API (/manage/v1) on both databases: who may call it (portal session with its
 * X-CSRF-Token, or a bearer token with the manage scope), the 404 rule for every action, what
 * collaborators may do, restricted scopes, RFC 9457 problems, and the OpenAPI document against the routes.
 */
import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getTokens, tokenRequest } from './support/attacks.js';
import { registerThreeLeggedApp } from './support/browser.js';
import { API, expectProblem, PortalUser } from './support/portal-user.js';
import { dialects, startTestServer, type TestServer } from './support/server.js';

const basicOf = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
const twoLegged = (s: TestServer, id: string, secret: string) =>
  tokenRequest(s.app, basicOf(id, secret), { grant_type: 'client_credentials' });

describe.each(dialects())('the management API on %s', (dialect) => {
  let s: TestServer;
  let owner: PortalUser;
  let helper: PortalUser;
  let stranger: PortalUser;
  let admin: PortalUser;
  beforeAll(async () => {
    s = await startTestServer(dialect, {
      LATCHKEY_SCOPES: 'data:read data:write manage',
      LATCHKEY_RESTRICTED_SCOPES: 'data:write',
    });
    owner = await PortalUser.signUp(s, 'owner@example.com');
    helper = await PortalUser.signUp(s, 'helper@example.com');
    stranger = await PortalUser.signUp(s, 'stranger@example.com');
    admin = await PortalUser.signUp(s, 'root@example.com', { admin: true });
  });
  afterAll(async () => {
    await s?.close();
  });

  it('creates a service app whose secret, shown once, fetches a two-legged token', async () => {
    const created = await owner.call('POST', '/apps', {
      name: 'Reports',
      type: 'service',
      scope: 'data:read',
    });
    expect(created.statusCode, created.body).toBe(201);
    const app = created.json();
    expect(app).toMatchObject({
      name: 'Reports',
      type: 'service',
      grant_types: ['client_credentials'],
      owner: 'owner@example.com',
      role: 'owner',
    });
    expect(created.headers['location']).toBe(`${API}/apps/${app.client_id}`);
    expect((await twoLegged(s, app.client_id, app.client_secret)).statusCode).toBe(200);
    // Never again: not in the app, not in the list of secrets.
    const read = await owner.call('GET', `/apps/${app.client_id}`);
    expect(read.body).not.toContain(app.client_secret);
    const secrets = await owner.call('GET', `/apps/${app.client_id}/secrets`);
    expect(secrets.json().secrets).toHaveLength(1);
    expect(secrets.body).not.toContain(app.client_secret);
  });

  it('rotates with a grace period: the old secret works until it ends; without one it stops at once', async () => {
    const app = (
      await owner.call('POST', '/apps', { name: 'Rotator', type: 'service', scope: 'data:read' })
    ).json();
    const graced = await owner.call('POST', `/apps/${app.client_id}/secrets`, { grace_seconds: 3600 });
    expect(graced.statusCode, graced.body).toBe(201);
    const hour = Date.parse(graced.json().previous_secrets_expire_at) - Date.now();
    expect(hour).toBeGreaterThan(3590_000);
    expect(hour).toBeLessThanOrEqual(3600_000);
    expect(graced.json().secrets.map((x: { expires_at: string | null }) => x.expires_at === null)).toEqual([
      true,
      false,
    ]);
    expect((await twoLegged(s, app.client_id, app.client_secret)).statusCode).toBe(200);
    expect((await twoLegged(s, app.client_id, graced.json().client_secret)).statusCode).toBe(200);
    const hard = await owner.call('POST', `/apps/${app.client_id}/secrets`, { grace_seconds: 0 });
    expect(hard.json().previous_secrets_expire_at).toBeNull();
    expect((await twoLegged(s, app.client_id, app.client_secret)).statusCode).toBe(401);
    expect((await twoLegged(s, app.client_id, graced.json().client_secret)).statusCode).toBe(401);
    expect((await twoLegged(s, app.client_id, hard.json().client_secret)).statusCode).toBe(200);
    expectProblem(
      await owner.call('POST', `/apps/${app.client_id}/secrets`, { grace_seconds: 60 }),
      400,
      'invalid_body',
    );
  });

  it('answers 404 to anyone without a role, for every action, exactly as for an app that does not exist', async () => {
    const app = (
      await owner.call('POST', '/apps', {
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
        ['DELETE', `/apps/${id}/collaborators/${owner.id}`, undefined],
        ['GET', `/apps/${id}/errors`, undefined],
        ['GET', `/apps/${id}/usage`, undefined],
      ] as const;
    for (const [method, path, body] of actions(app.client_id)) {
      const hidden = expectProblem(await stranger.call(method, path, body), 404, 'not_found');
      const missing = expectProblem(
        await stranger.call(method, path.replace(app.client_id, 'lk_nothing'), body),
        404,
        'not_found',
      );
      expect(hidden.detail.replace(app.client_id, 'X')).toBe(missing.detail.replace('lk_nothing', 'X'));
    }
    expect((await stranger.call('GET', '/apps')).json().apps).toEqual([]);
    // Nothing changed.
    expect((await owner.call('GET', `/apps/${app.client_id}`)).json()).toMatchObject({
      name: 'Private',
      redirect_uris: ['https://p.example/cb'],
    });
  });

  it('lets a collaborator view, change redirect URIs and rotate, but not rename, delete or add people', async () => {
    const app = (
      await owner.call('POST', '/apps', {
        name: 'Team',
        type: 'web',
        scope: 'data:read',
        redirect_uris: ['https://t.example/cb'],
      })
    ).json();
    const added = await owner.call('POST', `/apps/${app.client_id}/collaborators`, {
      email: 'HELPER@example.com',
    });
    expect(added.statusCode, added.body).toBe(201);
    expect(added.json().collaborators.map((c: { email: string }) => c.email)).toEqual(['helper@example.com']);
    expect(
      (await owner.call('POST', `/apps/${app.client_id}/collaborators`, { email: 'helper@example.com' }))
        .statusCode,
    ).toBe(200);

    expect(
      (await helper.call('GET', '/apps'))
        .json()
        .apps.map((a: { name: string; role: string }) => [a.name, a.role]),
    ).toEqual([['Team', 'collaborator']]);
    const moved = await helper.call('PATCH', `/apps/${app.client_id}`, {
      redirect_uris: ['https://t.example/cb2'],
    });
    expect(moved.json().redirect_uris).toEqual(['https://t.example/cb2']);
    expect(
      (await helper.call('POST', `/apps/${app.client_id}/secrets`, { grace_seconds: 0 })).statusCode,
    ).toBe(201);
    expectProblem(
      await helper.call('PATCH', `/apps/${app.client_id}`, { name: 'Renamed' }),
      403,
      'forbidden',
    );
    expectProblem(await helper.call('DELETE', `/apps/${app.client_id}`), 403, 'forbidden');
    expectProblem(
      await helper.call('POST', `/apps/${app.client_id}/collaborators`, { email: 'stranger@example.com' }),
      403,
      'forbidden',
    );
    expectProblem(
      await helper.call('DELETE', `/apps/${app.client_id}/collaborators/${helper.id}`),
      403,
      'forbidden',
    );

    // The owner removes them: the app is a 404 to them from then on.
    expect((await owner.call('DELETE', `/apps/${app.client_id}/collaborators/${helper.id}`)).statusCode).toBe(
      204,
    );
    expectProblem(await helper.call('GET', `/apps/${app.client_id}`), 404, 'not_found');
    expect((await owner.call('DELETE', `/apps/${app.client_id}`)).statusCode).toBe(204);
    expectProblem(await owner.call('GET', `/apps/${app.client_id}`), 404, 'not_found');
  });

  it('keeps restricted scopes for admins, who see and manage every app', async () => {
    const refused = expectProblem(
      await owner.call('POST', '/apps', { name: 'Writer', type: 'service', scope: 'data:read data:write' }),
      403,
      'forbidden',
    );
    expect(refused).toMatchObject({ field: 'scope' });
    const app = (
      await owner.call('POST', '/apps', { name: 'Reader', type: 'service', scope: 'data:read' })
    ).json();
    expectProblem(
      await owner.call('PATCH', `/apps/${app.client_id}`, { scope: 'data:write' }),
      403,
      'forbidden',
    );
    const widened = await admin.call('PATCH', `/apps/${app.client_id}`, { scope: 'data:read data:write' });
    expect(widened.json()).toMatchObject({
      scope: 'data:read data:write',
      role: 'admin',
      owner: 'owner@example.com',
    });
    const names = (await admin.call('GET', '/apps')).json().apps.map((a: { name: string }) => a.name);
    expect(names).toEqual(expect.arrayContaining(['Reports', 'Reader']));
  });

  it('validates bodies like registration, naming the member at fault', async () => {
    expectProblem(await owner.call('POST', '/apps', 'not an object'), 400, 'invalid_body');
    expectProblem(
      await owner.call('POST', '/apps', { name: 'X', type: 'web', scope: 'data:read', extra: 1 }),
      400,
      'invalid_body',
    );
    expect(
      expectProblem(
        await owner.call('POST', '/apps', { name: 'X', type: 'robot', scope: 'data:read' }),
        400,
        'invalid_body',
      ).field,
    ).toBe('type');
    expect(
      expectProblem(
        await owner.call('POST', '/apps', { name: 7, type: 'web', scope: 'data:read' }),
        400,
        'invalid_body',
      ).field,
    ).toBe('name');
    const badUri = expectProblem(
      await owner.call('POST', '/apps', {
        name: 'X',
        type: 'web',
        scope: 'data:read',
        redirect_uris: ['http://evil.example/cb'],
      }),
      400,
      'invalid_body',
    );
    expect(badUri.field).toBe('redirect_uris');
    expectProblem(
      await owner.call('POST', '/apps', { name: 'X', type: 'web', scope: 'nope' }),
      400,
      'invalid_body',
    );
    const raw = await owner.call('POST', '/apps', undefined, { 'content-type': 'application/json' });
    expectProblem(raw, 400, 'invalid_body');
  });

  it('keeps a description and homepage URL, changed by the owner only, validated like registration', async () => {
    const created = await owner.call('POST', '/apps', {
      name: 'Profiled',
      type: 'web',
      scope: 'data:read',
      redirect_uris: ['https://pr.example/cb'],
      description: '  Prints your photos.  ',
      homepage_url: 'https://pr.example/',
    });
    expect(created.statusCode, created.body).toBe(201);
    const app = created.json();
    expect(app).toMatchObject({ description: 'Prints your photos.', homepage_url: 'https://pr.example/' });
    const bare = (
      await owner.call('POST', '/apps', { name: 'Bare', type: 'service', scope: 'data:read' })
    ).json();
    expect(bare).toMatchObject({ description: null, homepage_url: null });

    const changed = await owner.call('PATCH', `/apps/${app.client_id}`, {
      description: 'Prints and frames your photos.',
      homepage_url: 'http://localhost:8080/',
    });
    expect(changed.json()).toMatchObject({
      description: 'Prints and frames your photos.',
      homepage_url: 'http://localhost:8080/',
      name: 'Profiled',
    });
    expect((await owner.call('GET', `/apps/${app.client_id}`)).json()).toMatchObject({
      description: 'Prints and frames your photos.',
      homepage_url: 'http://localhost:8080/',
    });
    // A blank value removes it.
    const cleared = await owner.call('PATCH', `/apps/${app.client_id}`, {
      description: '',
      homepage_url: ' ',
    });
    expect(cleared.json()).toMatchObject({ description: null, homepage_url: null });
    expect((await owner.call('GET', `/apps/${app.client_id}`)).json()).toMatchObject({
      description: null,
      homepage_url: null,
    });

    const refusals: [Record<string, unknown>, string, string][] = [
      [{ description: 'x'.repeat(501) }, 'description', '500'],
      [{ description: 'a\u0000b' }, 'description', 'control'],
      [{ name: 'Line\nbreak' }, 'name', 'control'],
      [{ homepage_url: 'http://pr.example/' }, 'homepage_url', 'https'],
      [{ homepage_url: 'javascript:alert(1)' }, 'homepage_url', 'https'],
      [{ homepage_url: 'pr.example' }, 'homepage_url', 'absolute'],
      [{ homepage_url: 'https://user:pw@pr.example/' }, 'homepage_url', 'password'],
      [{ homepage_url: `https://pr.example/${'a'.repeat(2000)}` }, 'homepage_url', '2000'],
    ];
    for (const [body, field, words] of refusals) {
      for (const attempt of [
        owner.call('PATCH', `/apps/${app.client_id}`, body),
        owner.call('POST', '/apps', { name: 'X', type: 'service', scope: 'data:read', ...body }),
      ]) {
        const refused = expectProblem(await attempt, 400, 'invalid_body');
        expect(refused.field).toBe(field);
        expect(refused.detail).toContain(words);
      }
    }
    expect(
      expectProblem(
        await owner.call('POST', '/apps', { name: 'X', type: 'web', scope: 'data:read' }),
        400,
        'invalid_body',
      ).field,
    ).toBe('redirect_uris');

    // A collaborator may not change them: they are the app's details.
    await owner.call('POST', `/apps/${app.client_id}/collaborators`, { email: 'helper@example.com' });
    expectProblem(
      await helper.call('PATCH', `/apps/${app.client_id}`, { description: 'Mine' }),
      403,
      'forbidden',
    );
    expectProblem(
      await helper.call('PATCH', `/apps/${app.client_id}`, { homepage_url: 'https://evil.example/' }),
      403,
      'forbidden',
    );
    expect((await owner.call('GET', `/apps/${app.client_id}`)).json().homepage_url).toBeNull();
  });

  it('lets an owner keep a restricted scope an admin gave the app while changing the others', async () => {
    const app = (
      await owner.call('POST', '/apps', { name: 'Granted', type: 'service', scope: 'data:read' })
    ).json();
    await admin.call('PATCH', `/apps/${app.client_id}`, { scope: 'data:read data:write' });
    const kept = await owner.call('PATCH', `/apps/${app.client_id}`, { scope: 'data:write' });
    expect(kept.statusCode, kept.body).toBe(200);
    expect(kept.json().scope).toBe('data:write');
    const restored = await owner.call('PATCH', `/apps/${app.client_id}`, { scope: 'data:read data:write' });
    expect(restored.json().scope).toBe('data:read data:write');
    await owner.call('PATCH', `/apps/${app.client_id}`, { scope: 'data:read' });
    // Once dropped, only an admin gives it back.
    expectProblem(
      await owner.call('PATCH', `/apps/${app.client_id}`, { scope: 'data:read data:write' }),
      403,
      'forbidden',
    );
  });

  it('refuses callers without a session or token, a change without the session X-CSRF-Token, and foreign origins', async () => {
    const anonymous = await s.app.inject({ method: 'GET', url: `${API}/apps` });
    expectProblem(anonymous, 401, 'unauthenticated');
    expect(anonymous.headers['www-authenticate']).toBe('Bearer realm="latchkey", scope="manage"');
    // A forged value, another session's value, and the right value from another origin.
    const refused: Record<string, string>[] = [
      { 'x-csrf-token': 'forged' },
      { 'x-csrf-token': helper.csrf },
      { origin: 'https://evil.example' },
    ];
    for (const headers of refused) {
      const res = await owner.call(
        'POST',
        '/apps',
        { name: 'X', type: 'service', scope: 'data:read' },
        headers,
      );
      expectProblem(res, 403, 'csrf_token_invalid');
    }
    // Reading needs no anti-CSRF value.
    expect((await owner.call('GET', '/apps', undefined, { 'x-csrf-token': '' })).statusCode).toBe(200);
  });

  it('accepts a bearer token with the manage scope as its user, and refuses any other token', async () => {
    const tool = await registerThreeLeggedApp(s, { scope: 'data:read manage' });
    const tokens = await getTokens(s, owner.browser, tool, { scope: 'data:read manage' });
    const bearer = (token: string, method: 'GET' | 'POST' = 'GET', body?: unknown) =>
      s.app.inject({
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

    const narrow = await getTokens(s, owner.browser, tool, { scope: 'data:read' });
    const insufficient = expectProblem(await bearer(narrow.access_token), 403, 'insufficient_scope');
    expect(insufficient.detail).toContain('manage');
    const service = (
      await owner.call('POST', '/apps', { name: 'Svc', type: 'service', scope: 'data:read' })
    ).json();
    const twoLeggedToken = (await twoLegged(s, service.client_id, service.client_secret)).json().access_token;
    expectProblem(await bearer(twoLeggedToken), 403, 'insufficient_scope');
    const invalid = expectProblem(await bearer('not.a.jwt'), 401, 'unauthenticated');
    expect(invalid).toBeTruthy();
    // Revoked: refused at once, though the JWT is unexpired.
    await s.app.inject({
      method: 'POST',
      url: '/oauth/revoke',
      headers: { authorization: tool.basic, 'content-type': 'application/x-www-form-urlencoded' },
      payload: `token=${tokens.refresh_token}`,
    });
    expectProblem(await bearer(tokens.access_token), 401, 'unauthenticated');
  });

  it('publishes a valid OpenAPI 3.1 document that matches the routes both ways', async () => {
    const res = await s.app.inject({ method: 'GET', url: `${API}/openapi.json` });
    expect(res.statusCode).toBe(200);
    const document = res.json();
    const result = await new Validator().validate(document);
    expect(result.errors ?? [], JSON.stringify(result.errors)).toEqual([]);
    expect(result.valid).toBe(true);
    const documented = Object.entries(document.paths as Record<string, Record<string, unknown>>).flatMap(
      ([path, item]) =>
        Object.keys(item)
          .filter((key) => ['get', 'post', 'patch', 'put', 'delete'].includes(key))
          .map((method) => `${method.toUpperCase()} ${API}${path.replace(/\{(\w+)\}/g, ':$1')}`),
    );
    // printRoutes draws a tree: each line's depth is where its branch starts, its path the parent's plus its own.
    const served: string[] = [];
    const stack: string[] = [];
    for (const line of s.app.printRoutes({ commonPrefix: false }).split('\n')) {
      const match = /^([│ ├└─]*?)[├└]── (\S+) \(([^)]+)\)/.exec(line);
      if (!match) continue;
      const depth = (match[1] as string).length / 4;
      const segment = match[2] as string;
      // The root is `/`; its children are drawn without their leading slash.
      stack[depth] = depth === 0 ? '' : depth === 1 ? `/${segment}` : `${stack[depth - 1] ?? ''}${segment}`;
      stack.length = depth + 1;
      const path = stack[depth] as string;
      if (!path.startsWith(API)) continue;
      for (const method of (match[3] as string).split(', '))
        if (method !== 'HEAD') served.push(`${method} ${path}`);
    }
    expect(served.length).toBeGreaterThan(5);
    expect([...new Set(served)].sort()).toEqual([...new Set(documented)].sort());
  });

  it('records every change in the audit log, with the user as actor and never a secret', async () => {
    const app = (
      await owner.call('POST', '/apps', { name: 'Audited', type: 'service', scope: 'data:read' })
    ).json();
    const rotated = (await owner.call('POST', `/apps/${app.client_id}/secrets`, { grace_seconds: 0 })).json();
    await owner.call('PATCH', `/apps/${app.client_id}`, { name: 'Audited 2' });
    await owner.call('POST', `/apps/${app.client_id}/collaborators`, { email: 'helper@example.com' });
    await owner.call('DELETE', `/apps/${app.client_id}/collaborators/${helper.id}`);
    await owner.call('DELETE', `/apps/${app.client_id}`);
    const events = await s.ctx.db
      .selectFrom('audit_events')
      .selectAll()
      .where('client_id', '=', app.client_id)
      .orderBy('id')
      .execute();
    expect(events.map((e) => [e.type, e.actor])).toEqual([
      ['app.created', owner.id],
      ['app.secret_rotated', owner.id],
      ['app.updated', owner.id],
      ['app.collaborator_added', owner.id],
      ['app.collaborator_removed', owner.id],
      ['app.deleted', owner.id],
    ]);
    const dump = JSON.stringify(events);
    expect(dump).not.toContain(app.client_secret);
    expect(dump).not.toContain(rotated.client_secret);
  });

  it('a manage token acts for an admin as a developer: no admin powers for the app that holds it', async () => {
    const victim = (
      await owner.call('POST', '/apps', { name: 'Victim', type: 'service', scope: 'data:read' })
    ).json();
    const tool = await registerThreeLeggedApp(s, { scope: 'data:read manage' });
    const { access_token } = await getTokens(s, admin.browser, tool, { scope: 'data:read manage' });
    const asTool = (method: 'GET' | 'POST' | 'PATCH', path: string, body?: unknown) =>
      s.app.inject({
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
    expect((await admin.call('GET', `/apps/${victim.client_id}`)).statusCode).toBe(200);
  });

  it('refuses a non-ASCII X-CSRF-Token of the right length as any wrong token, never a 500', async () => {
    const forged = `${'a'.repeat(42)}\u00e9`;
    const res = await owner.call(
      'POST',
      '/apps',
      { name: 'X', type: 'service', scope: 'data:read' },
      { 'x-csrf-token': forged },
    );
    expectProblem(res, 403, 'csrf_token_invalid');
  });

  it('refuses a homepage URL or name a page could not show as typed', async () => {
    const app = (
      await owner.call('POST', '/apps', { name: 'Linked', type: 'service', scope: 'data:read' })
    ).json();
    for (const homepage of [
      'https://example.com\\path',
      'https://example.com/\u0001',
      'https://example.com/ a',
    ]) {
      const res = await owner.call('PATCH', `/apps/${app.client_id}`, { homepage_url: homepage });
      expect(expectProblem(res, 400, 'invalid_body').field).toBe('homepage_url');
    }
    for (const name of ['Bank\u202eevil', 'Zero\u200bwidth']) {
      const res = await owner.call('POST', '/apps', { name, type: 'service', scope: 'data:read' });
      expect(expectProblem(res, 400, 'invalid_body').field).toBe('name');
    }
  });

  it('answers unknown routes under the prefix with a problem', async () => {
    expectProblem(await owner.call('GET', '/nothing'), 404, 'not_found');
  });
});
