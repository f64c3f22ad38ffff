/**
 * `latchkey users create --email E --password P [--name N] [--admin] [--json]`,
 * `users update EMAIL [--name N] [--admin | --no-admin]`.
 */
import { nameInput } from '../accounts/name.js';
import { EmailTakenError, isEmail, type User, UserRepository } from '../storage/users.js';
import { passwordProblem } from '../tokens/password.js';
import { onePositional, out, parse, UsageError } from './args.js';
import type { CliContext } from './context.js';

/** The `users` lines of `latchkey help`. */
export const USERS_USAGE = `  users create --email E --password P [--name N] [--admin] [--json]
                                      --name: the user's name (the OpenID Connect name claim)
                                      --admin: sees and manages every app in the portal
  users update EMAIL [--name N] [--admin | --no-admin]`;

/** A `--name` value as stored, or a usage error saying what is wrong with it. */
function nameOption(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  const named = nameInput(raw);
  if ('problem' in named) throw new UsageError(`--name: ${named.problem}`);
  return named.name;
}

/** Dispatches `users <command>`. */
export async function usersCommand(args: string[], cli: CliContext): Promise<void> {
  const [command, ...rest] = args;
  if (command === 'update') return update(rest, cli);
  if (command !== 'create')
    throw new UsageError(`unknown users command "${command ?? ''}"; use create, update`);
  const { values } = parse('users create', rest, {
    email: { type: 'string' },
    password: { type: 'string' },
    name: { type: 'string' },
    admin: { type: 'boolean' },
    json: { type: 'boolean' },
  });
  const email = values.email as string | undefined;
  const password = values.password as string | undefined;
  if (email === undefined) throw new UsageError('missing --email');
  if (!isEmail(email)) throw new UsageError(`--email "${email}" is not an email address`);
  if (password === undefined) throw new UsageError('missing --password');
  const problem = passwordProblem(password);
  if (problem) throw new UsageError(`--password: ${problem}`);
  const name = nameOption(values.name as string | undefined);
  try {
    const user = await new UserRepository(await cli.db()).create(email, password, {
      admin: values.admin === true,
      name,
    });
    out(
      values.json
        ? JSON.stringify({ id: user.id, email: user.email, name: user.name ?? null, admin: user.isAdmin })
        : `created ${user.isAdmin ? 'admin' : 'user'} ${user.id} ${user.name ? `${user.name} ` : ''}<${user.email}>`,
    );
    await cli.recordAdminAction('users create', {
      type: 'user.created',
      userId: user.id,
      details: { email: user.email },
    });
  } catch (error) {
    if (error instanceof EmailTakenError) throw new UsageError(`--email: ${error.message}`);
    throw error;
  }
}

/**
 * `users update EMAIL [--name N] [--admin | --no-admin]`: gives a user a name, makes them an admin or
 * takes it back.
 */
async function update(args: string[], cli: CliContext): Promise<void> {
  const { values, positionals } = parse('users update', args, {
    name: { type: 'string' },
    admin: { type: 'boolean' },
    'no-admin': { type: 'boolean' },
  });
  const email = onePositional(positionals, 'email');
  if (values.admin === true && values['no-admin'] === true)
    throw new UsageError('give one of --admin, --no-admin, not both');
  const name = nameOption(values.name as string | undefined);
  const admin = values.admin === true ? true : values['no-admin'] === true ? false : undefined;
  if (name === undefined && admin === undefined) throw new UsageError('give --name, --admin or --no-admin');
  const users = new UserRepository(await cli.db());
  let user: User | undefined;
  if (name !== undefined) user = await users.setName(email, name);
  if (admin !== undefined) user = await users.setAdmin(email, admin);
  if (!user) throw new UsageError(`no user with email "${email}"`);
  if (name !== undefined) out(`${user.email} is now named ${user.name}`);
  if (admin !== undefined) out(`${user.email} is ${user.isAdmin ? 'now an admin' : 'no longer an admin'}`);
  await cli.recordAdminAction('users update', {
    type: 'user.updated',
    userId: user.id,
    details: {
      ...(admin !== undefined && { admin: user.isAdmin }),
      ...(name !== undefined && { name_changed: true }),
    },
  });
}
