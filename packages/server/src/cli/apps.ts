/** `latchkey apps ...`: create (optionally as a resource server), list, show, rotate-secret, delete. */
import { parseDuration } from '../config.js';
import { AppRegistrationError, checkAppRequest, registerApp } from '../oauth/app-registration.js';
import type { Client } from '../storage/clients.js';
import { LOGOUT_OPTIONS, LOGOUT_USAGE, logoutLines, logoutMembers } from './app-logout.js';
import { OIDC_APP_OPTIONS, OIDC_APP_USAGE, oidcAppRequest, oidcLines } from './app-oidc.js';
import { appsOwnedBy, giveApp, ownerEmailOf, ownerOrProblem, updateApp } from './app-owners.js';
import { onePositional, out, parse, ShowUsage, table, UsageError } from './args.js';
import type { CliContext } from './context.js';
import { usageProblems } from './usage-problems.js';

/** The `apps` lines of `latchkey help`, also printed by `latchkey apps` alone. */
export const APPS_USAGE = `  apps create --name N --scope "S" [--redirect-uri U]... [--grant G]...
              [--public | --resource-server] [--owner EMAIL] [--json]
${LOGOUT_USAGE}
${OIDC_APP_USAGE}
                                      --resource-server: a confidential API app that may introspect
                                      other apps' tokens (RFC 7662 §2.1)
  apps list [--owner EMAIL] [--json] | apps show ID [--json]
  apps update ID --owner EMAIL        give the app to a user, who then runs it in the portal
  apps update ID [--post-logout-redirect-uri U]... [--backchannel-logout-uri U]
                                      replace them (an empty value clears)
  apps update ID [--subject-type T] [--id-token-signed-response-alg A]
  apps rotate-secret ID [--grace 24h] [--json]
                                      a new secret; the secrets valid now keep working for
                                      --grace at most (default 0: they stop at once)
  apps delete ID`;

function describe(client: Client, owner?: string | null) {
  return {
    client_id: client.id,
    name: client.name,
    ...(owner === undefined ? {} : { owner }),
    public: client.isPublic,
    resource_server: client.resourceServer,
    scope: client.scopes.join(' '),
    grant_types: client.grantTypes,
    redirect_uris: client.redirectUris,
    subject_type: client.subjectType,
    id_token_signed_response_alg: client.idTokenSignedResponseAlg ?? 'RS256',
    post_logout_redirect_uris: client.postLogoutRedirectUris,
    backchannel_logout_uri: client.backchannelLogoutUri ?? null,
    created_at: new Date(client.createdAt * 1000).toISOString(),
  };
}

function printClient(client: Client, owner: string | null): void {
  const d = describe(client);
  out(`client_id:     ${d.client_id}`);
  out(`name:          ${d.name}`);
  out(`owner:         ${owner ?? '(no one)'}`);
  out(
    `type:          ${d.public ? 'public' : 'confidential'}${d.resource_server ? ', resource server' : ''}`,
  );
  out(`scope:         ${d.scope}`);
  out(`grant_types:   ${d.grant_types.join(' ')}`);
  out(`redirect_uris: ${d.redirect_uris.join(' ') || '(none)'}`);
  for (const line of oidcLines(client)) out(line);
  for (const line of logoutLines(client)) out(line);
}

async function create(args: string[], cli: CliContext): Promise<void> {
  const { values } = parse('apps create', args, {
    name: { type: 'string' },
    scope: { type: 'string' },
    'redirect-uri': { type: 'string', multiple: true },
    grant: { type: 'string', multiple: true },
    public: { type: 'boolean' },
    'resource-server': { type: 'boolean' },
    owner: { type: 'string' },
    json: { type: 'boolean' },
    ...LOGOUT_OPTIONS,
    ...OIDC_APP_OPTIONS,
  });
  const problems: string[] = [];
  if (values.name === undefined) problems.push('missing --name');
  if (values.scope === undefined) problems.push('missing --scope');
  const resourceServer = values['resource-server'] === true;
  // A resource server authenticates to introspect (RFC 7662 §2.1), which a public app cannot.
  if (resourceServer && values.public === true)
    problems.push('--resource-server needs a confidential app; drop --public');
  // Checked before anything is created: a mistyped owner leaves no ownerless app behind.
  const owner =
    values.owner === undefined ? undefined : await ownerOrProblem(cli, values.owner as string, problems);
  const request = {
    name: (values.name as string | undefined) ?? '',
    scope: (values.scope as string | undefined) ?? '',
    redirectUris: values['redirect-uri'] as string[] | undefined,
    grants: values.grant as string[] | undefined,
    isPublic: values.public === true,
    ...logoutMembers(values),
    ...oidcAppRequest(values),
  };
  // Every registration rule is checked too (a missing --name or --scope is not also "invalid").
  try {
    checkAppRequest(cli.config.scopes, request, cli.config.backchannelLogout.privateNetworks);
  } catch (error) {
    if (!(error instanceof AppRegistrationError)) throw error;
    for (const { field, detail } of error.problems)
      if (
        !(field === 'name' && values.name === undefined) &&
        !(field === 'scope' && values.scope === undefined)
      )
        problems.push(detail);
  }
  if (problems.length > 0) throw usageProblems(problems, 'the app was not created');
  const result = await registerApp(
    await cli.clients(),
    cli.config.scopes,
    request,
    cli.config.backchannelLogout.privateNetworks,
  );
  const { clientSecret } = result;
  let client = result.client;
  if (resourceServer) {
    const clients = await cli.clients();
    if (!(await clients.setResourceServer(client.id, true)))
      throw new Error(`could not mark ${client.id} as a resource server`);
    client = (await clients.find(client.id)) ?? client;
  }
  if (owner) await giveApp(cli, client.id, owner);
  const ownerEmail = owner?.email ?? null;
  if (values.json) {
    out(
      JSON.stringify({
        ...describe(client, ownerEmail),
        ...(clientSecret ? { client_secret: clientSecret } : {}),
      }),
    );
  } else {
    printClient(client, ownerEmail);
    if (clientSecret)
      out(`client_secret: ${clientSecret}

The secret is shown once; store it now.`);
  }
  const { client_id, created_at, ...details } = describe(client, ownerEmail);
  await cli.recordAdminAction('apps create', { type: 'app.created', clientId: client_id, details });
}

