/** `latchkey users create --email E --password P [--json]`. */

import { EmailTakenError, isEmail, UserRepository } from '../storage/users.js';
import { passwordProblem } from '../tokens/password.js';
import { out, parse, UsageError } from './args.js';
import type { CliContext } from './context.js';

/** Dispatches `users <command>`. */
export async function usersCommand(args: string[], cli: CliContext): Promise<void> {
  const [command, ...rest] = args;
  if (command !== 'create') throw new UsageError(`unknown users command "${command ?? ''}"; use create`);
  const { values } = parse('users create', rest, {
    email: { type: 'string' },
    password: { type: 'string' },
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
    const user = await new UserRepository(await cli.db()).create(email, password);
    out(
      values.json
        ? JSON.stringify({ id: user.id, email: user.email })
        : `created user ${user.id} <${user.email}>`,
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
