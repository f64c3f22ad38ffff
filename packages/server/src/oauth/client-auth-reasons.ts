/**
 * Why client authentication refused an app that exists, for its developer (Recent errors): which
 * credential was missing or unexpected, and whether a wrong secret is one of the app's own that a
 * rotation retired. Never what the wrong secret was, nor whether it is another app's.
 */
import type { ClientRepository, ClientWithSecrets } from '../storage/clients.js';
import type { DeveloperReason } from './errors.js';

/** "45 s", "12 min", "2 h", "3 d": how long ago, roughly. */
export function roughly(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.round(s / 60)} min`;
  if (s < 2 * 86400) return `${Math.round(s / 3600)} h`;
  return `${Math.round(s / 86400)} d`;
}

/**
 * Why the credentials presented for `client` failed (RFC 6749 §2.3.1). A wrong secret is looked up
 * among the app's own expired secrets only when the failure is recorded (a function: a database read),
 * by its hash (`presentedHash`, which authentication computed anyway); the closure holds the hash,
 * never the secret.
 */
export function secretMismatchReason(
  clients: ClientRepository,
  client: ClientWithSecrets,
  secret: string | undefined,
  presentedHash: string,
): DeveloperReason {
  if (client.isPublic)
    return 'a client secret was sent, but this app has none: it is public and proves itself with PKCE';
  if (secret === undefined)
    return 'no client secret was sent (use HTTP Basic authentication or client_secret in the body)';
  if (client.secretHashes.length === 0)
    return 'client secret does not match: the app has no working secret (rotate it to get one)';
  return async () => {
    const retired = await clients.retiredSecret(client.id, presentedHash);
    if (!retired) return 'client secret does not match';
    const now = Date.now() / 1000;
    return retired.rotatedAt === undefined
      ? `client secret does not match (the secret expired ${roughly(now - retired.expiredAt)} ago after a rotation)`
      : `client secret does not match (the secret rotated ${roughly(now - retired.rotatedAt)} ago has expired)`;
  };
}

/** Why a throttled request was refused before its credentials were checked. */
export function throttledReason(retryAfterSeconds: number): string {
  return `refused without checking the credentials: too many failed client authentications for this app or from this address; retry in ${roughly(retryAfterSeconds)}`;
}
