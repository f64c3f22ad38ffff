/** Registering an app: validation and defaults, read from the grant catalogue (RFC 6749 §2, RFC 7591 §2). */

import type { CataloguedError } from '../errors.js';
import { defaultGrantTypes, GRANT_TYPE_NAMES, GRANT_TYPES } from '../grants/index.js';
import {
  checkLogoutRegistration,
  type LogoutField,
  type LogoutRequestMembers,
} from '../logout/registration.js';
import type { PrivateNetworks } from '../logout/settings.js';
import { checkOidcRegistration, type OidcField, type OidcRegistrationRequest } from '../oidc/registration.js';
import type { Client, ClientChanges, ClientRepository, NewClient } from '../storage/clients.js';
import { OAuthError } from './errors.js';
import { RedirectUriError, validateRedirectUri } from './redirect-uri.js';
import { parseScope } from './scope.js';

/**
 * What a developer asks for (with the logout members of logout/registration.ts and OpenID Connect's
 * of oidc/registration.ts).
 */
export interface AppRequest extends LogoutRequestMembers, OidcRegistrationRequest {
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
  | LogoutField
  | OidcField;

/** One rule's refusal: the member at fault and what is wrong with it (for the developer). */
export interface AppProblem {
  field: AppField;
  detail: string;
}

/**
 * A request is invalid: `problems` lists every refusal, in the order the rules checked them (every
 * member is checked before any is refused, so a developer fixes them all at once); the message joins
 * them, `field` is the first member at fault (RFC 7591 §3.2.2).
 */
export class AppRegistrationError extends Error implements CataloguedError {
  readonly catalogueName = 'INVALID_CLIENT_METADATA' as const;
  override readonly name = 'AppRegistrationError';
  /** The first member at fault. */
  readonly field: AppField;
  constructor(readonly problems: readonly [AppProblem, ...AppProblem[]]) {
    super(problems.map((problem) => problem.detail).join('; '));
    this.field = problems[0].field;
  }
}

/**
 * The refusals of one request, gathered as each member is checked; a check that refuses returns a
 * placeholder, used only if nothing was refused, which {@link Refusals.check} makes sure of.
 */
class Refusals {
  private readonly list: AppProblem[] = [];

  /** Records a refusal. */
  add(field: AppField, detail: string): void {
    this.list.push({ field, detail });
  }

