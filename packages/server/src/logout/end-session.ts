/**
 * Ending a sign-in session, by the pages' Sign out or by RP-Initiated Logout: the session row goes,
 * and each app the session signed the user in to that registered a `backchannel_logout_uri` gets a
 * logout token (OIDC Back-Channel Logout 1.0 §2.3, §2.4), queued in the same transaction and sent
 * by the delivery worker off the request path.
 *
 * Grants are not revoked: Back-Channel Logout 1.0 §2.7 leaves it to the app to end what it holds, and
 * says refresh tokens issued with `offline_access` should normally survive a logout, which are the
 * only refresh tokens an OpenID Connect grant has here (OIDC Core §11); OAuth grants without `openid`
 * keep the rules they had, where signing out of Latchkey never revoked an app's access. A user ends an
 * app's access with Connected apps' "Revoke access"; an app with POST /oauth/revoke (RFC 7009).
 */
import type { Logger } from 'pino';
import type { Client } from '../storage/clients.js';
import type { LogoutDeliveryRepository, QueuedLogoutToken } from '../storage/logout-deliveries.js';
import type { UserRepository } from '../storage/users.js';
import { type LogoutTokenSigning, signLogoutToken } from './logout-token.js';

/** What ending a session needs. */
export interface SessionEnding {
  users: Pick<UserRepository, 'session' | 'deleteSession'>;
  clients: { find(id: string): Promise<Client | undefined> };
  deliveries: LogoutDeliveryRepository;
  signing: LogoutTokenSigning;
  logger: Logger;
  /** Wakes the delivery worker once tokens are queued. */
  queued(): void;
}

/** What a sign-out ended. */
export interface EndedSession {
  userId: string;
  sid: string;
  /** The apps a logout token was queued for. */
  notified: string[];
}

/**
 * Signs a logout token for each app that has a `backchannel_logout_uri`, naming `sid` when given. An
 * app whose token cannot be signed is logged and left out: the sessions end all the same.
 */
async function signLogoutTokens(
  ending: Pick<SessionEnding, 'signing' | 'logger'>,
  userId: string,
  apps: readonly { app: Client | undefined; sid: string | undefined }[],
): Promise<QueuedLogoutToken[]> {
  const signed = await Promise.all(
    apps.map(async ({ app, sid }) => {
      if (!app?.backchannelLogoutUri) return [];
      try {
        return [{ clientId: app.id, logoutToken: await signLogoutToken(ending.signing, app, userId, sid) }];
      } catch (error) {
        ending.logger.error({ err: error, client_id: app.id }, 'cannot sign a logout token');
        return [];
      }
    }),
  );
  return signed.flat();
}

/**
 * The logout tokens of ending every session of a user at once (a password reset), for the apps the
 * reset read in its transaction (storage/password-reset.ts): one each, naming `sub` and no `sid`, which
 * tells the app to end all of that user's sessions (Back-Channel Logout 1.0 §2.7). No database call.
 */
export function logoutTokensForEverySession(
  ending: Pick<SessionEnding, 'signing' | 'logger'>,
  userId: string,
  apps: readonly Client[],
): Promise<QueuedLogoutToken[]> {
  return signLogoutTokens(
    ending,
    userId,
    apps.map((app) => ({ app, sid: undefined })),
  );
}

/**
 * Ends the session of a cookie value and queues a logout token for each app to tell (see the file's
 * comment); `undefined` when there was no live session (an expired row is deleted all the same).
 */
export async function endSession(ending: SessionEnding, token: string): Promise<EndedSession | undefined> {
  const [session, row] = await Promise.all([
    ending.users.session(token),
    ending.deliveries.sessionToEnd(token),
  ]);
  if (!session || !row) {
    await ending.users.deleteSession(token);
    return undefined;
  }
  const userId = session.user.id;
  const apps = await ending.deliveries.appsToNotify(userId, session.sid, row.storedSid === null);
  const deliveries = await signLogoutTokens(
    ending,
    userId,
    await Promise.all(
      apps.map(async ({ clientId, withSid }) => ({
        app: await ending.clients.find(clientId),
        sid: withSid ? session.sid : undefined,
      })),
    ),
  );
  const ended = await ending.deliveries.endSession(row.idHash, deliveries);
  if (!ended) return undefined;
  if (deliveries.length > 0) ending.queued();
  return { userId, sid: session.sid, notified: deliveries.map((d) => d.clientId) };
}
