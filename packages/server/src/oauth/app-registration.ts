/** Registering an app: validation and defaults, read from the grant catalogue (RFC 6749 §2, RFC 7591 §2). */

import type { CataloguedError } from '../errors.js';
import { defaultGrantTypes, GRANT_TYPE_NAMES, GRANT_TYPES } from '../grants/index.js';
import {
  checkLogoutRegistration,
  type LogoutField,
  type LogoutRequestMembers,
} from '../logout/registration.js';
import type { Client, ClientRepository } from '../storage/clients.js';
import { validateRedirectUri } from './redirect-uri.js';
import { parseScope } from './scope.js';

/** What a developer asks for (with the logout members of logout/registration.ts). */
export interface AppRequest extends LogoutRequestMembers {
  name: string;
  scope: string;
  redirectUris?: string[];
  grants?: string[];
  isPublic?: boolean;
  /** What the app does; blank: none. */
  description?: string;
  /** The app's home page; blank: none. */
  homepageUrl?: string;
}

/** The member of a registration a rule refused, by its name in RFC 7591 and the management API. */
export type AppField =
  | 'name'
  | 'scope'
  | 'redirect_uris'
  | 'grant_types'
  | 'description'
  | 'homepage_url'
  | LogoutField;

/** A request is invalid: the message names the field and the value, `field` the member at fault. */
export class AppRegistrationError extends Error implements CataloguedError {
  readonly catalogueName = 'INVALID_CLIENT_METADATA' as const;
  override readonly name = 'AppRegistrationError';
  constructor(
    message: string,
    readonly field: AppField,
  ) {
    super(message);
  }
}

/** The name rule: 1 to 100 characters once trimmed. */
function checkedName(raw: string): string {
  const name = raw.trim();
  if (name.length === 0 || name.length > 100)
    throw new AppRegistrationError('name must be 1 to 100 characters', 'name');
  // Shown on the consent page and in lists: one line of text (PostgreSQL refuses NUL in text), and no
  // invisible formatting (bidi overrides, zero-width characters) that would make it read as another
  // app's name (RFC 6819 §4.4.1.4).
  if (/[\p{Cc}\p{Cf}]/u.test(name))
    throw new AppRegistrationError(
      'name must not contain control or invisible formatting characters',
      'name',
    );
  return name;
}

/** The scope rule: at least one, every one from the catalogue. */
function checkedScopes(raw: string, catalogue: readonly string[]): string[] {
  const scopes = parseScope(raw);
  if (scopes.length === 0) throw new AppRegistrationError('scope must name at least one scope', 'scope');
  const unknown = scopes.filter((s) => !catalogue.includes(s));
  if (unknown.length > 0) {
    throw new AppRegistrationError(
      `unknown scope "${unknown[0]}"; the catalogue is: ${catalogue.join(' ')}`,
      'scope',
    );
  }
  return scopes;
}

/** Longest description, in characters. */
export const MAX_DESCRIPTION = 500;
/** Longest homepage URL, in characters. */
export const MAX_HOMEPAGE_URL = 2000;
/** Control characters (C0, DEL, C1) other than tab and line breaks: PostgreSQL refuses NUL in text. */
const CONTROL = /[^\P{Cc}\t\n\r]/u;

/** The description rule: at most 500 characters of text once trimmed; blank means none (`null`). */
function checkedDescription(raw: string): string | null {
  const description = raw.trim();
  if (description.length > MAX_DESCRIPTION)
    throw new AppRegistrationError(
      `description must be at most ${MAX_DESCRIPTION} characters`,
      'description',
    );
  if (CONTROL.test(description))
    throw new AppRegistrationError('description must not contain control characters', 'description');
  return description || null;
}

/**
 * The homepage rule: an absolute https URL (http only for localhost, for development) of at most 2,000
 * characters, without userinfo; blank means none (`null`). Users see it on the consent page, so it must
 * be a link that goes where it says (RFC 7591 §2 `client_uri`, §5 on displayed URLs).
 */
function checkedHomepage(raw: string): string | null {
  const uri = raw.trim();
  if (uri === '') return null;
  const fail = (why: string) => new AppRegistrationError(`homepage URL ${why}`, 'homepage_url');
  if (uri.length > MAX_HOMEPAGE_URL) throw fail(`must be at most ${MAX_HOMEPAGE_URL} characters`);
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw fail('must be an absolute URL such as https://example.com');
  }
  const local = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
  if (!(url.protocol === 'https:' || (url.protocol === 'http:' && local)))
    throw fail('must use https (http only for localhost)');
  // Stored as typed and later shown as a link: what a link may not hold (pages/html.ts safeUrl) is
  // refused here, not found when the app's page renders.
  if (/[\s\\\p{Cc}]/u.test(uri)) throw fail('must not contain spaces, backslashes or control characters');
  if (url.username || url.password) throw fail('must not contain a user name or password');
  return uri;
}

