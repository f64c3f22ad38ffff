/** `latchkey apps ...`: create (optionally as a resource server), list, show, rotate-secret, delete. */
import { parseDuration } from '../config.js';
import { AppRegistrationError, registerApp } from '../oauth/app-registration.js';
import { RedirectUriError } from '../oauth/redirect-uri.js';
import type { Client } from '../storage/clients.js';
import { onePositional, out, parse, UsageError } from './args.js';
import type { CliContext } from './context.js';

function describe(client: Client) {
  return {
    client_id: client.id,
    name: client.name,
    public: client.isPublic,
    resource_server: client.resourceServer,
    scope: client.scopes.join(' '),
    grant_types: client.grantTypes,
    redirect_uris: client.redirectUris,
    created_at: new Date(client.createdAt * 1000).toISOString(),
  };
}

function printClient(client: Client): void {
  const d = describe(client);
  out(`client_id:     ${d.client_id}`);
  out(`name:          ${d.name}`);
  out(
    `type:          ${d.public ? 'public' : 'confidential'}${d.resource_server ? ', resource server' : ''}`,
  );
  out(`scope:         ${d.scope}`);
  out(`grant_types:   ${d.grant_types.join(' ')}`);
  out(`redirect_uris: ${d.redirect_uris.join(' ') || '(none)'}`);
}

async function create(args: string[], cli: CliContext): Promise<void> {
  const { values } = parse(args, {
    name: { type: 'string' },
    scope: { type: 'string' },
    'redirect-uri': { type: 'string', multiple: true },
    grant: { type: 'string', multiple: true },
    public: { type: 'boolean' },
    'resource-server': { type: 'boolean' },
    json: { type: 'boolean' },
  });
  if (values.name === undefined) throw new UsageError('missing --name');
  if (values.scope === undefined) throw new UsageError('missing --scope');
  const resourceServer = values['resource-server'] === true;
  // A resource server authenticates to introspect (RFC 7662 §2.1), which a public app cannot.
  if (resourceServer && values.public === true)
    throw new UsageError('--resource-server needs a confidential app; drop --public');
  let result: Awaited<ReturnType<typeof registerApp>>;
  try {
    result = await registerApp(await cli.clients(), cli.config.scopes, {
      name: values.name as string,
      scope: values.scope as string,
      redirectUris: values['redirect-uri'] as string[] | undefined,
      grants: values.grant as string[] | undefined,
      isPublic: values.public === true,
    });
  } catch (error) {
    if (error instanceof AppRegistrationError || error instanceof RedirectUriError)
      throw new UsageError(error.message);
    if (error instanceof Error && error.name === 'OAuthError') throw new UsageError(error.message);
    throw error;
  }
  const { clientSecret } = result;
  let client = result.client;
  if (resourceServer) {
    const clients = await cli.clients();
    if (!(await clients.setResourceServer(client.id, true)))
      throw new Error(`could not mark ${client.id} as a resource server`);
    client = (await clients.find(client.id)) ?? client;
  }
  if (values.json) {
    out(JSON.stringify({ ...describe(client), ...(clientSecret ? { client_secret: clientSecret } : {}) }));
    return;
  }
  printClient(client);
  if (clientSecret) out(`client_secret: ${clientSecret}\n\nThe secret is shown once; store it now.`);
}

async function show(args: string[], cli: CliContext): Promise<void> {
  const { values, positionals } = parse(args, { json: { type: 'boolean' } });
  const id = onePositional(positionals, 'client_id');
  const client = await (await cli.clients()).find(id);
  if (!client) throw new UsageError(`no app with client_id "${id}"`);
  if (values.json) out(JSON.stringify(describe(client)));
  else printClient(client);
}

async function list(args: string[], cli: CliContext): Promise<void> {
  const { values } = parse(args, { json: { type: 'boolean' } });
  const clients = await (await cli.clients()).list();
  if (values.json) {
    out(JSON.stringify(clients.map(describe)));
    return;
  }
  if (clients.length === 0) out('no apps');
  for (const c of clients) {
    const type = c.isPublic ? 'public      ' : 'confidential';
    out(
      `${c.id}  ${type}  ${c.name}  [${c.scopes.join(' ')}]${c.resourceServer ? '  (resource server)' : ''}`,
    );
  }
}

async function rotateSecret(args: string[], cli: CliContext): Promise<void> {
  const { values, positionals } = parse(args, { grace: { type: 'string' }, json: { type: 'boolean' } });
  const id = onePositional(positionals, 'client_id');
  let grace = 0;
  try {
    grace = values.grace === undefined ? 0 : parseDuration(values.grace as string, '--grace');
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const secret = await (await cli.clients()).rotateSecret(id, grace);
  if (secret === undefined) throw new UsageError(`no confidential app with client_id "${id}"`);
  if (values.json) {
    out(JSON.stringify({ client_id: id, client_secret: secret, previous_secret_valid_for: grace }));
    return;
  }
  out(`client_secret: ${secret}`);
  out(
    grace > 0 ? `The previous secret keeps working for ${grace} s.` : 'The previous secret no longer works.',
  );
}

async function remove(args: string[], cli: CliContext): Promise<void> {
  const { positionals } = parse(args, {});
  const id = onePositional(positionals, 'client_id');
  if (!(await (await cli.clients()).delete(id))) throw new UsageError(`no app with client_id "${id}"`);
  out(`deleted ${id}`);
}

/** Dispatches `apps <command>`. */
export async function appsCommand(args: string[], cli: CliContext): Promise<void> {
  const [command, ...rest] = args;
  const commands: Record<string, (a: string[], c: CliContext) => Promise<void>> = {
    create,
    list,
    show,
    'rotate-secret': rotateSecret,
    delete: remove,
  };
  const run = command === undefined ? undefined : commands[command];
  if (!run)
    throw new UsageError(`unknown apps command "${command ?? ''}"; use ${Object.keys(commands).join(', ')}`);
  await run(rest, cli);
}
