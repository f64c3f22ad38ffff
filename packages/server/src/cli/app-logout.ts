/**
 * An app's logout registration from the command line: `apps create` and `apps update` take
 * `--post-logout-redirect-uri URI` (repeatable: the whole list; one empty value clears it) and
 * `--backchannel-logout-uri URI` (an empty value removes it), checked by logout/registration.ts.
 */
import type { ParseArgsConfig } from 'node:util';
import { type AppChangeRequest, AppRegistrationError, changeApp } from '../oauth/app-registration.js';
import type { Client } from '../storage/clients.js';
import { UsageError } from './args.js';
import type { CliContext } from './context.js';

/** The options, for `parse`. */
export const LOGOUT_OPTIONS = {
  'post-logout-redirect-uri': { type: 'string', multiple: true },
  'backchannel-logout-uri': { type: 'string' },
} as const satisfies NonNullable<ParseArgsConfig['options']>;

/** The usage lines of the options. */
export const LOGOUT_USAGE = `              [--post-logout-redirect-uri U]... [--backchannel-logout-uri U]
                                      where RP-Initiated Logout may send users back to (exact);
                                      where Back-Channel Logout posts logout tokens (https)`;

/** The logout members of a registration or an update, as the options give them (absent: unchanged). */
export function logoutMembers(values: Record<string, unknown>): {
  postLogoutRedirectUris?: string[];
  backchannelLogoutUri?: string;
} {
  const uris = values['post-logout-redirect-uri'] as string[] | undefined;
  const receiver = values['backchannel-logout-uri'] as string | undefined;
  return {
    ...(uris !== undefined && { postLogoutRedirectUris: uris.filter((uri) => uri !== '') }),
    ...(receiver !== undefined && { backchannelLogoutUri: receiver }),
  };
}

/** Whether the options change the logout registration. */
export function changesLogout(values: Record<string, unknown>): boolean {
  return Object.keys(logoutMembers(values)).length > 0;
}

/**
 * `apps update ID` with registration options (these, and the OpenID Connect ones of cli/app-oidc.ts):
 * one change, every member checked before any is refused; the app as changed, or a usage error naming
 * the refusals.
 */
export async function updateRegistration(
  cli: CliContext,
  id: string,
  request: AppChangeRequest,
): Promise<Client> {
  const clients = await cli.clients();
  const app = await clients.find(id);
  if (!app) throw new UsageError(`no app with client_id "${id}"`);
  try {
    const { privateNetworks } = cli.config.backchannelLogout;
    return await changeApp(clients, cli.config.scopes, app, request, privateNetworks);
  } catch (error) {
    if (error instanceof AppRegistrationError) throw new UsageError(error.message);
    throw error;
  }
}

/** The lines `apps show` prints for the logout registration. */
export function logoutLines(client: Client): string[] {
  return [
    `post_logout_redirect_uris: ${client.postLogoutRedirectUris.join(' ') || '(none)'}`,
    `backchannel_logout_uri: ${client.backchannelLogoutUri ?? '(none)'}`,
  ];
}
