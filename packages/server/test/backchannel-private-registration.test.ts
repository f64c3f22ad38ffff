/**
 * LATCHKEY_BACKCHANNEL_PRIVATE_NETWORKS at registration: with `deny` (the default of an https issuer) a
 * `backchannel_logout_uri` whose host is `localhost` or a private IP literal, however spelt, is refused
 * by every way an app is registered (the rules, the management API, the portal's form, the CLI), so a
 * signed-in developer cannot make the server POST into its own network; with `allow` (a development
 * server on loopback) the same URIs are registered.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkLogoutRegistration } from '../src/logout/registration.js';
import { signedInBrowser } from './support/attacks.js';
import { csrfOf, InjectBrowser } from './support/browser.js';
import { expectProblem, PortalUser } from './support/portal-user.js';
import { cliAsync } from './support/process.js';
import { freshDatabase, kekEnv, startTestServer, type TestServer } from './support/server.js';

/** Receivers inside the server's network, and the address each message names. */
const PRIVATE: readonly (readonly [string, string])[] = [
  ['https://10.0.0.5/bc', '10.0.0.5'],
  ['https://169.254.169.254/latest/meta-data/', '169.254.169.254'],
  ['https://172.16.0.1/bc', '172.16.0.1'],
  ['https://192.168.1.10/bc', '192.168.1.10'],
  ['https://100.64.0.1/bc', '100.64.0.1'],
  ['https://0x7f.1/bc', '127.0.0.1'],
  ['https://2130706433/bc', '127.0.0.1'],
  ['https://0/bc', '0.0.0.0'],
  ['https://[::1]/bc', '::1'],
  ['https://[::ffff:127.0.0.1]/bc', '::ffff:7f00:1'],
  ['https://[fd00::1]/bc', 'fd00::1'],
  ['https://localhost/bc', 'localhost'],
  ['https://api.localhost./bc', 'api.localhost'],
  ['http://127.0.0.1:6379/', '127.0.0.1'],
  ['http://localhost:8080/bc', 'localhost'],
  ['http://[::1]:8080/bc', '::1'],
];

const message = (address: string) =>
  `back-channel logout URI must not point to a private or loopback address (${address})`;

describe('the back-channel logout URI rules with private networks', () => {
  const check = (uri: string, privateNetworks: 'allow' | 'deny') =>
    checkLogoutRegistration({ backchannelLogoutUri: uri }, true, privateNetworks).problems;

  it.each(PRIVATE)('denied: refuses %s, naming %s', (uri, address) => {
    expect(check(uri, 'deny')).toEqual([{ field: 'backchannel_logout_uri', detail: message(address) }]);
  });

  it.each(PRIVATE)('allowed: registers %s', (uri) => {
    expect(check(uri, 'allow')).toEqual([]);
  });

  it('denied: a public https receiver, and a host name (judged when sent), are registered', () => {
    expect(check('https://app.example/bc', 'deny')).toEqual([]);
    expect(check('https://8.8.8.8/bc', 'deny')).toEqual([]);
    expect(check('https://[2606:4700:4700::1111]/bc', 'deny')).toEqual([]);
    expect(check('https://127.0.0.1.nip.io/bc', 'deny')).toEqual([]);
  });

  it('denied: plain http stays loopback-only, so every http receiver is refused', () => {
    for (const uri of ['http://app.example/bc', 'http://10.0.0.5/bc', 'http://127.0.0.1/bc']) {
      expect(check(uri, 'deny'), uri).toEqual([
        { field: 'backchannel_logout_uri', detail: expect.stringMatching(/https|private/) },
      ]);
    }
    expect(check('http://app.example/bc', 'allow')).toHaveLength(1);
  });
});

