/**
 * The developer portal's pages in-process (app.inject): My apps, Create app, the page after creation
 * (the secret shown once, in the answer only), the app page and its forms (Settings, Rotate secret,
 * Collaborators), Delete app; errors beside their fields with what was typed kept; the anti-CSRF check
 * on every form; and the 404 rule for a stranger on every portal action.
 */
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP_TYPES } from '../src/oauth/app-types.js';
import { signedInBrowser, tokenRequest } from './support/attacks.js';
import { csrfOf, InjectBrowser } from './support/browser.js';
import { startTestServer, type TestServer } from './support/server.js';

const PASSWORD = 'a long enough password';

/** A signed-in browser of the portal. */
interface Developer {
  id: string;
  email: string;
  browser: InjectBrowser;
  /** Posts a portal form with this browser's anti-CSRF value. */
  post(url: string, form?: Record<string, string>): Promise<LightMyRequestResponse>;
  get(url: string): Promise<LightMyRequestResponse>;
}

async function developer(s: TestServer, email: string, admin = false): Promise<Developer> {
  const user = await s.ctx.users.create(email, PASSWORD, { admin });
  const browser = await signedInBrowser(s, new InjectBrowser(s.app), user.id);
  const csrf = csrfOf((await browser.get('/portal')).body);
  return {
    id: user.id,
    email: user.email,
    browser,
    post: (url, form = {}) => browser.post(url, { csrf, ...form }),
    get: (url) => browser.get(url),
  };
}

/** The text of an element with this id (tags stripped, entities of the html template undone). */
function textOf(body: string, id: string): string | undefined {
  const match = new RegExp(`id="${id}"[^>]*>([\\s\\S]*?)</(?:code|pre|p|textarea|h1)>`).exec(body);
  return match?.[1]
    ?.replace(/<[^>]+>/g, '')
    .replaceAll('&#39;', "'")
    .replaceAll('&quot;', '"')
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&amp;', '&');
}

/** The error shown beside field `id`, and that its control points at it and is marked invalid. */
function fieldErrorOf(body: string, id: string): string | undefined {
  const error = /<p class="field-error" id="([\w-]+)-error">([\s\S]*?)<\/p>/g;
  for (const match of body.matchAll(error)) {
    if (match[1] !== id) continue;
    return (match[2] as string)
      .replace(/<[^>]+>/g, '')
      .replace('Error:', '')
      .trim();
  }
  return undefined;
}

/** Whether the control `id` is marked invalid and described by its error. */
function markedInvalid(body: string, id: string): boolean {
  const control = new RegExp(`<(?:input|textarea|select)[^>]*\\bid="${id}"[^>]*>`).exec(body)?.[0] ?? '';
  return control.includes('aria-invalid="true"') && control.includes(`${id}-error`);
}

/** The CSP of a response, and that its one script (if any) carries the nonce the CSP allows. */
function expectPortalPage(res: LightMyRequestResponse, script: boolean) {
  expect(res.headers['content-type']).toMatch(/^text\/html/);
  expect(res.headers['cache-control']).toBe('no-store');
  expect(res.headers['x-frame-options']).toBe('DENY');
  const csp = String(res.headers['content-security-policy']);
  const nonce = /style-src 'nonce-([^']+)'/.exec(csp)?.[1];
  expect(nonce).toBeTruthy();
  const scripts = [...res.body.matchAll(/<script\b([^>]*)>/g)].map((m) => m[1]);
  if (script) {
    expect(csp).toContain(`script-src 'nonce-${nonce}'`);
    expect(scripts).toEqual([` nonce="${nonce}"`]);
  } else {
    expect(csp).not.toContain('script-src');
    expect(scripts).toEqual([]);
  }
}

const basicOf = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
const twoLegged = (s: TestServer, id: string, secret: string) =>
  tokenRequest(s.app, basicOf(id, secret), { grant_type: 'client_credentials' });

/** The app ID a created page shows. */
const clientIdOf = (body: string) => textOf(body, 'client-id') as string;

