/**
 * Apps through the management API (/manage/v1) on both databases: creating one (its secret shown once),
 * rotating secrets with a grace period, changing its details, scopes and restricted scopes (admins
 * only), bodies validated like registration with RFC 9457 problems naming the member at fault, and
 * every change in the audit log.
 */
import { describe, expect, it } from 'vitest';
import { useManageServer } from './support/manage-api.js';
import { API, expectProblem } from './support/portal-user.js';
import { dialects } from './support/server.js';
import { twoLegged } from './support/two-legged.js';

describe.each(dialects())('the management API on %s', (dialect) => {
  const f = useManageServer(dialect);

  it('creates a service app whose secret, shown once, fetches a two-legged token', async () => {
    const created = await f.owner.call('POST', '/apps', {
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
    expect((await twoLegged(f.s, app.client_id, app.client_secret)).statusCode).toBe(200);
    // Never again: not in the app, not in the list of secrets.
    const read = await f.owner.call('GET', `/apps/${app.client_id}`);
    expect(read.body).not.toContain(app.client_secret);
    const secrets = await f.owner.call('GET', `/apps/${app.client_id}/secrets`);
    expect(secrets.json().secrets).toHaveLength(1);
    expect(secrets.body).not.toContain(app.client_secret);
  });

  it('rotates with a grace period: the old secret works until it ends; without one it stops at once', async () => {
    const app = (
      await f.owner.call('POST', '/apps', { name: 'Rotator', type: 'service', scope: 'data:read' })
    ).json();
    const graced = await f.owner.call('POST', `/apps/${app.client_id}/secrets`, { grace_seconds: 3600 });
    expect(graced.statusCode, graced.body).toBe(201);
    const hour = Date.parse(graced.json().previous_secrets_expire_at) - Date.now();
    expect(hour).toBeGreaterThan(3590_000);
    expect(hour).toBeLessThanOrEqual(3600_000);
    expect(graced.json().secrets.map((x: { expires_at: string | null }) => x.expires_at === null)).toEqual([
      true,
      false,
    ]);
    expect((await twoLegged(f.s, app.client_id, app.client_secret)).statusCode).toBe(200);
    expect((await twoLegged(f.s, app.client_id, graced.json().client_secret)).statusCode).toBe(200);
    const hard = await f.owner.call('POST', `/apps/${app.client_id}/secrets`, { grace_seconds: 0 });
    expect(hard.json().previous_secrets_expire_at).toBeNull();
    expect((await twoLegged(f.s, app.client_id, app.client_secret)).statusCode).toBe(401);
    expect((await twoLegged(f.s, app.client_id, graced.json().client_secret)).statusCode).toBe(401);
    expect((await twoLegged(f.s, app.client_id, hard.json().client_secret)).statusCode).toBe(200);
    expectProblem(
      await f.owner.call('POST', `/apps/${app.client_id}/secrets`, { grace_seconds: 60 }),
      400,
      'invalid_body',
    );
  });

  it('keeps restricted scopes for admins, who see and manage every app', async () => {
    const refused = expectProblem(
      await f.owner.call('POST', '/apps', { name: 'Writer', type: 'service', scope: 'data:read data:write' }),
      403,
      'forbidden',
    );
    expect(refused).toMatchObject({ field: 'scope' });
    const app = (
      await f.owner.call('POST', '/apps', { name: 'Reader', type: 'service', scope: 'data:read' })
    ).json();
    expectProblem(
      await f.owner.call('PATCH', `/apps/${app.client_id}`, { scope: 'data:write' }),
      403,
      'forbidden',
    );
    const widened = await f.admin.call('PATCH', `/apps/${app.client_id}`, { scope: 'data:read data:write' });
    expect(widened.json()).toMatchObject({
      scope: 'data:read data:write',
      role: 'admin',
      owner: 'owner@example.com',
    });
    const names = (await f.admin.call('GET', '/apps')).json().apps.map((a: { name: string }) => a.name);
    expect(names).toEqual(expect.arrayContaining(['Reports', 'Reader']));
  });

  it('validates bodies like registration, naming the member at fault', async () => {
    expectProblem(await f.owner.call('POST', '/apps', 'not an object'), 400, 'invalid_body');
    expectProblem(
      await f.owner.call('POST', '/apps', { name: 'X', type: 'web', scope: 'data:read', extra: 1 }),
      400,
      'invalid_body',
    );
    expect(
      expectProblem(
        await f.owner.call('POST', '/apps', { name: 'X', type: 'robot', scope: 'data:read' }),
        400,
        'invalid_body',
      ).field,
    ).toBe('type');
    expect(
      expectProblem(
        await f.owner.call('POST', '/apps', { name: 7, type: 'web', scope: 'data:read' }),
        400,
        'invalid_body',
      ).field,
    ).toBe('name');
    const badUri = expectProblem(
      await f.owner.call('POST', '/apps', {
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
      await f.owner.call('POST', '/apps', { name: 'X', type: 'web', scope: 'nope' }),
      400,
      'invalid_body',
    );
    const raw = await f.owner.call('POST', '/apps', undefined, { 'content-type': 'application/json' });
    expectProblem(raw, 400, 'invalid_body');
  });

  it('keeps a description and homepage URL, changed by the owner only, validated like registration', async () => {
    const created = await f.owner.call('POST', '/apps', {
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
      await f.owner.call('POST', '/apps', { name: 'Bare', type: 'service', scope: 'data:read' })
    ).json();
    expect(bare).toMatchObject({ description: null, homepage_url: null });

    const changed = await f.owner.call('PATCH', `/apps/${app.client_id}`, {
      description: 'Prints and frames your photos.',
      homepage_url: 'http://localhost:8080/',
    });
    expect(changed.json()).toMatchObject({
      description: 'Prints and frames your photos.',
      homepage_url: 'http://localhost:8080/',
      name: 'Profiled',
    });
    expect((await f.owner.call('GET', `/apps/${app.client_id}`)).json()).toMatchObject({
      description: 'Prints and frames your photos.',
      homepage_url: 'http://localhost:8080/',
    });
    // A blank value removes it.
    const cleared = await f.owner.call('PATCH', `/apps/${app.client_id}`, {
      description: '',
      homepage_url: ' ',
    });
    expect(cleared.json()).toMatchObject({ description: null, homepage_url: null });
    expect((await f.owner.call('GET', `/apps/${app.client_id}`)).json()).toMatchObject({
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
        f.owner.call('PATCH', `/apps/${app.client_id}`, body),
        f.owner.call('POST', '/apps', { name: 'X', type: 'service', scope: 'data:read', ...body }),
      ]) {
        const refused = expectProblem(await attempt, 400, 'invalid_body');
        expect(refused.field).toBe(field);
        expect(refused.detail).toContain(words);
      }
    }
    expect(
      expectProblem(
        await f.owner.call('POST', '/apps', { name: 'X', type: 'web', scope: 'data:read' }),
        400,
        'invalid_body',
      ).field,
    ).toBe('redirect_uris');

    // A collaborator may not change them: they are the app's details.
    await f.owner.call('POST', `/apps/${app.client_id}/collaborators`, { email: 'helper@example.com' });
    expectProblem(
      await f.helper.call('PATCH', `/apps/${app.client_id}`, { description: 'Mine' }),
      403,
      'forbidden',
    );
    expectProblem(
      await f.helper.call('PATCH', `/apps/${app.client_id}`, { homepage_url: 'https://evil.example/' }),
      403,
      'forbidden',
    );
    expect((await f.owner.call('GET', `/apps/${app.client_id}`)).json().homepage_url).toBeNull();
  });

  it('lets an owner keep a restricted scope an admin gave the app while changing the others', async () => {
    const app = (
      await f.owner.call('POST', '/apps', { name: 'Granted', type: 'service', scope: 'data:read' })
    ).json();
    await f.admin.call('PATCH', `/apps/${app.client_id}`, { scope: 'data:read data:write' });
    const kept = await f.owner.call('PATCH', `/apps/${app.client_id}`, { scope: 'data:write' });
    expect(kept.statusCode, kept.body).toBe(200);
    expect(kept.json().scope).toBe('data:write');
    const restored = await f.owner.call('PATCH', `/apps/${app.client_id}`, { scope: 'data:read data:write' });
    expect(restored.json().scope).toBe('data:read data:write');
    await f.owner.call('PATCH', `/apps/${app.client_id}`, { scope: 'data:read' });
    // Once dropped, only an admin gives it back.
    expectProblem(
      await f.owner.call('PATCH', `/apps/${app.client_id}`, { scope: 'data:read data:write' }),
      403,
      'forbidden',
    );
  });

  it('records every change in the audit log, with the user as actor and never a secret', async () => {
    const app = (
      await f.owner.call('POST', '/apps', { name: 'Audited', type: 'service', scope: 'data:read' })
    ).json();
    const rotated = (
      await f.owner.call('POST', `/apps/${app.client_id}/secrets`, { grace_seconds: 0 })
    ).json();
    await f.owner.call('PATCH', `/apps/${app.client_id}`, { name: 'Audited 2' });
    await f.owner.call('POST', `/apps/${app.client_id}/collaborators`, { email: 'helper@example.com' });
    await f.owner.call('DELETE', `/apps/${app.client_id}/collaborators/${f.helper.id}`);
    await f.owner.call('DELETE', `/apps/${app.client_id}`);
    const events = await f.s.ctx.db
      .selectFrom('audit_events')
      .selectAll()
      .where('client_id', '=', app.client_id)
      .orderBy('id')
      .execute();
    expect(events.map((e) => [e.type, e.actor])).toEqual([
      ['app.created', f.owner.id],
      ['app.secret_rotated', f.owner.id],
      ['app.updated', f.owner.id],
      ['app.collaborator_added', f.owner.id],
      ['app.collaborator_removed', f.owner.id],
      ['app.deleted', f.owner.id],
    ]);
    const dump = JSON.stringify(events);
    expect(dump).not.toContain(app.client_secret);
    expect(dump).not.toContain(rotated.client_secret);
  });

  it('refuses a homepage URL or name a page could not show as typed', async () => {
    const app = (
      await f.owner.call('POST', '/apps', { name: 'Linked', type: 'service', scope: 'data:read' })
    ).json();
    for (const homepage of [
      'https://example.com\\path',
      'https://example.com/\u0001',
      'https://example.com/ a',
    ]) {
      const res = await f.owner.call('PATCH', `/apps/${app.client_id}`, { homepage_url: homepage });
      expect(expectProblem(res, 400, 'invalid_body').field).toBe('homepage_url');
    }
    for (const name of ['Bank\u202eevil', 'Zero\u200bwidth']) {
      const res = await f.owner.call('POST', '/apps', { name, type: 'service', scope: 'data:read' });
      expect(expectProblem(res, 400, 'invalid_body').field).toBe('name');
    }
  });
});