  /** Throws every refusal at once, if there is any. */
  check(): void {
    const [first, ...rest] = this.list;
    if (first) throw new AppRegistrationError([first, ...rest]);
  }
}

/** The name rule: 1 to 100 characters once trimmed. */
function checkedName(raw: string, refusals: Refusals): string {
  const name = raw.trim();
  if (name.length === 0 || name.length > 100) refusals.add('name', 'name must be 1 to 100 characters');
  // Shown on the consent page and in lists: one line of text (PostgreSQL refuses NUL in text), and no
  // invisible formatting (bidi overrides, zero-width characters) that would make it read as another
  // app's name (RFC 6819 §4.4.1.4).
  else if (/[\p{Cc}\p{Cf}]/u.test(name))
    refusals.add('name', 'name must not contain control or invisible formatting characters');
  return name;
}

/** The scope tokens of `raw`, or `undefined` for a character RFC 6749 §3.3 does not allow. */
export function scopeTokens(raw: string): string[] | undefined {
  try {
    return parseScope(raw);
  } catch (error) {
    if (error instanceof OAuthError) return undefined;
    throw error;
  }
}

/** The scope rule: well-formed (RFC 6749 §3.3), at least one, every one from the catalogue. */
function checkedScopes(raw: string, catalogue: readonly string[], refusals: Refusals): string[] {
  const scopes = scopeTokens(raw);
  if (scopes === undefined) {
    refusals.add('scope', 'scope contains an invalid character (RFC 6749 §3.3)');
    return [];
  }
  if (scopes.length === 0) refusals.add('scope', 'scope must name at least one scope');
  const unknown = scopes.filter((s) => !catalogue.includes(s));
  if (unknown.length > 0) {
    const named = unknown.map((s) => `"${s}"`).join(', ');
    refusals.add(
      'scope',
      `unknown scope${unknown.length > 1 ? 's' : ''} ${named}; the catalogue is: ${catalogue.join(' ')}`,
    );
  }
  return scopes;
}

/** The redirect URI rules (oauth/redirect-uri.ts) for each URI: one refusal per URI refused. */
function checkedRedirectUris(raw: readonly string[], refusals: Refusals): string[] {
  return raw.flatMap((uri) => {
    try {
      return [validateRedirectUri(uri)];
    } catch (error) {
      if (!(error instanceof RedirectUriError)) throw error;
      refusals.add('redirect_uris', error.message);
      return [];
    }
  });
}

/** Longest description, in characters. */
export const MAX_DESCRIPTION = 500;
/** Longest homepage URL, in characters. */
export const MAX_HOMEPAGE_URL = 2000;
/** Control characters (C0, DEL, C1) other than tab and line breaks: PostgreSQL refuses NUL in text. */
const CONTROL = /[^\P{Cc}\t\n\r]/u;

/** The description rule: at most 500 characters of text once trimmed; blank means none (`null`). */
function checkedDescription(raw: string, refusals: Refusals): string | null {
  const description = raw.trim();
  if (description.length > MAX_DESCRIPTION)
    refusals.add('description', `description must be at most ${MAX_DESCRIPTION} characters`);
  else if (CONTROL.test(description))
    refusals.add('description', 'description must not contain control characters');
  return description || null;
}

/** Why a homepage URL is refused, or `undefined` when it may be registered. */
function homepageFault(uri: string): string | undefined {
  if (uri.length > MAX_HOMEPAGE_URL) return `must be at most ${MAX_HOMEPAGE_URL} characters`;
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return 'must be an absolute URL such as https://example.com';
  }
  const local = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
  if (!(url.protocol === 'https:' || (url.protocol === 'http:' && local)))
    return 'must use https (http only for localhost)';
  // Stored as typed and later shown as a link: what a link may not hold (pages/html.ts safeUrl) is
  // refused here, not found when the app's page renders.
  if (/[\s\\\p{Cc}]/u.test(uri)) return 'must not contain spaces, backslashes or control characters';
  if (url.username || url.password) return 'must not contain a user name or password';
  return undefined;
}

/**
 * The homepage rule: an absolute https URL (http only for localhost, for development) of at most 2,000
 * characters, without userinfo; blank means none (`null`). Users see it on the consent page, so it must
 * be a link that goes where it says (RFC 7591 §2 `client_uri`, §5 on displayed URLs).
 */
function checkedHomepage(raw: string, refusals: Refusals): string | null {
  const uri = raw.trim();
  if (uri === '') return null;
  const fault = homepageFault(uri);
  if (fault !== undefined) refusals.add('homepage_url', `homepage URL ${fault}`);
  return uri;
}

/**
 * The logout members (logout/registration.ts): every problem is a refusal. `privateNetworks`: whether
 * a back-channel logout URI may point into a private network (LATCHKEY_BACKCHANNEL_PRIVATE_NETWORKS).
 */
function checkedLogout(
  request: LogoutRequestMembers,
  signsUsersIn: boolean,
  privateNetworks: PrivateNetworks,
  refusals: Refusals,
) {
  const { registration, problems } = checkLogoutRegistration(request, signsUsersIn, privateNetworks);
  for (const problem of problems) refusals.add(problem.field, problem.detail);
  return registration;
}

/** The OpenID Connect members (oidc/registration.ts), against the redirect URIs the app will have. */
function checkedOidc(
  request: OidcRegistrationRequest,
  redirectUris: readonly string[],
  refusals: Refusals,
  current?: Client,
) {
  const { values, problems } = checkOidcRegistration(request, redirectUris, current);
  for (const problem of problems) refusals.add(problem.field, problem.detail);
  return values;
}

