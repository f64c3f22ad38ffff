/**
 * Who runs an app, set from the CLI on both databases: admins (`users create --admin`, `users update`),
 * owners (`apps create --owner`, `apps update --owner`, `apps list --owner`), and what deleting a user
 * or an app does to ownership and collaborators.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliInstallation } from './support/cli-installation.js';
import { dialects } from './support/server.js';

describe.each(dialects())('app owners and admins on %s', (dialect) => {
  let cli: CliInstallation;
  const run = (...args: string[]) => cli.run(...args);

  beforeAll(async () => {
    cli = await CliInstallation.create(dialect, 'latchkey-owners-');
    // The CLI migrates the database on first use.
    expect(
      (await run('users', 'create', '--email', 'dev@example.com', '--password', 'a long password')).code,
    ).toBe(0);
  });
  afterAll(() => cli?.close());

  it('creates an admin, and promotes and demotes a user by email', async () => {
    const created = await run(
      'users',
      'create',
      '--email',
      'Root@Example.com',
      '--password',
      'a long password',
      '--admin',
      '--json',
    );
    expect(created.code).toBe(0);
    expect(created.json()).toMatchObject({ email: 'root@example.com', admin: true });
    expect((await cli.repos.users.findByEmail('root@example.com'))?.isAdmin).toBe(true);
    expect((await cli.repos.users.findByEmail('dev@example.com'))?.isAdmin).toBe(false);

    const promoted = await run('users', 'update', 'DEV@example.com', '--admin');
    expect(promoted).toMatchObject({ code: 0, stdout: 'dev@example.com is now an admin\n' });
    expect((await cli.repos.users.findByEmail('dev@example.com'))?.isAdmin).toBe(true);
    expect((await run('users', 'update', 'dev@example.com', '--no-admin')).code).toBe(0);
    expect((await cli.repos.users.findByEmail('dev@example.com'))?.isAdmin).toBe(false);
  });

  it('refuses an update that names no user or no change, with one line', async () => {
    const nobody = await run('users', 'update', 'nobody@example.com', '--admin');
    expect(nobody).toMatchObject({ code: 2, stdout: '' });
    expect(nobody.stderr).toContain('no user with email "nobody@example.com"');
    const both = await run('users', 'update', 'dev@example.com');
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('give --name, --admin or --no-admin');
  });

  it('creates an app for an owner, lists by owner, and gives a CLI app to someone later', async () => {
    const owned = await run(
      'apps',
      'create',
      '--name',
      'Owned',
      '--scope',
      'data:read',
      '--owner',
      'dev@example.com',
      '--json',
    );
    expect(owned.code).toBe(0);
    expect(owned.json()).toMatchObject({ name: 'Owned', owner: 'dev@example.com' });
    const ownerless = await run('apps', 'create', '--name', 'Ownerless', '--scope', 'data:read', '--json');
    expect(ownerless.json().owner).toBeNull();
    const shown = await run('apps', 'show', ownerless.json().client_id);
    expect(shown.stdout).toContain('owner:         (no one)');

    const list = await run('apps', 'list', '--owner', 'dev@example.com', '--json');
    expect(list.json().map((a: { name: string }) => a.name)).toEqual(['Owned']);

    const given = await run('apps', 'update', ownerless.json().client_id, '--owner', 'root@example.com');
    expect(given).toMatchObject({
      code: 0,
      stdout: `${ownerless.json().client_id} now belongs to root@example.com\n`,
    });
    const root = await cli.repos.users.findByEmail('root@example.com');
    expect((await cli.repos.appMembers.membership(ownerless.json().client_id))?.ownerId).toBe(root?.id);
  });

  it('refuses an unknown owner before creating anything, and an unknown app', async () => {
    const before = (await run('apps', 'list', '--json')).json().length;
    const refused = await run(
      'apps',
      'create',
      '--name',
      'X',
      '--scope',
      'data:read',
      '--owner',
      'ghost@example.com',
    );
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('--owner: no user with email "ghost@example.com"');
    expect((await run('apps', 'list', '--json')).json()).toHaveLength(before);
    const noApp = await run('apps', 'update', 'lk_missing', '--owner', 'dev@example.com');
    expect(noApp.code).toBe(2);
    expect(noApp.stderr).toContain('no app with client_id "lk_missing"');
    expect((await run('apps', 'list', '--owner', 'ghost@example.com')).code).toBe(2);
  });

  it('prints every problem of apps create and apps update at once, one line each, and changes nothing', async () => {
    const before = (await run('apps', 'list', '--json')).json().length;
    const lines = (stderr: string) => stderr.trimEnd().split('\n');
    const create = await run(
      'apps',
      'create',
      '--name',
      '',
      '--scope',
      'nope',
      '--redirect-uri',
      'http://evil.example/cb',
      '--owner',
      'ghost@example.com',
    );
    expect(create).toMatchObject({ code: 2, stdout: '' });
    const [head, ...each] = lines(create.stderr);
    expect(head).toBe('latchkey: 4 problems; the app was not created:');
    expect(each).toHaveLength(4);
    expect(each[0]).toMatch(/^ {2}- --owner: no user with email "ghost@example.com"/);
    expect(each[1]).toBe('  - name must be 1 to 100 characters');
    expect(each[2]).toMatch(/^ {2}- redirect URI "http:\/\/evil\.example\/cb" must use https/);
    expect(each[3]).toMatch(/^ {2}- unknown scope "nope"; the catalogue is: /);
    // A missing option is not also "invalid".
    const missing = await run('apps', 'create', '--scope', 'nope');
    expect(lines(missing.stderr)).toEqual([
      'latchkey: 2 problems; the app was not created:',
      '  - missing --name',
      expect.stringMatching(/^ {2}- unknown scope "nope"/),
    ]);
    expect((await run('apps', 'list', '--json')).json()).toHaveLength(before);
    const update = await run('apps', 'update', 'lk_missing', '--owner', 'ghost@example.com');
    expect(update.code).toBe(2);
    expect(lines(update.stderr)).toEqual([
      'latchkey: 2 problems; the app was not changed:',
      expect.stringMatching(/^ {2}- --owner: no user with email "ghost@example.com"/),
      '  - no app with client_id "lk_missing"',
    ]);
  });

  it('collaborators: one role each, gone with the app; a deleted owner leaves the app to no one', async () => {
    const owner = await cli.repos.users.create('owner@example.com', 'a long password');
    const helper = await cli.repos.users.create('helper@example.com', 'a long password');
    const app = (
      await run(
        'apps',
        'create',
        '--name',
        'Team',
        '--scope',
        'data:read',
        '--owner',
        'owner@example.com',
        '--json',
      )
    ).json();
    expect(await cli.repos.appMembers.addCollaborator(app.client_id, helper.id)).toBe(true);
    expect(await cli.repos.appMembers.addCollaborator(app.client_id, helper.id)).toBe(false);
    expect((await cli.repos.appMembers.collaborators(app.client_id)).map((c) => c.email)).toEqual([
      'helper@example.com',
    ]);
    expect(await cli.repos.appMembers.appsOf(helper.id)).toEqual({
      owned: [],
      collaborating: [app.client_id],
    });

    // Made the owner, the collaborator is no longer also a collaborator.
    await cli.repos.appMembers.setOwner(app.client_id, helper.id);
    expect(await cli.repos.appMembers.membership(app.client_id)).toEqual({
      clientId: app.client_id,
      ownerId: helper.id,
      collaboratorIds: [],
    });
    await cli.repos.appMembers.addCollaborator(app.client_id, owner.id);
    await cli.db.deleteFrom('users').where('id', '=', helper.id).execute();
    expect((await cli.repos.appMembers.membership(app.client_id))?.ownerId).toBeNull();

    expect((await run('apps', 'delete', app.client_id)).code).toBe(0);
    expect(await cli.repos.appMembers.membership(app.client_id)).toBeUndefined();
    expect(
      await cli.db
        .selectFrom('app_collaborators')
        .selectAll()
        .where('client_id', '=', app.client_id)
        .execute(),
    ).toEqual([]);
  });
});
