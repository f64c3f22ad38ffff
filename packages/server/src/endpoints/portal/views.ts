/** From an app as storage keeps it to what the portal's pages show (pages/portal/*), and back from a form. */
import type { ServerContext } from '../../context.js';
import type { Params } from '../../http/form.js';
import { type AppRole, may } from '../../manage/access.js';
import { FieldProblems } from '../../manage/field-problems.js';
import { APP_TYPES, appTypeOf } from '../../oauth/app-types.js';
import type { AppFormValues, ScopeOption } from '../../pages/portal/app-form.js';
import type { AppRights, PortalAppView } from '../../pages/portal/app-view.js';
import type { CredentialsView } from '../../pages/portal/credentials.js';
import type { Client } from '../../storage/clients.js';
import { AUTHORIZE_PATH } from '../authorize.js';
import { TOKEN_PATH } from '../token.js';

/** The most redirect URIs a form may list (as the management API: manage/body.ts). */
export const MAX_REDIRECT_URIS = 50;

/** The scope catalogue as the form offers it: descriptions, and which only an admin may give. */
export function scopeOptions(ctx: ServerContext): ScopeOption[] {
  return ctx.config.scopes.map((name) => ({
    name,
    description: ctx.config.scopeDescriptions[name] ?? name,
    restricted: ctx.config.restrictedScopes.includes(name),
  }));
}

/** The app's values, as its Settings form starts. */
export function formValuesOf(app: Client): AppFormValues {
  return {
    name: app.name,
    description: app.description ?? '',
    homepageUrl: app.homepageUrl ?? '',
    redirectUris: app.redirectUris.join('\n'),
    postLogoutRedirectUris: app.postLogoutRedirectUris.join('\n'),
    backchannelLogoutUri: app.backchannelLogoutUri ?? '',
    type: appTypeOf(app),
    scopes: app.scopes,
  };
}

/**
 * What an app form sent, as typed: scopes are one checkbox each, named `scope.<name>` (a form field may
 * not repeat, http/page-form.ts), for the catalogue's scopes only; an empty field is absent (RFC 6749
 * §3.1 parsing), so it reads as ''.
 */
export function formValuesFrom(params: Params, catalogue: readonly string[]): AppFormValues {
  return {
    name: params.get('name') ?? '',
    description: params.get('description') ?? '',
    homepageUrl: params.get('homepage_url') ?? '',
    redirectUris: params.get('redirect_uris') ?? '',
    postLogoutRedirectUris: params.get('post_logout_redirect_uris') ?? '',
    backchannelLogoutUri: params.get('backchannel_logout_uri') ?? '',
    type: params.get('type') ?? '',
    scopes: catalogue.filter((scope) => params.has(`scope.${scope}`)),
  };
}

/** A textarea of URIs as a list: one a line, blank lines dropped. */
function linesOf(text: string): string[] {
  return text
    .split(/\r\n|\r|\n/)
    .map((line) => line.trim())
    .filter(Boolean);
}

/**
 * The Redirect URIs of a form, and the refusals so far: more than {@link MAX_REDIRECT_URIS} is refused
 * at once (none of them is checked further, and the other fields are checked all the same).
 */
export function redirectUrisChecked(values: AppFormValues): {
  redirectUris: string[];
  problems: FieldProblems;
} {
  const problems = new FieldProblems();
  const redirectUris = redirectUrisOf(values);
  if (redirectUris.length <= MAX_REDIRECT_URIS) return { redirectUris, problems };
  problems.add('redirect_uris', `List at most ${MAX_REDIRECT_URIS} redirect URIs.`);
  return { redirectUris: [], problems };
}

/** The Redirect URIs textarea as a list: one a line, blank lines dropped. */
export function redirectUrisOf(values: AppFormValues): string[] {
  return linesOf(values.redirectUris);
}

/** The logout fields as the management actions take them (logout/registration.ts checks them). */
export function logoutMembersOf(values: AppFormValues) {
  return {
    postLogoutRedirectUris: linesOf(values.postLogoutRedirectUris),
    backchannelLogoutUri: values.backchannelLogoutUri,
  };
}

/** What the user's role lets them do (manage/access.ts). */
export function rightsOf(role: AppRole): AppRights {
  return {
    editDetails: may(role, 'edit-details'),
    manageCollaborators: may(role, 'manage-collaborators'),
    delete: may(role, 'delete'),
  };
}

/** The app as its page shows it. */
export function portalAppView(
  ctx: ServerContext,
  app: Client,
  role: AppRole,
  ownerEmail: string | null,
): PortalAppView {
  const type = appTypeOf(app);
  return {
    clientId: app.id,
    name: app.name,
    ...(app.description !== undefined && { description: app.description }),
    ...(app.homepageUrl !== undefined && { homepageUrl: app.homepageUrl }),
    type,
    typeLabel: APP_TYPES[type].label,
    createdAt: new Date(app.createdAt * 1000),
    scopes: app.scopes.map((name) => ({ name, description: ctx.config.scopeDescriptions[name] ?? name })),
    role,
    ownerEmail,
    confidential: !app.isPublic,
  };
}

/** The credentials part of the created and rotated pages. */
export function credentialsOf(ctx: ServerContext, app: Client, clientSecret?: string): CredentialsView {
  return {
    clientId: app.id,
    ...(clientSecret !== undefined && { clientSecret }),
    type: appTypeOf(app),
    scopes: app.scopes,
    ...(app.redirectUris[0] !== undefined && { redirectUri: app.redirectUris[0] }),
    tokenEndpoint: `${ctx.config.issuer}${TOKEN_PATH}`,
    authorizationEndpoint: `${ctx.config.issuer}${AUTHORIZE_PATH}`,
  };
}
