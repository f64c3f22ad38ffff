/**
 * The logout of one server: ends sessions (logout/end-session.ts) and runs the back-channel delivery
 * worker (logout/delivery-worker.ts), started with the server and stopped at its shutdown.
 */
import type { Logger } from 'pino';
import type { Db } from '../storage/database.js';
import { LogoutDeliveryRepository } from '../storage/logout-deliveries.js';
import type { SignLogoutTokens } from '../storage/password-reset.js';
import type { Repositories } from '../storage/repositories.js';
import { LogoutDeliveryWorker } from './delivery-worker.js';
import { type EndedSession, endSession, logoutTokensForEverySession } from './end-session.js';
import type { LogoutTokenSigning } from './logout-token.js';
import type { BackchannelLogoutSettings } from './settings.js';

/** Ends sign-in sessions and tells the apps they signed in to. */
export class LogoutService {
  private readonly deliveries: LogoutDeliveryRepository;
  private readonly worker: LogoutDeliveryWorker;

  constructor(
    db: Db,
    private readonly repositories: Pick<Repositories, 'users' | 'clients'>,
    private readonly signing: LogoutTokenSigning,
    settings: BackchannelLogoutSettings,
    private readonly logger: Logger,
  ) {
    this.deliveries = new LogoutDeliveryRepository(db);
    this.worker = new LogoutDeliveryWorker({
      deliveries: this.deliveries,
      findApp: (clientId) => repositories.clients.find(clientId),
      signing,
      settings,
      logger,
    });
  }

  /**
   * Ends the session of a session cookie's value, queueing a logout token for every app to tell;
   * `undefined` when there was no live session.
   */
  endSession(token: string): Promise<EndedSession | undefined> {
    return endSession(
      {
        users: this.repositories.users,
        clients: this.repositories.clients,
        deliveries: this.deliveries,
        signing: this.signing,
        logger: this.logger,
        queued: () => this.worker.wake(),
      },
      token,
    );
  }

  /**
   * Signs the logout tokens that tell `apps` (read by the reset in its transaction) that every session
   * of `userId` ended: the `sign` of a password reset (storage/password-reset.ts); then call
   * {@link LogoutService.queued} once it committed.
   */
  readonly tokensForEverySession: SignLogoutTokens = (userId, apps) =>
    logoutTokensForEverySession({ signing: this.signing, logger: this.logger }, userId, apps);

  /** Sends what was just queued without waiting for the next look at the queue. */
  queued(): void {
    this.worker.wake();
  }

  /** Starts delivering queued logout tokens. */
  start(): void {
    this.worker.start();
  }

  /** Stops delivering; an attempt under way is cut short and its row left for the next server. */
  stop(): Promise<void> {
    return this.worker.stop();
  }
}