/** The logout members (logout/registration.ts), refused on the first problem. */
function checkedLogout(request: LogoutRequestMembers, signsUsersIn: boolean) {
  const { registration, problems } = checkLogoutRegistration(request, signsUsersIn);
  const [problem] = problems;
  if (problem) throw new AppRegistrationError(problem.detail, problem.field);
  return registration;
}

/**
 * What an update asks for; absent members stay, a blank description, homepage or back-channel logout
 * URI removes it.
 */
export interface AppChangeRequest extends LogoutRequestMembers {
  name?: string;
  scope?: string;
  redirectUris?: string[];
  description?: string;
  homepageUrl?: string;
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
  const description = request.description === undefined ? undefined : checkedDescription(request.description);
  const homepageUrl = request.homepageUrl === undefined ? undefined : checkedHomepage(request.homepageUrl);
  const scopes = request.scope === undefined ? undefined : checkedScopes(request.scope, catalogue);
  const redirectUris = request.redirectUris?.map(validateRedirectUri);
  const needsRedirect = app.grantTypes.some((grant) => GRANT_TYPES.get(grant)?.needsRedirectUri);
  if (redirectUris?.length === 0 && needsRedirect)
    throw new AppRegistrationError(
      'an app that signs users in needs at least one redirect URI',
      'redirect_uris',
    );
  const logout = checkedLogout(request, needsRedirect);
  const changes = {
    name,
    scopes,
    redirectUris: redirectUris && [...new Set(redirectUris)],
    description,
    homepageUrl,
    ...logout,
  };
  await clients.update(app.id, changes);
  // A change replaces the value, `null` removes it, `undefined` keeps what the app had.
  const after = (changed: string | null | undefined, before: string | undefined) =>
    changed === undefined ? before : (changed ?? undefined);
  const { description: before, homepageUrl: beforeHomepage, backchannelLogoutUri, ...rest } = app;
  const newDescription = after(description, before);
  const newHomepage = after(homepageUrl, beforeHomepage);
  const newReceiver = after(logout.backchannelLogoutUri, backchannelLogoutUri);
  return {
    ...rest,
    ...(logout.postLogoutRedirectUris && { postLogoutRedirectUris: logout.postLogoutRedirectUris }),
    ...(newReceiver !== undefined && { backchannelLogoutUri: newReceiver }),
    ...(name && { name }),
    ...(scopes && { scopes }),
    ...(changes.redirectUris && { redirectUris: changes.redirectUris }),
    ...(newDescription !== undefined && { description: newDescription }),
    ...(newHomepage !== undefined && { homepageUrl: newHomepage }),
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
  const description = checkedDescription(request.description ?? '') ?? undefined;
  const homepageUrl = checkedHomepage(request.homepageUrl ?? '') ?? undefined;
  const scopes = checkedScopes(request.scope, catalogue);
  const redirectUris = (request.redirectUris ?? []).map(validateRedirectUri);
  const isPublic = request.isPublic ?? false;
  const grants = request.grants?.length
    ? [...new Set(request.grants)]
    : defaultGrantTypes(isPublic, redirectUris.length > 0);
  const known = grants.map((grant) => {
    const entry = GRANT_TYPES.get(grant);
    if (entry) return { grant, ...entry };
    throw new AppRegistrationError(
      `unknown grant "${grant}"; use one of ${GRANT_TYPE_NAMES.join(', ')}`,
      'grant_types',
    );
  });
  const forbidden = known.find((entry) => isPublic && !entry.publicClients);
  if (forbidden)
    throw new AppRegistrationError(`a public app cannot use the ${forbidden.grant} grant`, 'grant_types');
  const unreachable = known.find((entry) => entry.needsRedirectUri && redirectUris.length === 0);
  if (unreachable) {
    throw new AppRegistrationError(
      `the ${unreachable.grant} grant needs at least one --redirect-uri`,
      'redirect_uris',
    );
  }
  if (grants.length === 0) throw new AppRegistrationError('an app needs at least one grant', 'grant_types');
  const { postLogoutRedirectUris, backchannelLogoutUri } = checkedLogout(
    request,
    known.some((entry) => entry.needsRedirectUri),
  );
  return clients.create({
    name,
    isPublic,
    redirectUris,
    grantTypes: grants,
    scopes,
    ...(description !== undefined && { description }),
    ...(homepageUrl !== undefined && { homepageUrl }),
    ...(postLogoutRedirectUris !== undefined && { postLogoutRedirectUris }),
    ...(backchannelLogoutUri && { backchannelLogoutUri }),
  });
}
