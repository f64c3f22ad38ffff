/** Registering an app: validation and defaults shared by the CLI and the developer portal. */
import type { Client, ClientRepository } from '../storage/clients.js';
import { validateRedirectUri } from './redirect-uri.js';
import { parseScope } from './scope.js';

/** Grants an app can be given. */
export const KNOWN_GRANTS = ['client_credentials', 'authorization_code', 'refresh_token'] as const;

/** What a developer asks for. */
export interface AppRequest {
  name: string;
  scope: string;
  redirectUris?: string[];
  grants?: string[];
  isPublic?: boolean;
}

/** A request is invalid: the message names the field and the value. */
export class AppRegistrationError extends Error {
  override readonly name = 'AppRegistrationError';
}

function defaultGrants(isPublic: boolean, hasRedirect: boolean): string[] {
  const threeLegged = hasRedirect ? ['authorization_code', 'refresh_token'] : [];
  return isPublic ? threeLegged : ['client_credentials', ...threeLegged];
}

/**
 * Validates and registers an app. Scopes must come from the server's catalogue; a public app cannot use
 * client_credentials (RFC 6749 §4.4); authorization_code needs at least one redirect URI.
 */
export async function registerApp(
  clients: ClientRepository,
  catalogue: readonly string[],
  request: AppRequest,
): Promise<{ client: Client; clientSecret?: string }> {
  const name = request.name.trim();
  if (name.length === 0 || name.length > 100)
    throw new AppRegistrationError('name must be 1 to 100 characters');
  const scopes = parseScope(request.scope);
  if (scopes.length === 0) throw new AppRegistrationError('scope must name at least one scope');
  const unknown = scopes.filter((s) => !catalogue.includes(s));
  if (unknown.length > 0) {
    throw new AppRegistrationError(`unknown scope "${unknown[0]}"; the catalogue is: ${catalogue.join(' ')}`);
  }
  const redirectUris = (request.redirectUris ?? []).map(validateRedirectUri);
  const isPublic = request.isPublic ?? false;
  const grants = request.grants?.length
    ? [...new Set(request.grants)]
    : defaultGrants(isPublic, redirectUris.length > 0);
  for (const grant of grants) {
    if (!(KNOWN_GRANTS as readonly string[]).includes(grant)) {
      throw new AppRegistrationError(`unknown grant "${grant}"; use one of ${KNOWN_GRANTS.join(', ')}`);
    }
  }
  if (isPublic && grants.includes('client_credentials')) {
    throw new AppRegistrationError('a public app cannot use the client_credentials grant');
  }
  if (grants.includes('authorization_code') && redirectUris.length === 0) {
    throw new AppRegistrationError('the authorization_code grant needs at least one --redirect-uri');
  }
  if (grants.length === 0) throw new AppRegistrationError('an app needs at least one grant');
  return clients.create({ name, isPublic, redirectUris, grantTypes: grants, scopes });
}
