/** How the management API shows an app: never a secret's value, which is shown once when issued. */
import { appTypeOf } from '../oauth/app-types.js';
import type { Client, SecretInfo } from '../storage/clients.js';
import type { AppRole } from './access.js';

/** An epoch-seconds time as the management API writes every time: RFC 3339 in UTC. */
export const isoTime = (seconds: number): string => new Date(seconds * 1000).toISOString();

/** The JSON of an app, with the caller's role. */
export function appView(app: Client, role: AppRole, ownerEmail: string | null) {
  return {
    client_id: app.id,
    name: app.name,
    description: app.description ?? null,
    homepage_url: app.homepageUrl ?? null,
    type: appTypeOf(app),
    redirect_uris: app.redirectUris,
    post_logout_redirect_uris: app.postLogoutRedirectUris,
    backchannel_logout_uri: app.backchannelLogoutUri ?? null,
    grant_types: app.grantTypes,
    scope: app.scopes.join(' '),
    subject_type: app.subjectType,
    id_token_signed_response_alg: app.idTokenSignedResponseAlg ?? 'RS256',
    owner: ownerEmail,
    role,
    created_at: isoTime(app.createdAt),
  };
}

/** The JSON of a secret: when it was made and when it stops (null: at the next rotation). */
export function secretView(secret: SecretInfo) {
  return {
    id: secret.id,
    created_at: isoTime(secret.createdAt),
    expires_at: secret.expiresAt === undefined ? null : isoTime(secret.expiresAt),
  };
}
