/**
 * Creating apps in the developer portal (app.inject): My apps (empty, then listing what one owns, and
 * every app for an admin), the Create app form and its scope catalogue, the page after creation (the
 * secret shown once, in the answer only, with a curl or an authorize URL that works), and each refusal
 * shown beside its field with what was typed kept.
 */
import { describe, expect, it } from 'vitest';
import { APP_TYPES } from '../src/oauth/app-types.js';
import {
  clientIdOf,
  createThroughForm,
  expectPortalPage,
  fieldErrorOf,
  markedInvalid,
  textOf,
  usePortal,
} from './support/portal-pages.js';
import { twoLegged } from './support/two-legged.js';

describe('the developer portal pages', () => {
  const f = usePortal();

  it('shows an empty My apps with the navigation, and links it from Connected apps', async () => {
    const res = await f.stranger.get('/portal');
    expect(res.statusCode).toBe(200);
    expectPortalPage(res, false);
    expect(res.body).toContain('<h1>My apps</h1>');
    expect(res.body).toContain('No apps yet');
    expect(res.body).toContain('href="/portal/apps/new"');
    expect(res.body).toMatch(
      /<nav class="site-nav"[^>]*><a href="\/portal" aria-current="page">My apps<\/a><a href="\/account\/apps">Connected apps<\/a><\/nav>/,
    );
    const connected = await f.stranger.get('/account/apps');
    expect(connected.body).toMatch(
      /<a href="\/portal">My apps<\/a><a href="\/account\/apps" aria-current="page">Connected apps<\/a>/,
    );
  });

  it('offers the Create app form with the labels, types and scope catalogue', async () => {
    const res = await f.owner.get('/portal/apps/new');
    expect(res.statusCode).toBe(200);
    expectPortalPage(res, false);
    const labels = [...res.body.matchAll(/<label for="([\w-]+)">([^<]*)/g)].map((m) => [m[1], m[2]?.trim()]);
    expect(labels).toEqual(
      expect.arrayContaining([
        ['name', 'Name'],
        ['description', 'Description'],
        ['homepage-url', 'Homepage URL'],
        ['redirect-uris', 'Redirect URIs'],
        ...Object.entries(APP_TYPES).map(([name, type]) => [`type-${name}`, type.label]),
        ['scope-0', 'Read your projects'],
      ]),
    );
    expect(res.body).toMatch(/<textarea[^>]*id="redirect-uris"/);
    expect(res.body).toContain('<legend>App type</legend>');
    expect(res.body).toContain('<legend>Scopes</legend>');
    expect(res.body.match(/type="radio" id="type-\w+" name="type"/g)).toHaveLength(3);
    // data:write is restricted: marked for admins; manage is not.
    expect(res.body).toMatch(
      /<label for="scope-1">Create, change and delete your projects <span class="badge badge-muted">Admins only<\/span>/,
    );
    expect(res.body).toMatch(/<label for="scope-2">[^<]*<\/label>/);
  });

  it('creates a service app: the secret once, in the answer only, with a curl that works', async () => {
    const res = await createThroughForm(f.owner, {
      name: 'Reports',
      'scope.manage': 'on',
      description: 'Nightly reports',
      homepage_url: 'https://reports.example/',
    });
    expect(res.statusCode, res.body).toBe(201);
    expectPortalPage(res, true);
    expect(res.headers['location']).toBeUndefined();
    expect(res.headers['set-cookie']).toBeUndefined();
    const clientId = clientIdOf(res.body);
    const secret = textOf(res.body, 'client-secret') as string;
    expect(clientId).toMatch(/^lk_/);
    expect(secret).toMatch(/^[\w-]{43}$/);
    expect(res.body).toContain('it will not be shown again');
    expect(res.body).toMatch(/data-copy="client secret"/);
    // The curl, as pasted into a shell: the token endpoint, Basic credentials, the grant and scope.
    const curl = textOf(res.body, 'curl') as string;
    expect(curl).toBe(
      [
        'curl http://localhost:4000/oauth/token \\',
        `  -u ${clientId}:${secret} \\`,
        '  -d grant_type=client_credentials \\',
        "  --data-urlencode 'scope=data:read manage'",
      ].join('\n'),
    );
    const token = await twoLegged(f.s, clientId, secret);
    expect(token.statusCode).toBe(200);
    expect(token.json().scope).toBe('data:read manage');
    const stored = await f.s.ctx.clients.find(clientId);
    expect(stored).toMatchObject({
      name: 'Reports',
      description: 'Nightly reports',
      homepageUrl: 'https://reports.example/',
      grantTypes: ['client_credentials'],
    });
    // Never again: not on the app page, not on My apps.
    const page = await f.owner.get(`/portal/apps/${clientId}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).not.toContain(secret);
    const list = await f.owner.get('/portal');
    expect(list.body).toContain('Reports');
    expect(list.body).toContain(`href="/portal/apps/${clientId}"`);
    expect(list.body).toMatch(/<span class="badge">Owner<\/span>/);
    expect(list.body).not.toContain(secret);
  });

  it('creates web and native apps: the authorize URL shape, and no secret for a native app', async () => {
    const web = await createThroughForm(f.owner, {
      name: 'Printer',
      type: 'web',
      redirect_uris: 'https://printer.example/cb\r\n\r\nhttps://printer.example/cb2\n',
    });
    expect(web.statusCode, web.body).toBe(201);
    const webId = clientIdOf(web.body);
    expect(textOf(web.body, 'client-secret')).toMatch(/^[\w-]{43}$/);
    expect(textOf(web.body, 'authorize-url')).toBe(
      `http://localhost:4000/oauth/authorize?response_type=code&client_id=${webId}&redirect_uri=https%3A%2F%2Fprinter.example%2Fcb&scope=data%3Aread&state=RANDOM_STATE&code_challenge=BASE64URL_SHA256_OF_VERIFIER&code_challenge_method=S256`,
    );
    expect(web.body).not.toContain('id="curl"');
    expect((await f.s.ctx.clients.find(webId))?.redirectUris).toEqual([
      'https://printer.example/cb',
      'https://printer.example/cb2',
    ]);
    const native = await createThroughForm(f.owner, {
      name: 'Phone',
      type: 'native',
      redirect_uris: 'com.example.phone:/cb',
    });
    expect(native.statusCode, native.body).toBe(201);
    expect(native.body).not.toContain('id="client-secret"');
    expect(native.body).not.toContain('will not be shown again');
    expect(native.body).toContain('It has no secret');
    expect((await f.s.ctx.clients.find(clientIdOf(native.body)))?.isPublic).toBe(true);
  });

  it('shows each refusal beside its field, keeping everything typed', async () => {
    const typed = {
      name: 'Kept <name>',
      description: 'Kept "description"',
      homepage_url: 'https://kept.example/',
      redirect_uris: 'https://kept.example/cb',
      type: 'web',
      'scope.data:read': 'on',
      'scope.manage': 'on',
    };
    const cases: [Record<string, string>, string, RegExp, number][] = [
      [{ name: '' }, 'name', /name must be 1 to 100 characters/i, 400],
      [{ homepage_url: 'http://kept.example/' }, 'homepage-url', /https/, 400],
      [{ description: 'x'.repeat(501) }, 'description', /500/, 400],
      [{ redirect_uris: 'http://kept.example/cb' }, 'redirect-uris', /https/, 400],
      [{ redirect_uris: '' }, 'redirect-uris', /at least one redirect URI/, 400],
      [{ type: 'service' }, 'redirect-uris', /no redirect URIs/, 400],
      [
        { redirect_uris: Array.from({ length: 51 }, (_, i) => `https://kept.example/${i}`).join('\n') },
        'redirect-uris',
        /at most 50 redirect URIs/,
        400,
      ],
      [{ type: 'robot' }, 'type', /Choose one of the app types/, 400],
      [{ 'scope.data:read': '', 'scope.manage': '' }, 'scope', /at least one scope/, 400],
      [{ 'scope.data:write': 'on' }, 'scope', /only an admin may give an app the scope data:write/i, 403],
    ];
    const before = (await f.s.ctx.clients.list()).length;
    for (const [change, field, message, status] of cases) {
      const form = Object.fromEntries(Object.entries({ ...typed, ...change }).filter(([, v]) => v !== ''));
      const res = await f.owner.post('/portal/apps/new', form);
      expect(res.statusCode, field).toBe(status);
      expectPortalPage(res, false);
      expect(fieldErrorOf(res.body, field), field).toMatch(message);
      if (field !== 'type' && field !== 'scope') expect(markedInvalid(res.body, field), field).toBe(true);
      // The summary at the top links to the field.
      expect(res.body).toMatch(/<div class="alert" role="alert" id="form-error">/);
      // What was typed is kept, escaped.
      if (!('name' in change)) expect(res.body).toContain('value="Kept &lt;name&gt;"');
      if (!('description' in change))
        expect(textOf(res.body, 'description')?.trim()).toBe('Kept "description"');
      if (!('redirect_uris' in change))
        expect(textOf(res.body, 'redirect-uris')?.trim()).toBe(typed.redirect_uris);
      if (!('type' in change)) expect(res.body).toMatch(/id="type-web" name="type" value="web" checked/);
      if (!('scope.data:read' in change))
        expect(res.body).toMatch(/name="scope.data:read" value="on" checked/);
      if (!('scope.data:write' in change))
        expect(res.body).toMatch(/name="scope.data:write" value="on"(?! checked)/);
    }
    expect((await f.s.ctx.clients.list()).length).toBe(before);
    // An admin may give the restricted scope.
    const byAdmin = await createThroughForm(f.admin, { name: 'Writer', 'scope.data:write': 'on' });
    expect(byAdmin.statusCode).toBe(201);
  });

  it('shows an admin every app with the Admin role, and lets them manage it', async () => {
    const list = await f.admin.get('/portal');
    expect(list.body).toContain('Reports');
    expect(list.body).toMatch(/Admin<\/span>/);
    const reports = (await f.s.ctx.clients.list()).find((app) => app.name === 'Reports');
    const page = await f.admin.get(`/portal/apps/${reports?.id}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('id="name"');
    expect(page.body).toContain('Delete app');
    expect(page.body).toContain('owner@example.com');
  });
});
