/** A `clients` row as the repository reads it, and the {@link Client} record it maps to. */
import type { Selectable } from 'kysely';
import type { SigningAlgorithm } from '../keys/signing-key.js';
import type { Client } from './client-records.js';
import { splitScopes } from './columns.js';
import type { ClientTable } from './schema.js';

/** Columns the hot-path look-up (clients.ts FIND_WITH_SECRETS_SQL) leaves out. */
export type ColdColumns =
  | 'description'
  | 'homepage_url'
  | 'post_logout_redirect_uris'
  | 'backchannel_logout_uri';

/** A row; the hot-path look-up selects none of the {@link ColdColumns}. */
export type ClientRow = Selectable<Omit<ClientTable, ColdColumns>> &
  Partial<Selectable<Pick<ClientTable, ColdColumns>>>;

/** The {@link Client} of a row; a column the row lacks takes its default. */
export function toClient(row: ClientRow): Client {
  return {
    id: row.id,
    name: row.name,
    isPublic: row.is_public === 1,
    resourceServer: Number(row.is_resource_server) === 1,
    redirectUris: JSON.parse(row.redirect_uris) as string[],
    grantTypes: JSON.parse(row.grant_types) as string[],
    scopes: splitScopes(row.scopes),
    createdAt: Number(row.created_at),
    ...(typeof row.description === 'string' && { description: row.description }),
    ...(typeof row.homepage_url === 'string' && { homepageUrl: row.homepage_url }),
    ...(typeof row.id_token_signed_response_alg === 'string' && {
      idTokenSignedResponseAlg: row.id_token_signed_response_alg as SigningAlgorithm,
    }),
    subjectType: row.subject_type === 'pairwise' ? 'pairwise' : 'public',
    postLogoutRedirectUris:
      typeof row.post_logout_redirect_uris === 'string'
        ? (JSON.parse(row.post_logout_redirect_uris) as string[])
        : [],
    ...(typeof row.backchannel_logout_uri === 'string' && {
      backchannelLogoutUri: row.backchannel_logout_uri,
    }),
  };
}
