/** Registering an app: validation and defaults, read from the grant catalogue (RFC 6749 §2, RFC 7591 §2). */

import type { CataloguedError } from '../errors.js';
import { defaultGrantTypes, GRANT_TYPE_NAMES, GRANT_TYPES } from '../grants/index.js';
import type { Client, ClientRepository } from '../storage/clients.js';
import { validateRedirectUri } from './redirect-uri.js';
import { parseScope } from './scope.js';

/** What a developer asks for. */
export interface AppRequest {
  name: string;
  scope: string;
  redirectUris?: string[];
  grants?: string[];
  isPublic?: boolean;
}

/** A request is invalid: the message names the field and the value. */
export class AppRegistrationError extends Error implements CataloguedError {
  readonly catalogueName = 'INVALID_CLIENT_METADATA' as const;
  override readonly name = 'AppRegistrationError';
}

/** The name rule: 1 to 100 characters once trimmed. */
function checkedName(raw: string): string {
  const name = raw.trim();
  if (name.length === 0 || name.length > 100)
    throw new AppRegistrationError('name must be 1 to 100 characters');
  return name;
}

/** The scope rule: at least one, every one from the catalogue. */
function checkedScopes(raw: string, catalogue: readonly string[]): string[] {
  const scopes = parseScope(raw);
  if (scopes.length === 0) throw new AppRegistrationError('scope must name at least one scope');
  const unknown = scopes.filter((s) => !catalogue.includes(s));
  if (unknown.length > 0) {
    throw new AppRegistrationError(`unknown scope "${unknown[0]}"; the catalogue is: ${catalogue.join(' ')}`);
  }
  return scopes;
}

/** What an update asks for; absent members stay. */
export interface AppChangeRequest {
  name?: string;
  scope?: string;
  redirectUris?: string[];
}

/**
 * Validates changes to a registered app by the rules of registration, and applies them: a code-flow app
 * keeps at least one redirect URI (RFC 6749 §3.1.2).
 */
export async function changeApp(
  clients: ClientRepository,
  catalogue: readonly string[],
  app: Client,
  request: AppChangeRequest,
): Promise<Client> {
  const name = request.name === undefined ? undefined : checkedName(request.name);
  const scopes = request.scope === undefined ? undefined : checkedScopes(request.scope, catalogue);
  const redirectUris = request.redirectUris?.map(validateRedirectUri);
  const needsRedirect = app.grantTypes.some((grant) => GRANT_TYPES.get(grant)?.needsRedirectUri);
  if (redirectUris?.length === 0 && needsRedirect)
    throw new AppRegistrationError('an app that signs users in needs at least one redirect URI');
  const changes = { name, scopes, redirectUris: redirectUris && [...new Set(redirectUris)] };
  await clients.update(app.id, changes);
  return {
    ...app,
    ...(name && { name }),
    ...(scopes && { scopes }),
    ...(changes.redirectUris && { redirectUris: changes.redirectUris }),
  };
}

/**
 * Validates and registers an app. Scopes must come from the server's catalogue; grants from the grant
 * catalogue (grants/index.ts), whose entries say which a public app may not use (client_credentials,
 * RFC 6749 §4.4) and which need at least one redirect URI (authorization_code, RFC 6749 §3.1.2).
 */
export async function registerApp(
  clients: ClientRepository,
  catalogue: readonly string[],
  request: AppRequest,
): Promise<{ client: Client; clientSecret?: string }> {
  const name = checkedName(request.name);
  const scopes = checkedScopes(request.scope, catalogue);
  const redirectUris = (request.redirectUris ?? []).map(validateRedirectUri);
  const isPublic = request.isPublic ?? false;
  const grants = request.grants?.length
    ? [...new Set(request.grants)]
    : defaultGrantTypes(isPublic, redirectUris.length > 0);
  const known = grants.map((grant) => {
    const entry = GRANT_TYPES.get(grant);
    if (entry) return { grant, ...entry };
    throw new AppRegistrationError(`unknown grant "${grant}"; use one of ${GRANT_TYPE_NAMES.join(', ')}`);
  });
  const forbidden = known.find((entry) => isPublic && !entry.publicClients);
  if (forbidden) throw new AppRegistrationError(`a public app cannot use the ${forbidden.grant} grant`);
  const unreachable = known.find((entry) => entry.needsRedirectUri && redirectUris.length === 0);
  if (unreachable) {
    throw new AppRegistrationError(`the ${unreachable.grant} grant needs at least one --redirect-uri`);
  }
  if (grants.length === 0) throw new AppRegistrationError('an app needs at least one grant');
  return clients.create({ name, isPublic, redirectUris, grantTypes: grants, scopes });
}
