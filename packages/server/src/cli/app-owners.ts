/**
 * Who owns an app, from the command line: `apps create --owner`, `apps update ID --owner`, `apps list
 * --owner`. The CLI is the operator: it may give any app to any user (manage/access.ts).
 */
import { AppMemberRepository } from '../storage/app-members.js';
import { type User, UserRepository } from '../storage/users.js';
import { hasOidcOptions, OIDC_APP_OPTIONS, oidcAppRequest, updateOidcMembers } from './app-oidc.js';
import { onePositional, out, parse, UsageError } from './args.js';
import type { CliContext } from './context.js';

/** The user an `--owner EMAIL` names; a usage error when no user has that email. */
export async function ownerNamed(cli: CliContext, email: string): Promise<User> {
  const user = await new UserRepository(await cli.db()).findByEmail(email);
  if (!user)
    throw new UsageError(`--owner: no user with email "${email}" (create one with latchkey users create)`);
  return user;
}

/** Gives an app to a user. */
export async function giveApp(cli: CliContext, clientId: string, owner: User): Promise<void> {
  if (!(await new AppMemberRepository(await cli.db()).setOwner(clientId, owner.id)))
    throw new UsageError(`no app with client_id "${clientId}"`);
}

/** The email of an app's owner, or `null` when no one owns it. */
export async function ownerEmailOf(cli: CliContext, clientId: string): Promise<string | null> {
  const db = await cli.db();
  const row = await db
    .selectFrom('clients')
    .innerJoin('users', 'users.id', 'clients.owner_id')
    .select('users.email')
    .where('clients.id', '=', clientId)
    .executeTakeFirst();
  return row?.email ?? null;
}

/** The IDs of the apps a user owns (`apps list --owner`). */
export async function appsOwnedBy(cli: CliContext, email: string): Promise<Set<string>> {
  const owner = await ownerNamed(cli, email);
  return new Set((await new AppMemberRepository(await cli.db()).appsOf(owner.id)).owned);
}

/** `apps update ID [--owner EMAIL] [--subject-type T] [--id-token-signed-response-alg A]`. */
export async function updateApp(args: string[], cli: CliContext): Promise<void> {
  const { values, positionals } = parse('apps update', args, {
    owner: { type: 'string' },
    ...OIDC_APP_OPTIONS,
  });
  const id = onePositional(positionals, 'client_id');
  if (values.owner === undefined && !hasOidcOptions(values))
    throw new UsageError(
      'nothing to update: give --owner EMAIL, --subject-type or --id-token-signed-response-alg',
    );
  if (hasOidcOptions(values)) await updateOpenIdMembers(cli, id, values);
  if (values.owner === undefined) return;
  const owner = await ownerNamed(cli, values.owner as string);
  await giveApp(cli, id, owner);
  out(`${id} now belongs to ${owner.email}`);
  await cli.recordAdminAction('apps update', {
    type: 'app.updated',
    clientId: id,
    details: { owner: owner.id },
  });
}

/** Changes the OpenID Connect members, says so, and records it. */
async function updateOpenIdMembers(cli: CliContext, id: string, values: Record<string, unknown>) {
  const app = await updateOidcMembers(cli, id, values);
  out(`${id}: subject_type ${app.subjectType}, ID tokens ${app.idTokenSignedResponseAlg ?? 'RS256'}`);
  await cli.recordAdminAction('apps update', {
    type: 'app.updated',
    clientId: id,
    details: { ...oidcAppRequest(values) },
  });
}