async function show(args: string[], cli: CliContext): Promise<void> {
  const { values, positionals } = parse('apps show', args, { json: { type: 'boolean' } });
  const id = onePositional(positionals, 'client_id');
  const client = await (await cli.clients()).find(id);
  if (!client) throw new UsageError(`no app with client_id "${id}"`);
  const owner = await ownerEmailOf(cli, id);
  if (values.json) out(JSON.stringify(describe(client, owner)));
  else printClient(client, owner);
}

async function list(args: string[], cli: CliContext): Promise<void> {
  const { values } = parse('apps list', args, { owner: { type: 'string' }, json: { type: 'boolean' } });
  const owned = values.owner === undefined ? undefined : await appsOwnedBy(cli, values.owner as string);
  const clients = (await (await cli.clients()).list()).filter((c) => owned?.has(c.id) ?? true);
  if (values.json) {
    out(JSON.stringify(clients.map((c) => describe(c))));
    return;
  }
  if (clients.length === 0) out('no apps');
  const rows = clients.map((c) => [
    c.id,
    c.isPublic ? 'public' : 'confidential',
    c.name,
    `[${c.scopes.join(' ')}]`,
    c.resourceServer ? '(resource server)' : '',
  ]);
  for (const line of table(rows)) out(line);
}

const iso = (seconds: number) => new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');

/**
 * Issues a new secret. Every secret valid now keeps working for --grace at most: one still in the
 * grace period of an earlier rotation that would have lasted longer is cut short, and the output says
 * so with the end it had (a leaked secret is rotated with no grace to stop all of them at once).
 */
async function rotateSecret(args: string[], cli: CliContext): Promise<void> {
  const { values, positionals } = parse('apps rotate-secret', args, {
    grace: { type: 'string' },
    json: { type: 'boolean' },
  });
  const id = onePositional(positionals, 'client_id');
  let grace = 0;
  try {
    grace = values.grace === undefined ? 0 : parseDuration(values.grace as string, '--grace');
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const rotation = await (await cli.clients()).rotateSecret(id, grace);
  if (rotation === undefined) throw new UsageError(`no confidential app with client_id "${id}"`);
  const { secret, previousUntil } = rotation;
  const cutShort = rotation.cutShort.map(iso);
  // What changed, as --json prints it and the audit event keeps it (never the secret).
  const summary = {
    previous_secret_valid_for: grace,
    previous_secret_valid_until: previousUntil === undefined ? null : iso(previousUntil),
    grace_cut_short: cutShort,
  };
  if (values.json) out(JSON.stringify({ client_id: id, client_secret: secret, ...summary }));
  else printRotation(secret, grace, previousUntil, cutShort);
  await cli.recordAdminAction('apps rotate-secret', {
    type: 'app.secret_rotated',
    clientId: id,
    details: summary,
  });
}

/** The human output of `apps rotate-secret`. */
function printRotation(secret: string, grace: number, previousUntil: number | undefined, cutShort: string[]) {
  out(`client_secret: ${secret}`);
  out(
    previousUntil === undefined
      ? 'The previous secret no longer works.'
      : `The previous secret keeps working for ${grace} s, until ${iso(previousUntil)}.`,
  );
  if (cutShort.length > 0) {
    const one = cutShort.length === 1;
    const ends = [...new Set(cutShort)].join(', ');
    const change =
      previousUntil === undefined
        ? `no longer ${one ? 'works' : 'work'}`
        : `now ${one ? 'stops' : 'stop'} at ${iso(previousUntil)}`;
    out(
      one
        ? `An older secret, whose grace from an earlier rotation ran until ${ends}, ${change}: its grace is cut short.`
        : `${cutShort.length} older secrets, whose grace from earlier rotations ran until ${ends}, ${change}: their grace is cut short.`,
    );
  }
}

async function remove(args: string[], cli: CliContext): Promise<void> {
  const { positionals } = parse('apps delete', args, {});
  const id = onePositional(positionals, 'client_id');
  const clients = await cli.clients();
  // Read first: the event keeps the name of the app it names, which is gone afterwards.
  const name = (await clients.find(id))?.name ?? null;
  if (!(await clients.delete(id))) throw new UsageError(`no app with client_id "${id}"`);
  out(`deleted ${id}`);
  await cli.recordAdminAction('apps delete', { type: 'app.deleted', clientId: id, details: { name } });
}

/** Dispatches `apps <command>`. */
export async function appsCommand(args: string[], cli: CliContext): Promise<void> {
  const [command, ...rest] = args;
  const commands: Record<string, (a: string[], c: CliContext) => Promise<void>> = {
    create,
    list,
    show,
    update: updateApp,
    'rotate-secret': rotateSecret,
    delete: remove,
  };
  if (command === undefined || ['help', '--help', '-h'].includes(command)) {
    const usage = `usage: latchkey apps <command>\n\n${APPS_USAGE}\n\nlatchkey help lists every command.`;
    throw new ShowUsage(usage, command === undefined ? 2 : 0);
  }
  const run = commands[command];
  if (!run)
    throw new UsageError(`unknown apps command "${command}"; use ${Object.keys(commands).join(', ')}`);
  await run(rest, cli);
}