describe('the developer portal pages', () => {
  let s: TestServer;
  let owner: Developer;
  let helper: Developer;
  let stranger: Developer;
  let admin: Developer;
  beforeAll(async () => {
    s = await startTestServer('sqlite', {
      LATCHKEY_SCOPES: 'data:read data:write manage',
      LATCHKEY_RESTRICTED_SCOPES: 'data:write',
      LATCHKEY_SCOPE_DESCRIPTIONS: JSON.stringify({ 'data:read': 'Read your projects' }),
    });
    owner = await developer(s, 'owner@example.com');
    helper = await developer(s, 'helper@example.com');
    stranger = await developer(s, 'stranger@example.com');
    admin = await developer(s, 'root@example.com', true);
  });
  afterAll(async () => {
    await s?.close();
  });

  /** Creates an app through the form; returns the created page. */
  async function createThroughForm(who: Developer, form: Record<string, string>) {
    return who.post('/portal/apps/new', { type: 'service', 'scope.data:read': 'on', ...form });
  }

  it('sends a signed-out browser to sign in, and back', async () => {
    const anonymous = new InjectBrowser(s.app);
    for (const path of ['/portal', '/portal/apps/new', '/portal/apps/lk_x', '/portal/apps/lk_x/delete']) {
      const res = await anonymous.get(path);
      expect(res.statusCode, path).toBe(303);
      expect(res.headers['location']).toBe(`/login?${new URLSearchParams({ return_to: path })}`);
    }
  });

  it('refuses a non-ASCII anti-CSRF value of the right length as a wrong one (403 page), never a 500', async () => {
    const res = await owner.browser.post('/portal/apps/new', {
      csrf: `${'a'.repeat(42)}\u00e9`,
      name: 'X',
      type: 'service',
    });
    expect(res.statusCode).toBe(403);
  });

  it('refuses a form from a signed-out browser, and any form without its anti-CSRF value', async () => {
    const anonymous = new InjectBrowser(s.app);
    const csrf = csrfOf((await anonymous.get('/login')).body);
    const signedOut = await anonymous.post('/portal/apps/new', { csrf, name: 'X', type: 'service' });
    expect(signedOut.statusCode).toBe(403);
    expect(signedOut.body).toContain('signed_out');
    const before = (await s.ctx.clients.list()).length;
    const forged = await owner.browser.post('/portal/apps/new', {
      csrf: 'forged',
      name: 'Forged',
      type: 'service',
      'scope.data:read': 'on',
    });
    expect(forged.statusCode).toBe(403);
    expect(forged.body).toContain('form_expired');
    const foreign = await owner.browser.post(
      '/portal/apps/new',
      { csrf: csrfOf((await owner.get('/portal')).body), name: 'Foreign', type: 'service' },
      { origin: 'https://evil.example' },
    );
    expect(foreign.statusCode).toBe(403);
    expect((await s.ctx.clients.list()).length).toBe(before);
  });

  it('shows an empty My apps with the navigation, and links it from Connected apps', async () => {
    const res = await stranger.get('/portal');
    expect(res.statusCode).toBe(200);
    expectPortalPage(res, false);
    expect(res.body).toContain('<h1>My apps</h1>');
    expect(res.body).toContain('No apps yet');
    expect(res.body).toContain('href="/portal/apps/new"');
    expect(res.body).toMatch(
      /<nav class="site-nav"[^>]*><a href="\/portal" aria-current="page">My apps<\/a><a href="\/account\/apps">Connected apps<\/a><\/nav>/,
    );
    const connected = await stranger.get('/account/apps');
    expect(connected.body).toMatch(
      /<a href="\/portal">My apps<\/a><a href="\/account\/apps" aria-current="page">Connected apps<\/a>/,
    );
  });

  it('offers the Create app form with the labels, types and scope catalogue', async () => {
    const res = await owner.get('/portal/apps/new');
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
    const res = await createThroughForm(owner, {
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
    const token = await twoLegged(s, clientId, secret);
    expect(token.statusCode).toBe(200);
    expect(token.json().scope).toBe('data:read manage');
    const stored = await s.ctx.clients.find(clientId);
    expect(stored).toMatchObject({
      name: 'Reports',
      description: 'Nightly reports',
      homepageUrl: 'https://reports.example/',
      grantTypes: ['client_credentials'],
    });
    // Never again: not on the app page, not on My apps.
    const page = await owner.get(`/portal/apps/${clientId}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).not.toContain(secret);
    const list = await owner.get('/portal');
    expect(list.body).toContain('Reports');
    expect(list.body).toContain(`href="/portal/apps/${clientId}"`);
    expect(list.body).toMatch(/<span class="badge">Owner<\/span>/);
    expect(list.body).not.toContain(secret);
  });

  it('creates web and native apps: the authorize URL shape, and no secret for a native app', async () => {
    const web = await createThroughForm(owner, {
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
    expect((await s.ctx.clients.find(webId))?.redirectUris).toEqual([
      'https://printer.example/cb',
      'https://printer.example/cb2',
    ]);
    const native = await createThroughForm(owner, {
      name: 'Phone',
      type: 'native',
      redirect_uris: 'com.example.phone:/cb',
    });
    expect(native.statusCode, native.body).toBe(201);
    expect(native.body).not.toContain('id="client-secret"');
    expect(native.body).not.toContain('will not be shown again');
    expect(native.body).toContain('It has no secret');
    expect((await s.ctx.clients.find(clientIdOf(native.body)))?.isPublic).toBe(true);
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
    const before = (await s.ctx.clients.list()).length;
    for (const [change, field, message, status] of cases) {
      const form = Object.fromEntries(Object.entries({ ...typed, ...change }).filter(([, v]) => v !== ''));
      const res = await owner.post('/portal/apps/new', form);
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
    expect((await s.ctx.clients.list()).length).toBe(before);
    // An admin may give the restricted scope.
    const byAdmin = await createThroughForm(admin, { name: 'Writer', 'scope.data:write': 'on' });
    expect(byAdmin.statusCode).toBe(201);
  });

  it('saves the Settings of the owner, and shows refusals beside their fields', async () => {
    const created = await createThroughForm(owner, {
      name: 'Editable',
      type: 'web',
      redirect_uris: 'https://edit.example/cb',
    });
    const id = clientIdOf(created.body);
    const page = await owner.get(`/portal/apps/${id}`);
    expectPortalPage(page, true);
    expect(page.body).toMatch(/<h1>Editable <span class="badge">Owner<\/span><\/h1>/);
    expect(page.body).toContain('value="Editable"');
    const saved = await owner.post(`/portal/apps/${id}`, {
      name: 'Edited',
      description: 'Now with a description',
      homepage_url: 'https://edit.example/',
      redirect_uris: 'https://edit.example/cb\nhttps://edit.example/cb2',
      'scope.data:read': 'on',
      'scope.manage': 'on',
    });
    expect(saved.statusCode).toBe(303);
    expect(saved.headers['location']).toBe(`/portal/apps/${id}?saved=1`);
    expect(await s.ctx.clients.find(id)).toMatchObject({
      name: 'Edited',
      description: 'Now with a description',
      homepageUrl: 'https://edit.example/',
      redirectUris: ['https://edit.example/cb', 'https://edit.example/cb2'],
      scopes: ['data:read', 'manage'],
    });
    const after = await owner.get(`/portal/apps/${id}?saved=1`);
    expect(after.body).toContain('Changes saved.');
    expect(textOf(after.body, 'description')?.trim()).toBe('Now with a description');

    const refused = await owner.post(`/portal/apps/${id}`, {
      name: 'Not saved',
      homepage_url: 'ftp://edit.example/',
      redirect_uris: 'https://edit.example/cb',
      'scope.data:read': 'on',
    });
    expect(refused.statusCode).toBe(400);
    expect(fieldErrorOf(refused.body, 'homepage-url')).toMatch(/https/);
    expect(markedInvalid(refused.body, 'homepage-url')).toBe(true);
    expect(refused.body).toContain('value="Not saved"');
    expect(refused.body).toContain('value="ftp://edit.example/"');
    expect((await s.ctx.clients.find(id))?.name).toBe('Edited');
    // Clearing the description and homepage removes them.
    await owner.post(`/portal/apps/${id}`, {
      name: 'Edited',
      redirect_uris: 'https://edit.example/cb',
      'scope.data:read': 'on',
    });
    const cleared = await s.ctx.clients.find(id);
    expect(cleared?.description).toBeUndefined();
    expect(cleared?.homepageUrl).toBeUndefined();
  });

  it('rotates with a grace period: the new secret once, the old one working until the time shown', async () => {
    const created = await createThroughForm(owner, { name: 'Rotating' });
    const id = clientIdOf(created.body);
    const first = textOf(created.body, 'client-secret') as string;
    const rotated = await owner.post(`/portal/apps/${id}/secrets`, { grace_seconds: '3600' });
    expect(rotated.statusCode, rotated.body).toBe(200);
    expectPortalPage(rotated, true);
    const second = textOf(rotated.body, 'client-secret') as string;
    expect(second).toMatch(/^[\w-]{43}$/);
    expect(second).not.toBe(first);
    expect(rotated.body).toContain('keeps working for 1 hour');
    const until = /<time datetime="([^"]+)">/.exec(
      rotated.body.slice(rotated.body.indexOf('keeps working')),
    )?.[1];
    expect(Date.parse(until as string) - Date.now()).toBeGreaterThan(3590_000);
    expect((await twoLegged(s, id, first)).statusCode).toBe(200);
    expect((await twoLegged(s, id, second)).statusCode).toBe(200);
    const page = await owner.get(`/portal/apps/${id}`);
    expect(page.body).not.toContain(second);
    expect(page.body).toContain('Current secret');
    expect(page.body).toContain('Previous secret');
    expect(page.body.match(/<option value="(\d+)"/g)).toEqual([
      '<option value="0"',
      '<option value="3600"',
      '<option value="86400"',
      '<option value="604800"',
    ]);
    const none = await owner.post(`/portal/apps/${id}/secrets`, { grace_seconds: '0' });
    expect(none.body).toContain('stopped working at once');
    const third = textOf(none.body, 'client-secret') as string;
    expect((await twoLegged(s, id, first)).statusCode).toBe(401);
    expect((await twoLegged(s, id, second)).statusCode).toBe(401);
    expect((await twoLegged(s, id, third)).statusCode).toBe(200);
    const odd = await owner.post(`/portal/apps/${id}/secrets`, { grace_seconds: '60' });
    expect(odd.statusCode).toBe(400);
    expect(fieldErrorOf(odd.body, 'grace-seconds')).toBe('Choose one of the grace periods in the list.');
    expect(markedInvalid(odd.body, 'grace-seconds')).toBe(true);
    expect((await twoLegged(s, id, third)).statusCode).toBe(200);
  });

  it('lets the owner add and remove collaborators, who see the app and may change only redirect URIs', async () => {
    const created = await createThroughForm(owner, {
      name: 'Shared',
      type: 'web',
      redirect_uris: 'https://shared.example/cb',
    });
    const id = clientIdOf(created.body);
    const unknown = await owner.post(`/portal/apps/${id}/collaborators`, { email: 'nobody@example.com' });
    expect(unknown.statusCode).toBe(400);
    expect(fieldErrorOf(unknown.body, 'email')).toMatch(/must sign up first/);
    expect(unknown.body).toContain('value="nobody@example.com"');
    expect(markedInvalid(unknown.body, 'email')).toBe(true);
    const empty = await owner.post(`/portal/apps/${id}/collaborators`, {});
    expect(fieldErrorOf(empty.body, 'email')).toBe('Enter the email of the person to add.');

    const added = await owner.post(`/portal/apps/${id}/collaborators`, { email: 'Helper@Example.com' });
    expect(added.statusCode).toBe(303);
    expect(added.headers['location']).toBe(`/portal/apps/${id}?added=1#collaborators`);
    const again = await owner.post(`/portal/apps/${id}/collaborators`, { email: 'helper@example.com' });
    expect(again.headers['location']).toBe(`/portal/apps/${id}?already=1#collaborators`);
    const ownerPage = await owner.get(`/portal/apps/${id}?added=1`);
    expect(ownerPage.body).toContain('Collaborator added.');
    expect(ownerPage.body).toContain('helper@example.com');
    expect(ownerPage.body).toContain(`/portal/apps/${id}/collaborators/${helper.id}/remove`);

    const list = await helper.get('/portal');
    expect(list.body).toContain('Shared');
    expect(list.body).toMatch(/<span class="badge badge-muted">Collaborator<\/span>/);
    const helperPage = await helper.get(`/portal/apps/${id}`);
    expect(helperPage.statusCode).toBe(200);
    expect(helperPage.body).not.toContain('id="name"');
    expect(helperPage.body).toContain('id="redirect-uris"');
    expect(helperPage.body).not.toContain('Delete app');
    expect(helperPage.body).not.toContain('Add a collaborator');
    expect(helperPage.body).not.toContain('/remove"');
    // A collaborator's form changes the redirect URIs; a name sent along is not theirs to change.
    const moved = await helper.post(`/portal/apps/${id}`, {
      name: 'Renamed by helper',
      redirect_uris: 'https://shared.example/cb2',
    });
    expect(moved.statusCode).toBe(303);
    expect(await s.ctx.clients.find(id)).toMatchObject({
      name: 'Shared',
      redirectUris: ['https://shared.example/cb2'],
    });
    // What a collaborator may not do is a 403 page.
    for (const [method, path, form] of [
      ['GET', `/portal/apps/${id}/delete`, {}],
      ['POST', `/portal/apps/${id}/delete`, { confirm_name: 'Shared' }],
      ['POST', `/portal/apps/${id}/collaborators`, { email: 'stranger@example.com' }],
      ['POST', `/portal/apps/${id}/collaborators/${helper.id}/remove`, {}],
    ] as const) {
      const res = method === 'GET' ? await helper.get(path) : await helper.post(path, form);
      expect(res.statusCode, path).toBe(403);
      expect(res.body).toContain('Not allowed for collaborators');
    }
    expect(await s.ctx.clients.find(id)).toBeTruthy();

    const removed = await owner.post(`/portal/apps/${id}/collaborators/${helper.id}/remove`);
    expect(removed.headers['location']).toBe(`/portal/apps/${id}?removed=1#collaborators`);
    expect((await helper.get(`/portal/apps/${id}`)).statusCode).toBe(404);
    // Removing them again (a stale page) changes nothing.
    expect((await owner.post(`/portal/apps/${id}/collaborators/${helper.id}/remove`)).statusCode).toBe(303);
  });

  it('renders an app whose stored homepage a link may not carry (a backslash) as text, so its page still opens', async () => {
    const res = await createThroughForm(owner, { name: 'Old homepage' });
    const clientId = clientIdOf(res.body);
    await s.ctx.db
      .updateTable('clients')
      .set({ homepage_url: 'https://example.com\\path' })
      .where('id', '=', clientId)
      .execute();
    const page = await owner.get(`/portal/apps/${clientId}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).not.toContain('href="https://example.com\\path"');
  });

  it('deletes an app only when its name is typed on the confirmation page', async () => {
    const created = await createThroughForm(owner, { name: 'Doomed' });
    const id = clientIdOf(created.body);
    const secret = textOf(created.body, 'client-secret') as string;
    const confirm = await owner.get(`/portal/apps/${id}/delete`);
    expect(confirm.statusCode).toBe(200);
    expectPortalPage(confirm, false);
    expect(confirm.body).toContain('<h1>Delete Doomed?</h1>');
    expect(confirm.body).toMatch(
      /<label for="confirm-name">Type the app’s name, Doomed, to confirm<\/label>/,
    );
    const wrong = await owner.post(`/portal/apps/${id}/delete`, { confirm_name: 'doomed' });
    expect(wrong.statusCode).toBe(400);
    expect(fieldErrorOf(wrong.body, 'confirm-name')).toMatch(/Type Doomed exactly/);
    expect(wrong.body).toContain('value="doomed"');
    expect(await s.ctx.clients.find(id)).toBeTruthy();
    const done = await owner.post(`/portal/apps/${id}/delete`, { confirm_name: 'Doomed' });
    expect(done.statusCode).toBe(303);
    expect(done.headers['location']).toBe('/portal?deleted=1');
    expect(await s.ctx.clients.find(id)).toBeUndefined();
    expect((await twoLegged(s, id, secret)).statusCode).toBe(401);
    expect((await owner.get('/portal?deleted=1')).body).toContain('The app was deleted.');
    expect((await owner.get(`/portal/apps/${id}`)).statusCode).toBe(404);
  });

  it('answers a stranger the same 404 page as a missing app, for every action, and changes nothing', async () => {
    const created = await createThroughForm(owner, {
      name: 'Private',
      type: 'web',
      redirect_uris: 'https://private.example/cb',
    });
    const id = clientIdOf(created.body);
    const secret = textOf(created.body, 'client-secret') as string;
    const actions = (app: string) =>
      [
        ['GET', `/portal/apps/${app}`, {}],
        ['POST', `/portal/apps/${app}`, { name: 'Mine', redirect_uris: 'https://evil.example/cb' }],
        ['POST', `/portal/apps/${app}/secrets`, { grace_seconds: '0' }],
        ['POST', `/portal/apps/${app}/collaborators`, { email: 'stranger@example.com' }],
        ['POST', `/portal/apps/${app}/collaborators/${owner.id}/remove`, {}],
        ['GET', `/portal/apps/${app}/delete`, {}],
        ['POST', `/portal/apps/${app}/delete`, { confirm_name: 'Private' }],
      ] as const;
    const normalize = (body: string) => body.replace(/nonce="[^"]+"/g, '');
    for (const [method, path, form] of actions(id)) {
      const hidden = method === 'GET' ? await stranger.get(path) : await stranger.post(path, form);
      const missingPath = path.replace(id, 'lk_nothing');
      const missing =
        method === 'GET' ? await stranger.get(missingPath) : await stranger.post(missingPath, form);
      expect(hidden.statusCode, path).toBe(404);
      expect(missing.statusCode, missingPath).toBe(404);
      expect(hidden.body).toContain('App not found');
      expect(hidden.body).toContain('href="/portal">Back to My apps</a>');
      expect(normalize(hidden.body)).toBe(normalize(missing.body));
    }
    expect((await stranger.get('/portal')).body).not.toContain('Private');
    // Nothing changed: the secret still authenticates (a web app is refused the grant, 400, not the
    // secret, 401), the app is as it was, no one was added.
    expect((await twoLegged(s, id, secret)).statusCode).toBe(400);
    expect(await s.ctx.clients.find(id)).toMatchObject({
      name: 'Private',
      redirectUris: ['https://private.example/cb'],
    });
    expect((await s.ctx.clients.secrets(id)).length).toBe(1);
    expect(await s.ctx.appMembers.collaborators(id)).toEqual([]);
  });

  it('shows an admin every app with the Admin role, and lets them manage it', async () => {
    const list = await admin.get('/portal');
    expect(list.body).toContain('Reports');
    expect(list.body).toMatch(/Admin<\/span>/);
    const reports = (await s.ctx.clients.list()).find((app) => app.name === 'Reports');
    const page = await admin.get(`/portal/apps/${reports?.id}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('id="name"');
    expect(page.body).toContain('Delete app');
    expect(page.body).toContain('owner@example.com');
  });
});
