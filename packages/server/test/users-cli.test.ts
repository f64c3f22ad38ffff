/**
 * `latchkey users create --name` and `users update EMAIL --name`, on both databases: the name is stored
 * (the OIDC `name` claim), moves `updated_at`, is checked like the sign-up page's, and the change is in
 * the audit log.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliInstallation } from './support/cli-installation.js';
import { dialects } from './support/server.js';

describe.each(dialects())('users and their names on %s', (dialect) => {
  let cli: CliInstallation;
  const run = (...args: string[]) => cli.run(...args);

  beforeAll(async () => {
    cli = await CliInstallation.create(dialect, 'latchkey-users-');
  });
  afterAll(() => cli?.close());

  it('creates a named user, renames them, and refuses a name that cannot be one', async () => {
    const created = await run(
      'users',
      'create',
      '--email',
      'ada@example.com',
      '--password',
      'a long password',
      '--name',
      ' Ada Lovelace ',
      '--json',
    );
    expect(created.code).toBe(0);
    expect(created.json()).toMatchObject({ email: 'ada@example.com', name: 'Ada Lovelace', admin: false });
    const plain = await run('users', 'create', '--email', 'bob@example.com', '--password', 'a long password');
    expect(plain.stdout).toMatch(/^created user usr_[\w-]+ <bob@example\.com>\n$/);
    const ada = await cli.repos.users.findByEmail('ada@example.com');
    expect(ada).toMatchObject({ name: 'Ada Lovelace', emailVerified: false, updatedAt: ada!.createdAt });
    expect((await cli.repos.users.findByEmail('bob@example.com'))?.name).toBeUndefined();

    // Rename: updated_at moves (a second later at least, so it is seen).
    await cli.db
      .updateTable('users')
      .set({ created_at: 1, updated_at: null })
      .where('id', '=', ada!.id)
      .execute();
    const renamed = await run('users', 'update', 'ADA@example.com', '--name', 'Augusta Ada King');
    expect(renamed).toMatchObject({ code: 0, stdout: 'ada@example.com is now named Augusta Ada King\n' });
    const after = await cli.repos.users.findByEmail('ada@example.com');
    expect(after?.name).toBe('Augusta Ada King');
    expect(after!.updatedAt).toBeGreaterThan(1);
    const both = await run('users', 'update', 'bob@example.com', '--name', 'Bob', '--admin');
    expect(both.code).toBe(0);
    expect(await cli.repos.users.findByEmail('bob@example.com')).toMatchObject({
      name: 'Bob',
      isAdmin: true,
    });
    const events = await cli.repos.audit.list({ limit: 10 });
    expect(events.filter((e) => e.type === 'user.updated').map((e) => e.details)).toEqual(
      expect.arrayContaining([
        { command: 'users update', name_changed: true },
        { command: 'users update', admin: true, name_changed: true },
      ]),
    );

    // The name rules themselves: accounts/name.test.ts.
    for (const [args, message] of [
      [['users', 'update', 'ada@example.com', '--name', 'A\nB'], '--name: Enter your name on one line'],
      [
        ['users', 'update', 'nobody@example.com', '--name', 'Nobody'],
        'no user with email "nobody@example.com"',
      ],
      [
        ['users', 'update', 'ada@example.com', '--admin', '--no-admin'],
        'give one of --admin, --no-admin, not both',
      ],
      [
        ['users', 'create', '--email', 'c@example.com', '--password', 'a long password', '--name', ''],
        '--name: Enter your name.',
      ],
    ] as const) {
      const refused = await run(...args);
      expect(refused.code, args.join(' ')).toBe(2);
      expect(refused.stderr).toContain(message);
      expect(refused.stderr.trim().split('\n')).toHaveLength(1);
    }
    expect((await cli.repos.users.findByEmail('ada@example.com'))?.name).toBe('Augusta Ada King');
    expect(await cli.repos.users.findByEmail('c@example.com')).toBeUndefined();
  }, 180_000);
});