describe('registering a private receiver through the API, the portal and the CLI', () => {
  let denied: TestServer;
  let allowed: TestServer;
  beforeAll(async () => {
    denied = await startTestServer('sqlite', { LATCHKEY_BACKCHANNEL_PRIVATE_NETWORKS: 'deny' });
    allowed = await startTestServer('sqlite');
  });
  afterAll(async () => {
    await denied?.close();
    await allowed?.close();
  });

  const web = (backchannel: string) => ({
    name: 'Web',
    type: 'web',
    scope: 'data:read',
    redirect_uris: ['https://web.example/cb'],
    backchannel_logout_uri: backchannel,
  });

  it('API, denied: create and update refuse it, naming the member and the address', async () => {
    const owner = await PortalUser.signUp(denied, 'api@example.com');
    const refused = expectProblem(
      await owner.call('POST', '/apps', web('https://169.254.169.254/latest/meta-data/')),
      400,
      'invalid_body',
    );
    expect(refused).toMatchObject({ field: 'backchannel_logout_uri', detail: message('169.254.169.254') });
    const created = await owner.call('POST', '/apps', web('https://web.example/bc'));
    expect(created.statusCode, created.body).toBe(201);
    const id = created.json().client_id as string;
    const patched = await owner.call('PATCH', `/apps/${id}`, { backchannel_logout_uri: 'https://0x7f.1/' });
    expect(expectProblem(patched, 400, 'invalid_body').detail).toBe(message('127.0.0.1'));
    expect((await denied.ctx.clients.find(id))?.backchannelLogoutUri).toBe('https://web.example/bc');
  });

  it('API, allowed (a loopback issuer by default): the same receiver is registered', async () => {
    expect(allowed.config.backchannelLogout.privateNetworks).toBe('allow');
    const owner = await PortalUser.signUp(allowed, 'api@example.com');
    const created = await owner.call('POST', '/apps', web('https://10.0.0.5/bc'));
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json().backchannel_logout_uri).toBe('https://10.0.0.5/bc');
  });

  it('portal, denied: the form shows the refusal beside the field', async () => {
    const owner = await PortalUser.signUp(denied, 'portal@example.com');
    const browser = await signedInBrowser(denied, new InjectBrowser(denied.app), owner.id);
    const form = await browser.get('/portal/apps/new');
    const refused = await browser.post('/portal/apps/new', {
      csrf: csrfOf(form.body),
      name: 'Form app',
      type: 'web',
      'scope.data:read': 'on',
      redirect_uris: 'https://form.example/cb',
      backchannel_logout_uri: 'https://[::ffff:127.0.0.1]/bc',
    });
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toMatch(/id="backchannel-logout-uri-error"[^>]*>.*private or loopback address/);
    expect((await denied.ctx.clients.list()).some((app) => app.name === 'Form app')).toBe(false);
  });

  it('CLI: an https issuer denies by default (exit 2, nothing created); allow registers it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'latchkey-private-cli-'));
    try {
      const env = {
        LATCHKEY_DATA_DIR: dir,
        LATCHKEY_DATABASE_URL: await freshDatabase('sqlite', dir),
        LATCHKEY_ISSUER: 'https://auth.example',
        ...kekEnv('sqlite'),
      };
      const create = (extra: Record<string, string>) =>
        cliAsync(
          [
            'apps',
            'create',
            '--name',
            'Web',
            '--scope',
            'data:read',
            '--redirect-uri',
            'https://web.example/cb',
            '--backchannel-logout-uri',
            'https://10.0.0.5/bc',
            '--json',
          ],
          { ...env, ...extra },
        );
      const refused = await create({});
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain(message('10.0.0.5'));
      const list = await cliAsync(['apps', 'list', '--json'], env);
      expect(list.stdout).not.toContain('10.0.0.5');
      const created = await create({ LATCHKEY_BACKCHANNEL_PRIVATE_NETWORKS: 'allow' });
      expect(created.code, created.stderr).toBe(0);
      expect(JSON.parse(created.stdout).backchannel_logout_uri).toBe('https://10.0.0.5/bc');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
