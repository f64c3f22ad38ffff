/** `latchkey users create --email E --password P [--admin] [--json]`, `users update EMAIL --admin | --no-admin`. */

import { EmailTakenError, isEmail, UserRepository } from '../storage/users.js';
import { passwordProblem } from '../tokens/password.js';
import { onePositional, out, parse, UsageError } from './args.js';
import type { CliContext } from './context.js';

/** The `users` lines of `latchkey help`. */
export const USERS_USAGE = `  users create --email E --password P [--admin] [--json]
                                      --admin: sees and manages every app in the portal
  users update EMAIL --admin | --no-admin`;

/** Dispatches `users <command>`. */
export async function usersCommand(args: string[], cli: CliContext): Promise<void> {
  const [command, ...rest] = args;
  if (command === 'update') return update(rest, cli);
  if (command !== 'create')
    throw new UsageError(`unknown users command "${command ?? ''}"; use create, update`);
  const { values } = parse('users create', rest, {
    email: { type: 'string' },
    password: { type: 'string' },
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
  try {
    const user = await new UserRepository(await cli.db()).create(email, password, {
      admin: values.admin === true,
    });
    out(
      values.json
        ? JSON.stringify({ id: user.id, email: user.email, admin: user.isAdmin })
        : `created ${user.isAdmin ? 'admin' : 'user'} ${user.id} <${user.email}>`,
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

/** `users update EMAIL --admin | --no-admin`: makes a user an admin, or takes it back. */
async function update(args: string[], cli: CliContext): Promise<void> {
  const { values, positionals } = parse('users update', args, {
    admin: { type: 'boolean' },
    'no-admin': { type: 'boolean' },
  });
  const email = onePositional(positionals, 'email');
  if (values.admin === values['no-admin']) throw new UsageError('give exactly one of --admin, --no-admin');
  const user = await new UserRepository(await cli.db()).setAdmin(email, values.admin === true);
  if (!user) throw new UsageError(`no user with email "${email}"`);
  out(`${user.email} is ${user.isAdmin ? 'now an admin' : 'no longer an admin'}`);
  await cli.recordAdminAction('users update', {
    type: 'user.updated',
    userId: user.id,
    details: { admin: user.isAdmin },
  });
}