/**
 * What an update asks for; absent members stay, a blank description, homepage or back-channel logout
 * URI removes it.
 */
export interface AppChangeRequest extends LogoutRequestMembers, OidcRegistrationRequest {
  name?: string;
  scope?: string;
  redirectUris?: string[];
  description?: string;
  homepageUrl?: string;
}

/**
 * Checks changes to a registered app by the rules of registration, every member before refusing any:
 * a code-flow app keeps at least one redirect URI (RFC 6749 §3.1.2). Returns the changes to store
 * (`undefined`: keep, `null`: remove); throws an {@link AppRegistrationError} listing every refusal.
 * `privateNetworks`: the server's LATCHKEY_BACKCHANNEL_PRIVATE_NETWORKS (unless given: denied).
 */
export function checkAppChanges(
  catalogue: readonly string[],
  app: Client,
  request: AppChangeRequest,
  privateNetworks: PrivateNetworks = 'deny',
): ClientChanges {
  const refusals = new Refusals();
  const { name, description, homepageUrl, scope, redirectUris } = request;
  const changes: ClientChanges = {
    ...(name !== undefined && { name: checkedName(name, refusals) }),
    ...(description !== undefined && { description: checkedDescription(description, refusals) }),
    ...(homepageUrl !== undefined && { homepageUrl: checkedHomepage(homepageUrl, refusals) }),
    ...(scope !== undefined && { scopes: checkedScopes(scope, catalogue, refusals) }),
    ...(redirectUris !== undefined && {
      redirectUris: [...new Set(checkedRedirectUris(redirectUris, refusals))],
    }),
  };
  const needsRedirect = app.grantTypes.some((grant) => GRANT_TYPES.get(grant)?.needsRedirectUri);
  if (redirectUris?.length === 0 && needsRedirect)
    refusals.add('redirect_uris', 'an app that signs users in needs at least one redirect URI');
  const logout = checkedLogout(request, needsRedirect, privateNetworks, refusals);
  const oidc = checkedOidc(request, changes.redirectUris ?? app.redirectUris, refusals, app);
  refusals.check();
  return { ...changes, ...logout, ...oidc };
}

/**
 * Validates changes to a registered app ({@link checkAppChanges}) and applies them; returns the app as
 * changed.
 */
export async function changeApp(
  clients: ClientRepository,
  catalogue: readonly string[],
  app: Client,
  request: AppChangeRequest,
  privateNetworks: PrivateNetworks = 'deny',
): Promise<Client> {
  const changes = checkAppChanges(catalogue, app, request, privateNetworks);
  await clients.update(app.id, changes);
  // A change replaces the value, `null` removes it, `undefined` keeps what the app had.
  const after = (changed: string | null | undefined, before: string | undefined) =>
    changed === undefined ? before : (changed ?? undefined);
  const { description: before, homepageUrl: beforeHomepage, backchannelLogoutUri, ...rest } = app;
  const newDescription = after(changes.description, before);
  const newHomepage = after(changes.homepageUrl, beforeHomepage);
  const newReceiver = after(changes.backchannelLogoutUri, backchannelLogoutUri);
  return {
    ...rest,
    ...(changes.postLogoutRedirectUris && { postLogoutRedirectUris: changes.postLogoutRedirectUris }),
    ...(newReceiver !== undefined && { backchannelLogoutUri: newReceiver }),
    ...(changes.name && { name: changes.name }),
    ...(changes.scopes && { scopes: changes.scopes }),
    ...(changes.redirectUris && { redirectUris: changes.redirectUris }),
    ...(newDescription !== undefined && { description: newDescription }),
    ...(newHomepage !== undefined && { homepageUrl: newHomepage }),
    ...(changes.subjectType && { subjectType: changes.subjectType }),
    ...(changes.idTokenSignedResponseAlg && { idTokenSignedResponseAlg: changes.idTokenSignedResponseAlg }),
  };
}

