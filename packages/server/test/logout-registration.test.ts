/**
 * Registering where logout goes: `post_logout_redirect_uris` (RP-Initiated Logout 1.0 §3.1) and
 * `backchannel_logout_uri` (Back-Channel Logout 1.0 §2.2), checked like redirect URIs, through every
 * way an app is registered: the CLI (`--post-logout-redirect-uri`, `--backchannel-logout-uri`), the
 * management API and the portal's app form.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkLogoutRegistration } from '../src/logout/registration.js';
import { signedInBrowser } from './support/attacks.js';
import { csrfOf, InjectBrowser } from './support/browser.js';
import { CliInstallation } from './support/cli-installation.js';
import { expectProblem, PortalUser } from './support/portal-user.js';
import { dialects, startTestServer, type TestServer } from './support/server.js';

describe('the logout registration rules', () => {
  // Private networks allowed, as on a development server (test/backchannel-private-registration.test.ts
  // has them denied).
  const check = (members: Parameters<typeof checkLogoutRegistration>[0], signsUsersIn = true) =>
    checkLogoutRegistration(members, signsUsersIn, 'allow');

  it('accepts https, loopback http and app schemes as post-logout redirect URIs, once each', () => {
    const { registration, problems } = check({
      postLogoutRedirectUris: [
        'https://app.example/bye?from=idp',
        'http://127.0.0.1:8080/bye',
        'http://localhost/bye',
        'com.example.app:/bye',
        'https://app.example/bye?from=idp',
      ],
      backchannelLogoutUri: ' https://app.example/backchannel ',
    });
    expect(problems).toEqual([]);
    expect(registration).toEqual({
      postLogoutRedirectUris: [
        'https://app.example/bye?from=idp',
        'http://127.0.0.1:8080/bye',
        'http://localhost/bye',
        'com.example.app:/bye',
      ],
      backchannelLogoutUri: 'https://app.example/backchannel',
    });
  });

  it('refuses each bad post-logout redirect URI by name', () => {
    const bad = [
      'https://app.example/bye#top',
      'http://app.example/bye',
      'https://*.example/bye',
      'javascript:alert(1)',
      '/relative',
      'https://user:pw@app.example/',
    ];
    const { problems } = check({ postLogoutRedirectUris: bad });
    expect(problems).toHaveLength(bad.length);
    for (const problem of problems) {
      expect(problem.field).toBe('post_logout_redirect_uris');
      expect(problem.detail).toMatch(/^post-logout redirect URI /);
    }
    expect(problems[0]?.detail).toContain('fragment');
  });

  it('refuses a back-channel logout URI that is not https (or loopback http), has a fragment, or is an app scheme', () => {
    for (const [uri, why] of [
      ['http://app.example/bc', /https/],
      ['https://app.example/bc#x', /fragment/],
      ['com.example.app:/bc', /https/],
      ['not a uri', /absolute/],
      ['https://u:p@app.example/bc', /userinfo/],
      [`https://app.example/${'a'.repeat(2000)}`, /2000/],
    ] as const) {
      const { problems } = check({ backchannelLogoutUri: uri });
      expect(problems, uri).toEqual([
        { field: 'backchannel_logout_uri', detail: expect.stringMatching(why) },
      ]);
    }
    expect(check({ backchannelLogoutUri: 'http://127.0.0.1:9/bc' }).problems).toEqual([]);
    // Blank removes it.
    expect(check({ backchannelLogoutUri: '  ' }).registration).toEqual({ backchannelLogoutUri: null });
  });

  it('an app that signs no user in may register neither', () => {
    const { problems } = check(
      { postLogoutRedirectUris: ['https://a.example/'], backchannelLogoutUri: 'https://a.example/bc' },
      false,
    );
    expect(problems.map((p) => p.field)).toEqual(['post_logout_redirect_uris', 'backchannel_logout_uri']);
    expect(check({ postLogoutRedirectUris: [], backchannelLogoutUri: '' }, false).problems).toEqual([]);
  });
});

describe.each(dialects())('latchkey apps create/update logout options on %s', (dialect) => {
  let cli: CliInstallation;
  const run = (...args: string[]) => cli.run(...args);

  beforeAll(async () => {
    cli = await CliInstallation.create(dialect, 'latchkey-logout-cli-');
    expect((await run('apps', 'list')).code).toBe(0);
  });
  afterAll(() => cli?.close());

  it('registers, shows, replaces and clears them', async () => {
    const created = await run(
      'apps',
      'create',
      '--name',
      'Web',
      '--scope',
      'data:read',
      '--redirect-uri',
      'https://web.example/cb',
      '--post-logout-redirect-uri',
      'https://web.example/bye',
      '--post-logout-redirect-uri',
      'https://web.example/later',
      '--backchannel-logout-uri',
      'https://web.example/backchannel',
      '--json',
    );
    expect(created.code, created.stderr).toBe(0);
    const id = created.json().client_id as string;
    expect(created.json()).toMatchObject({
      post_logout_redirect_uris: ['https://web.example/bye', 'https://web.example/later'],
      backchannel_logout_uri: 'https://web.example/backchannel',
    });
    expect(await cli.repos.clients.find(id)).toMatchObject({
      postLogoutRedirectUris: ['https://web.example/bye', 'https://web.example/later'],
      backchannelLogoutUri: 'https://web.example/backchannel',
    });
    const shown = await run('apps', 'show', id);
    expect(shown.stdout).toContain(
      'post_logout_redirect_uris: https://web.example/bye https://web.example/later',
    );
    expect(shown.stdout).toContain('backchannel_logout_uri: https://web.example/backchannel');

    const replaced = await run('apps', 'update', id, '--post-logout-redirect-uri', 'https://web.example/new');
    expect(replaced.code, replaced.stderr).toBe(0);
    expect((await cli.repos.clients.find(id))?.postLogoutRedirectUris).toEqual(['https://web.example/new']);
    expect((await cli.repos.clients.find(id))?.backchannelLogoutUri).toBe('https://web.example/backchannel');

    const cleared = await run(
      'apps',
      'update',
      id,
      '--post-logout-redirect-uri=',
      '--backchannel-logout-uri=',
    );
    expect(cleared.code, cleared.stderr).toBe(0);
    expect(cleared.stdout).toContain('post_logout_redirect_uris: (none)');
    const client = await cli.repos.clients.find(id);
    expect(client?.postLogoutRedirectUris).toEqual([]);
    expect(client?.backchannelLogoutUri).toBeUndefined();
    const events = await cli.db
      .selectFrom('audit_events')
      .select('details')
      .where('client_id', '=', id)
      .execute();
    expect(events.map((e) => JSON.parse(e.details).command)).toContain('apps update');
  }, 60_000);

  it('refuses a bad URI in one line with exit code 2, creating and changing nothing', async () => {
    const before = await cli.repos.clients.count();
    const refused = await run(
      'apps',
      'create',
      '--name',
      'Bad',
      '--scope',
      'data:read',
      '--redirect-uri',
      'https://bad.example/cb',
      '--post-logout-redirect-uri',
      'https://bad.example/bye#x',
    );
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(
      'post-logout redirect URI "https://bad.example/bye#x" must not contain a fragment',
    );
    expect(await cli.repos.clients.count()).toBe(before);

    const service = await run('apps', 'create', '--name', 'Svc', '--scope', 'data:read', '--json');
    const id = service.json().client_id as string;
    const noUsers = await run('apps', 'update', id, '--backchannel-logout-uri', 'https://svc.example/bc');
    expect(noUsers.code).toBe(2);
    expect(noUsers.stderr).toContain('signs no user in');
    const nothing = await run('apps', 'update', id);
    expect(nothing.code).toBe(2);
    expect(nothing.stderr).toContain('--post-logout-redirect-uri');
  }, 60_000);
});

describe.each(dialects())('the management API and the portal form on %s', (dialect) => {
  let s: TestServer;
  let owner: PortalUser;
  beforeAll(async () => {
    s = await startTestServer(dialect);
    owner = await PortalUser.signUp(s, 'owner@example.com');
  });
  afterAll(async () => {
    await s?.close();
  });

  it('API: created with both, shown, changed, a blank receiver removed; a bad one is a problem naming its member', async () => {
    const created = await owner.call('POST', '/apps', {
      name: 'Web',
      type: 'web',
      scope: 'data:read',
      redirect_uris: ['https://web.example/cb'],
      post_logout_redirect_uris: ['https://web.example/bye'],
      backchannel_logout_uri: 'https://web.example/bc',
    });
    expect(created.statusCode, created.body).toBe(201);
    const app = created.json();
    expect(app).toMatchObject({
      post_logout_redirect_uris: ['https://web.example/bye'],
      backchannel_logout_uri: 'https://web.example/bc',
    });
    const changed = await owner.call('PATCH', `/apps/${app.client_id}`, {
      post_logout_redirect_uris: ['https://web.example/a', 'https://web.example/b'],
      backchannel_logout_uri: '',
    });
    expect(changed.statusCode, changed.body).toBe(200);
    expect(changed.json()).toMatchObject({
      post_logout_redirect_uris: ['https://web.example/a', 'https://web.example/b'],
      backchannel_logout_uri: null,
    });
    expect((await owner.call('GET', `/apps/${app.client_id}`)).json().backchannel_logout_uri).toBeNull();

    const bad = await owner.call('PATCH', `/apps/${app.client_id}`, {
      backchannel_logout_uri: 'http://web.example/bc',
    });
    expectProblem(bad, 400, 'invalid_body');
    expect(bad.json().field).toBe('backchannel_logout_uri');
    const service = await owner.call('POST', '/apps', {
      name: 'Svc',
      type: 'service',
      scope: 'data:read',
      post_logout_redirect_uris: ['https://svc.example/bye'],
    });
    expectProblem(service, 400, 'invalid_body');
    expect(service.json().field).toBe('post_logout_redirect_uris');
    const wrongType = await owner.call('POST', '/apps', {
      name: 'X',
      type: 'web',
      scope: 'data:read',
      redirect_uris: ['https://x.example/cb'],
      backchannel_logout_uri: ['https://x.example/bc'],
    });
    expectProblem(wrongType, 400, 'invalid_body');
  });

  it('portal: the app form has both fields; values are saved, refused ones shown beside their field', async () => {
    const browser = await signedInBrowser(s, new InjectBrowser(s.app), owner.id);
    const form = await browser.get('/portal/apps/new');
    expect(form.body).toContain('Post-logout redirect URIs');
    expect(form.body).toContain('Back-channel logout URI');
    const csrf = csrfOf(form.body);
    const fields = {
      csrf,
      name: 'Form app',
      type: 'web',
      'scope.data:read': 'on',
      redirect_uris: 'https://form.example/cb',
      post_logout_redirect_uris: 'https://form.example/bye\r\n\r\nhttps://form.example/later',
      backchannel_logout_uri: 'https://form.example/bc',
    };
    const refused = await browser.post('/portal/apps/new', {
      ...fields,
      backchannel_logout_uri: 'ftp://form.example/bc',
    });
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toMatch(/id="backchannel-logout-uri-error"[^>]*>.*https/);
    // What was typed comes back.
    expect(refused.body).toContain('https://form.example/later</textarea>');
    const created = await browser.post('/portal/apps/new', fields);
    expect(created.statusCode, created.body).toBe(201);
    const apps = await s.ctx.clients.list();
    const app = apps.find((a) => a.name === 'Form app');
    expect(app).toMatchObject({
      postLogoutRedirectUris: ['https://form.example/bye', 'https://form.example/later'],
      backchannelLogoutUri: 'https://form.example/bc',
    });
    const page = await browser.get(`/portal/apps/${app?.id}`);
    expect(page.body).toContain('value="https://form.example/bc"');
    const saved = await browser.post(`/portal/apps/${app?.id}`, {
      csrf: csrfOf(page.body),
      name: 'Form app',
      'scope.data:read': 'on',
      redirect_uris: 'https://form.example/cb',
      post_logout_redirect_uris: 'https://form.example/only',
      backchannel_logout_uri: '',
    });
    expect(saved.statusCode, saved.body).toBe(303);
    const after = await s.ctx.clients.find(app?.id as string);
    expect(after?.postLogoutRedirectUris).toEqual(['https://form.example/only']);
    expect(after?.backchannelLogoutUri).toBeUndefined();
  });
});
