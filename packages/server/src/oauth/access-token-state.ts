/** Whether an access token this server signed still stands: what introspection and the management API ask. */
import type { Repositories } from '../storage/repositories.js';
import type { AccessTokenClaims } from '../tokens/access-token.js';

/**
 * An access token is active only while its client exists, its `jti` is not revoked and its grant (a
 * three-legged token's) is live: a deleted app's tokens, and a revoked grant's, stop working at once
 * although their JWTs are unexpired (RFC 7662 §2.2, RFC 7009 §2.1). `knownClient`: the ID of a client
 * the caller has just looked up itself, which need not be looked up again.
 */
export async function accessTokenActive(
  repositories: Pick<Repositories, 'clients' | 'revocations'>,
  claims: AccessTokenClaims,
  knownClient?: string,
): Promise<boolean> {
  if (claims.client_id !== knownClient && !(await repositories.clients.find(claims.client_id))) return false;
  if (await repositories.revocations.accessTokenRevoked(claims.jti)) return false;
  return claims.gid === undefined || (await repositories.revocations.grantActive(claims.gid));
}
