/**
 * Logout tokens (OIDC Back-Channel Logout 1.0 §2.4): a JWT typed `logout+jwt`, signed like the app's ID
 * tokens, naming the user as the app knows them (`sub`, pairwise or not) and the session (`sid`) when
 * the app's grants name it; the `events` member, and never a `nonce`.
 */
import { randomUUID } from 'node:crypto';
import type { KeyManager } from '../keys/key-manager.js';
import { subjectFor } from '../oidc/subject.js';
import type { Client } from '../storage/clients.js';
import { decodeJsonPart, signJwt } from '../tokens/jwt.js';
import type { Signer } from '../tokens/signer.js';

/** The event a logout token carries (Back-Channel Logout 1.0 §2.4). */
export const BACKCHANNEL_LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';

/** The JWT `typ` of a logout token (Back-Channel Logout 1.0 §2.4, explicit typing, RFC 8725 §3.11). */
export const LOGOUT_TOKEN_TYPE = 'logout+jwt';

/**
 * How long a logout token is valid (s): §2.4 asks for a short lifetime, and the default retry
 * schedule (logout/settings.ts) fits in it.
 */
export const LOGOUT_TOKEN_TTL = 120;

/** What signing a logout token needs. */
export interface LogoutTokenSigning {
  issuer: string;
  keys: KeyManager;
  signer: Signer;
  /** The per-database key pairwise subjects are derived with (oidc/subject.ts). */
  pairwiseKey: Buffer;
}

/** The app's parts a logout token depends on. */
export type LogoutTokenApp = Pick<Client, 'id' | 'subjectType' | 'redirectUris' | 'idTokenSignedResponseAlg'>;

/** Signs `claims` with the active key of the algorithm the app's ID tokens use (RS256 by default). */
function sign(signing: LogoutTokenSigning, app: LogoutTokenApp, claims: Record<string, unknown>) {
  const key = signing.keys.activeFor(app.idTokenSignedResponseAlg ?? 'RS256');
  return signJwt(signing.signer, key, LOGOUT_TOKEN_TYPE, claims);
}

/**
 * A logout token for `app` about `userId`: `sub` is the one the app received in its ID tokens
 * (OIDC Core §8), `sid` the session's when given; `iat` now, `exp` {@link LOGOUT_TOKEN_TTL} later, a
 * fresh `jti`, `aud` the app's client ID.
 */
export function signLogoutToken(
  signing: LogoutTokenSigning,
  app: LogoutTokenApp,
  userId: string,
  sid: string | undefined,
): Promise<string> {
  const iat = Math.floor(Date.now() / 1000);
  return sign(signing, app, {
    iss: signing.issuer,
    sub: subjectFor(app, userId, signing.pairwiseKey),
    aud: app.id,
    iat,
    exp: iat + LOGOUT_TOKEN_TTL,
    jti: randomUUID(),
    events: { [BACKCHANNEL_LOGOUT_EVENT]: {} },
    ...(sid !== undefined && { sid }),
  });
}

/**
 * The token to send now: the stored one while it stays valid `marginSeconds` longer; otherwise (a
 * server that was down for a while, or a long retry schedule) the same claims signed again with a new
 * `iat`, `exp` and `jti`, so the app never gets a token it must reject as expired (§2.6 step 8).
 */
export async function sendableLogoutToken(
  signing: LogoutTokenSigning,
  app: LogoutTokenApp,
  stored: string,
  marginSeconds: number,
): Promise<string> {
  const claims = decodeJsonPart(stored.split('.')[1] ?? '');
  const now = Math.floor(Date.now() / 1000);
  if (!claims || typeof claims['exp'] !== 'number' || claims['exp'] > now + marginSeconds) return stored;
  return sign(signing, app, { ...claims, iat: now, exp: now + LOGOUT_TOKEN_TTL, jti: randomUUID() });
}