/** The grant rules: each from the grant catalogue, allowed to a public app if it is one, reachable. */
function checkedGrants(request: AppRequest, isPublic: boolean, refusals: Refusals): string[] {
  // Counted as given: a URI refused above is not also "missing".
  const hasRedirectUri = (request.redirectUris ?? []).length > 0;
  const grants = request.grants?.length
    ? [...new Set(request.grants)]
    : defaultGrantTypes(isPublic, hasRedirectUri);
  if (grants.length === 0) refusals.add('grant_types', 'an app needs at least one grant');
  const unknown = grants.filter((grant) => !GRANT_TYPES.has(grant));
  if (unknown.length > 0)
    refusals.add(
      'grant_types',
      `unknown grant ${unknown.map((g) => `"${g}"`).join(', ')}; use one of ${GRANT_TYPE_NAMES.join(', ')}`,
    );
  const known = grants.flatMap((grant) => {
    const entry = GRANT_TYPES.get(grant);
    return entry ? [{ grant, ...entry }] : [];
  });
  const forbidden = known.filter((entry) => isPublic && !entry.publicClients).map((entry) => entry.grant);
  if (forbidden.length > 0)
    refusals.add('grant_types', `a public app cannot use the ${forbidden.join(', ')} grant`);
  const unreachable = known.find((entry) => entry.needsRedirectUri && !hasRedirectUri);
  if (unreachable)
    refusals.add('redirect_uris', `the ${unreachable.grant} grant needs at least one --redirect-uri`);
  return grants;
}

/**
 * Checks a registration by every rule before refusing any: scopes from the server's catalogue; grants
 * from the grant catalogue (grants/index.ts), whose entries say which a public app may not use
 * (client_credentials, RFC 6749 §4.4) and which need at least one redirect URI (authorization_code,
 * RFC 6749 §3.1.2). Returns the app to store; throws an {@link AppRegistrationError} listing every
 * refusal (RFC 7591 §3.2.2). `privateNetworks`: the server's LATCHKEY_BACKCHANNEL_PRIVATE_NETWORKS
 * (unless given: denied).
 */
export function checkAppRequest(
  catalogue: readonly string[],
  request: AppRequest,
  privateNetworks: PrivateNetworks = 'deny',
): NewClient {
  const refusals = new Refusals();
  const isPublic = request.isPublic ?? false;
  const name = checkedName(request.name, refusals);
  const description = checkedDescription(request.description ?? '', refusals) ?? undefined;
  const homepageUrl = checkedHomepage(request.homepageUrl ?? '', refusals) ?? undefined;
  const redirectUris = checkedRedirectUris(request.redirectUris ?? [], refusals);
  const grantTypes = checkedGrants(request, isPublic, refusals);
  const scopes = checkedScopes(request.scope, catalogue, refusals);
  const signsUsersIn = grantTypes.some((grant) => GRANT_TYPES.get(grant)?.needsRedirectUri);
  const { postLogoutRedirectUris, backchannelLogoutUri } = checkedLogout(
    request,
    signsUsersIn,
    privateNetworks,
    refusals,
  );
  const oidc = checkedOidc(request, redirectUris, refusals);
  refusals.check();
  return {
    ...oidc,
    name,
    isPublic,
    redirectUris,
    grantTypes,
    scopes,
    ...(description !== undefined && { description }),
    ...(homepageUrl !== undefined && { homepageUrl }),
    ...(postLogoutRedirectUris !== undefined && { postLogoutRedirectUris }),
    ...(backchannelLogoutUri && { backchannelLogoutUri }),
  };
}

/** Validates ({@link checkAppRequest}) and registers an app. */
export async function registerApp(
  clients: ClientRepository,
  catalogue: readonly string[],
  request: AppRequest,
  privateNetworks: PrivateNetworks = 'deny',
): Promise<{ client: Client; clientSecret?: string }> {
  return clients.create(checkAppRequest(catalogue, request, privateNetworks));
}
