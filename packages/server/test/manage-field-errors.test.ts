/**
 * The management API checks a request whole before refusing it, on both databases: one RFC 9457
 * problem whose `errors` extension member lists `{ field, detail }` for every member at fault (the
 * registration rules, the app type, members of the wrong JSON type, unknown members, a scope only an
 * admin may give), as the OpenAPI document says; nothing is created or changed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API, expectProblem, PortalUser } from './support/portal-user.js';
import { dialects, startTestServer, type TestServer } from './support/server.js';

/** The `errors` of a problem, as `[field, detail]` pairs. */
function errorsOf(body: { errors?: { field: string; detail: string }[] }): [string, string][] {
  expect(Array.isArray(body.errors)).toBe(true);
  return (body.errors ?? []).map((error) => {
    expect(Object.keys(error).sort()).toEqual(['detail', 'field']);
    return [error.field, error.detail];
  });
}

describe.each(dialects())('every refused member in one problem, on %s', (dialect) => {
  let s: TestServer;
  let dev: PortalUser;
  beforeAll(async () => {
    s = await startTestServer(dialect, {
      LATCHKEY_SCOPES: 'data:read data:write manage',
      LATCHKEY_RESTRICTED_SCOPES: 'data:write',
    });
    dev = await PortalUser.signUp(s, 'dev@example.com');
  });
  afterAll(async () => {
    await s?.close();
  });

  it('lists all three bad members of a new app, in one 400 problem, and creates nothing', async () => {
    const before = (await s.ctx.clients.list()).length;
    const body = expectProblem(
      await dev.call('POST', '/apps', {
        name: '',
        type: 'web',
        scope: 'data:read',
        homepage_url: 'http://bad.example/',
        redirect_uris: ['http://evil.example/cb'],
      }),
      400,
      'invalid_body',
    );
    const errors = errorsOf(body);
    expect(errors.map(([field]) => field)).toEqual(['name', 'homepage_url', 'redirect_uris']);
    expect(errors[0]?.[1]).toBe('name must be 1 to 100 characters');
    expect(errors[1]?.[1]).toMatch(/^homepage URL must use https/);
    expect(errors[2]?.[1]).toMatch(/^redirect URI "http:\/\/evil\.example\/cb" must use https/);
    // `field` names the first, `detail` tells them all.
    expect(body.field).toBe('name');
    for (const [, detail] of errors) expect(body.detail).toContain(detail);
    expect((await s.ctx.clients.list()).length).toBe(before);
  });

  it('reads every member before refusing: wrong JSON types, the type and unknown members are all told', async () => {
    const typed = expectProblem(
      await dev.call('POST', '/apps', { name: 7, type: 'robot', scope: ['data:read'], redirect_uris: 'x' }),
      400,
      'invalid_body',
    );
    expect(errorsOf(typed)).toEqual([
      ['name', 'name must be a string'],
      ['scope', 'scope must be a string'],
      ['redirect_uris', 'redirect_uris must be an array of at most 50 strings'],
      ['type', 'type must be one of web, native, service'],
    ]);
    const missing = expectProblem(await dev.call('POST', '/apps', { type: 'service' }), 400, 'invalid_body');
    expect(errorsOf(missing)).toEqual([
      ['name', 'name is required'],
      ['scope', 'scope is required'],
    ]);
    const unknown = expectProblem(
      await dev.call('POST', '/apps', { name: 'X', type: 'service', scope: 'data:read', nme: 1, scopes: 2 }),
      400,
      'invalid_body',
    );
    expect(errorsOf(unknown).map(([field]) => field)).toEqual(['nme', 'scopes']);
  });

  it('a scope only an admin may give is listed with the rest (400), and alone is 403 with one error', async () => {
    const mixed = expectProblem(
      await dev.call('POST', '/apps', { name: '', type: 'service', scope: 'data:read data:write' }),
      400,
      'invalid_body',
    );
    expect(errorsOf(mixed)).toEqual([
      ['scope', 'only an admin may give an app the scope data:write'],
      ['name', 'name must be 1 to 100 characters'],
    ]);
    const alone = expectProblem(
      await dev.call('POST', '/apps', { name: 'W', type: 'service', scope: 'data:write' }),
      403,
      'forbidden',
    );
    expect(errorsOf(alone)).toEqual([['scope', 'only an admin may give an app the scope data:write']]);
  });

  it('lists every bad change of an update, and changes nothing', async () => {
    const app = (
      await dev.call('POST', '/apps', {
        name: 'Kept',
        type: 'web',
        scope: 'data:read',
        redirect_uris: ['https://kept.example/cb'],
      })
    ).json();
    const body = expectProblem(
      await dev.call('PATCH', `/apps/${app.client_id}`, {
        name: 'x'.repeat(101),
        description: 'a\u0000b',
        homepage_url: 'ftp://kept.example/',
        redirect_uris: [],
        scope: 'data:read nope',
      }),
      400,
      'invalid_body',
    );
    expect(errorsOf(body).map(([field]) => field)).toEqual([
      'name',
      'description',
      'homepage_url',
      'scope',
      'redirect_uris',
    ]);
    expect((await dev.call('GET', `/apps/${app.client_id}`)).json()).toMatchObject({
      name: 'Kept',
      description: null,
      homepage_url: null,
      scope: 'data:read',
      redirect_uris: ['https://kept.example/cb'],
    });
  });

  it('lists the one member of a problem about one member in errors too', async () => {
    const app = (
      await dev.call('POST', '/apps', { name: 'Rot', type: 'service', scope: 'data:read' })
    ).json();
    const body = expectProblem(
      await dev.call('POST', `/apps/${app.client_id}/secrets`, { grace_seconds: 60 }),
      400,
      'invalid_body',
    );
    expect(errorsOf(body)).toEqual([['grace_seconds', body.detail]]);
    // A problem about no member has no errors.
    expect(expectProblem(await dev.call('GET', '/apps/lk_nothing'), 404, 'not_found').errors).toBeUndefined();
  });

  it('documents the errors member in the OpenAPI document', async () => {
    const document = (await s.app.inject({ method: 'GET', url: `${API}/openapi.json` })).json();
    const problem = document.components.schemas.Problem;
    expect(problem.properties.errors).toMatchObject({
      type: 'array',
      items: {
        type: 'object',
        required: ['field', 'detail'],
        properties: { field: { type: 'string' }, detail: { type: 'string' } },
      },
    });
  });
});
