/**
 * Who owns an app, from the command line: `apps create --owner`, `apps update ID --owner`, `apps list
 * --owner`. The CLI is the operator: it may give any app to any user (manage/access.ts).
 */
import { AppMemberRepository } from '../storage/app-members.js';
import { type User, UserRepository } from '../storage/users.js';
import {
  changesLogout,
  LOGOUT_OPTIONS,
  logoutLines,
  logoutMembers,
  updateRegistration,
} from './app-logout.js';
import { hasOidcOptions, OIDC_APP_OPTIONS, oidcAppRequest, oidcLines } from './app-oidc.js';
import { onePositional, out, parse, UsageError } from './args.js';
import type { CliContext } from './context.js';
import { usageProblems } from './usage-problems.js';

/** The user an `--owner EMAIL` names; a usage error when no user has that email. */
export async function ownerNamed(cli: CliContext, email: string): Promise<User> {
  const user = await new UserRepository(await cli.db()).findByEmail(email);
  if (!user)
    throw new UsageError(`--owner: no user with email "${email}" (create one with latchkey users create)`);
  return user;
}

/** The user an `--owner EMAIL` names, or `undefined` with the problem added to `problems`. */
export async function ownerOrProblem(
  cli: CliContext,
  email: string,
  problems: string[],
): Promise<User | undefined> {
  try {
    return await ownerNamed(cli, email);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    problems.push(error.message);
    return undefined;
  }
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

/**
 * `apps update ID --owner EMAIL`, and the logout (cli/app-logout.ts) and OpenID Connect
 * (cli/app-oidc.ts) options.
 */
export async function updateApp(args: string[], cli: CliContext): Promise<void> {
  const { values, positionals } = parse('apps update', args, {
    owner: { type: 'string' },
    ...LOGOUT_OPTIONS,
    ...OIDC_APP_OPTIONS,
  });
  const id = onePositional(positionals, 'client_id');
  const logout = changesLogout(values);
  const openid = hasOidcOptions(values);
  if (values.owner === undefined && !logout && !openid)
    throw new UsageError(
      'nothing to update: give --owner EMAIL, --post-logout-redirect-uri, --backchannel-logout-uri, --subject-type or --id-token-signed-response-alg',
    );
  // Both looked up before either is refused, and before anything changes: a missing app and a missing
  // user are both told, and a mistyped owner changes nothing.
  const problems: string[] = [];
  const owner =
    values.owner === undefined ? undefined : await ownerOrProblem(cli, values.owner as string, problems);
  if (!(await (await cli.clients()).find(id))) problems.push(`no app with client_id "${id}"`);
  if ((values.owner !== undefined && !owner) || problems.length > 0) {
    throw usageProblems(problems, 'the app was not changed');
  }
  const client =
    logout || openid
      ? await updateRegistration(cli, id, { ...logoutMembers(values), ...oidcAppRequest(values) })
      : undefined;
  if (client && openid) {
    for (const line of oidcLines(client)) out(line);
    await cli.recordAdminAction('apps update', {
      type: 'app.updated',
      clientId: id,
      details: { ...oidcAppRequest(values) },
    });
  }
  if (client && logout) {
    for (const line of logoutLines(client)) out(line);
    await cli.recordAdminAction('apps update', {
      type: 'app.updated',
      clientId: id,
      details: {
        post_logout_redirect_uris: client.postLogoutRedirectUris,
        backchannel_logout_uri: client.backchannelLogoutUri ?? null,
      },
    });
  }
  if (!owner) return;
  await giveApp(cli, id, owner);
  out(`${id} now belongs to ${owner.email}`);
  await cli.recordAdminAction('apps update', {
    type: 'app.updated',
    clientId: id,
    details: { owner: owner.id },
  });
}
