/**
 * The `sub` an app sees for a user (OIDC Core §8): the user's stable opaque ID for `public` apps, and
 * for `pairwise` apps a value derived from the app's sector and the user, so apps of different
 * sectors cannot correlate a user by `sub`. Never the email.
 */
import { createHmac } from 'node:crypto';
import type { Client } from '../storage/client-records.js';

/**
 * The sector identifier of an app (OIDC Core §8.1): the host of its redirect URIs. Registration
 * refuses `pairwise` for an app whose redirect URIs name several hosts (no `sector_identifier_uri`
 * here), so one host is all there is; `undefined` for an app without redirect URIs.
 */
export function sectorOf(client: Pick<Client, 'redirectUris'>): string | undefined {
  const first = client.redirectUris[0];
  return first === undefined ? undefined : new URL(first).host;
}

/**
 * The subject identifier of `userId` for `client` (OIDC Core §8.1: pairwise as HMAC-SHA-256 of the
 * sector and the local ID under a per-database key, base64url; the same at every server of one
 * database, different for every sector).
 */
export function subjectFor(
  client: Pick<Client, 'subjectType' | 'redirectUris' | 'id'>,
  userId: string,
  pairwiseKey: Buffer,
): string {
  if (client.subjectType !== 'pairwise') return userId;
  const sector = sectorOf(client) ?? client.id;
  return createHmac('sha256', pairwiseKey).update(`${sector}\n${userId}`).digest('base64url');
}
