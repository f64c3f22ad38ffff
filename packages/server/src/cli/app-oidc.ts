/**
 * The OpenID Connect options of `apps create` and `apps update`: `--subject-type public|pairwise`
 * (OIDC Core §8) and `--id-token-signed-response-alg RS256|ES256|EdDSA` (the app's ID tokens).
 */
import { AppRegistrationError, changeApp } from '../oauth/app-registration.js';
import type { OidcRegistrationRequest } from '../oidc/registration.js';
import type { Client } from '../storage/clients.js';
import { UsageError } from './args.js';
import type { CliContext } from './context.js';

/** The options, for `parse`. */
export const OIDC_APP_OPTIONS = {
  'subject-type': { type: 'string' },
  'id-token-signed-response-alg': { type: 'string' },
} as const;

/** The usage lines. */
export const OIDC_APP_USAGE = `[--subject-type public|pairwise] [--id-token-signed-response-alg RS256|ES256|EdDSA]`;

/** The registration members the parsed options ask for (absent when not given). */
export function oidcAppRequest(values: Record<string, unknown>): OidcRegistrationRequest {
  const subjectType = values['subject-type'];
  const alg = values['id-token-signed-response-alg'];
  return {
    ...(typeof subjectType === 'string' && { subjectType }),
    ...(typeof alg === 'string' && { idTokenSignedResponseAlg: alg }),
  };
}

/** Whether any OpenID Connect option was given. */
export function hasOidcOptions(values: Record<string, unknown>): boolean {
  return Object.keys(oidcAppRequest(values)).length > 0;
}

/** `apps update ID --subject-type ... --id-token-signed-response-alg ...`: the app as changed. */
export async function updateOidcMembers(
  cli: CliContext,
  id: string,
  values: Record<string, unknown>,
): Promise<Client> {
  const clients = await cli.clients();
  const app = await clients.find(id);
  if (!app) throw new UsageError(`no app with client_id "${id}"`);
  try {
    return await changeApp(clients, cli.config.scopes, app, oidcAppRequest(values));
  } catch (error) {
    if (error instanceof AppRegistrationError) throw new UsageError(error.message);
    throw error;
  }
}
