/**
 * Delivers queued logout tokens (OIDC Back-Channel Logout 1.0 §2.5) off the request path. A sign-out
 * queues its tokens in `logout_deliveries` in its own transaction and wakes this worker; every server
 * also looks at the queue every few seconds, so rows of a server that died are taken over. Each row is
 * claimed for one attempt at a time (storage/logout-deliveries.ts), sent with a deadline, then deleted
 * (delivered, or its last attempt failed: logged at warn, never with the token) or scheduled again
 * with a doubling delay.
 */
import type { Logger } from 'pino';
import type { Client } from '../storage/clients.js';
import type { LogoutDelivery, LogoutDeliveryRepository } from '../storage/logout-deliveries.js';
import { type LogoutTokenSigning, sendableLogoutToken } from './logout-token.js';
import { postLogoutToken } from './post-logout-token.js';
import { type BackchannelLogoutSettings, retryDelayMs } from './settings.js';

/** Rows sent at once by one server. */
const CONCURRENCY = 16;
/** How often the queue is looked at when nothing wakes the worker (ms): rows another server left. */
const POLL_MS = 5_000;
/** The shortest wait before looking again when a due row could not be claimed (another server had it). */
const MIN_WAIT_MS = 50;
/** Seconds a claimed row stays with its server beyond the attempt's deadline. */
const LEASE_MARGIN_SECONDS = 5;

/** What the worker needs. */
export interface DeliveryWorkerDeps {
  deliveries: LogoutDeliveryRepository;
  /** The app of a row, as registered now (its receiver may have changed since the row was queued). */
  findApp(clientId: string): Promise<Client | undefined>;
  signing: LogoutTokenSigning;
  settings: BackchannelLogoutSettings;
  logger: Logger;
}

/** The back-channel logout sender of one server. */
export class LogoutDeliveryWorker {
  private timer: NodeJS.Timeout | undefined;
  private readonly sending = new Set<Promise<void>>();
  private cycle: Promise<void> | undefined;
  private again = false;
  private stopped = true;
  private failing = false;
  private readonly stopping = new AbortController();

  constructor(private readonly deps: DeliveryWorkerDeps) {}

  /** Starts looking at the queue (at once, then when woken or every few seconds). */
  start(): void {
    this.stopped = false;
    this.wake();
  }

  /** Looks at the queue now: a sign-out on this server just queued tokens, or a sending slot is free. */
  wake(): void {
    if (this.stopped) return;
    if (this.cycle) {
      // Looked at again once the look under way ends: what was queued meanwhile is not left waiting.
      this.again = true;
      return;
    }
    clearTimeout(this.timer);
    this.cycle = this.run().finally(() => {
      this.cycle = undefined;
      if (this.again) this.wake();
    });
  }

  /**
   * Stops: no new attempt starts, attempts under way are cut short and their rows given back (due at
   * once, the attempt not counted) for the next server to send.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.stopping.abort();
    await this.cycle;
    await Promise.allSettled([...this.sending]);
  }

  /**
   * Claims what is due, as many rows as there are free sending slots, until nothing due is left; then
   * waits for the next due row (at most {@link POLL_MS}). With every slot taken it only waits: a
   * finished attempt wakes it.
   */
  private async run(): Promise<void> {
    let wait = POLL_MS;
    try {
      let full = false;
      const lease = Math.ceil(this.deps.settings.timeoutMs / 1000) + LEASE_MARGIN_SECONDS;
      for (;;) {
        this.again = false;
        const room = CONCURRENCY - this.sending.size;
        if (room <= 0) {
          full = true;
          break;
        }
        const claimed = await this.deps.deliveries.claim(room, lease);
        for (const delivery of claimed) this.track(this.attempt(delivery));
        if (claimed.length < room || this.stopped) break;
      }
      if (!full) {
        const due = await this.deps.deliveries.nextDue();
        if (due !== undefined) wait = Math.max(MIN_WAIT_MS, Math.min(POLL_MS, due * 1000 - Date.now()));
      }
      this.failing = false;
    } catch (error) {
      // The database away: the rows stay queued, and the next look takes them.
      const log = this.failing ? this.deps.logger.debug : this.deps.logger.warn;
      log.call(this.deps.logger, { err: error }, 'cannot read the back-channel logout queue; retrying');
      this.failing = true;
    }
    if (!this.stopped) {
      this.timer = setTimeout(() => this.wake(), wait);
      this.timer.unref();
    }
  }

  private track(attempt: Promise<void>): void {
    this.sending.add(attempt);
    void attempt.finally(() => {
      this.sending.delete(attempt);
      // A slot is free: rows left waiting for one are taken now.
      this.wake();
    });
  }

  /** One attempt at one row, and what it leaves in the queue. */
  private async attempt(delivery: LogoutDelivery): Promise<void> {
    const { deliveries, settings, logger } = this.deps;
    const fields = { client_id: delivery.clientId, attempt: delivery.attempts };
    try {
      const app = await this.deps.findApp(delivery.clientId);
      if (!app?.backchannelLogoutUri) {
        // The app dropped its receiver (or was deleted) since: nothing to send.
        await deliveries.remove(delivery);
        return;
      }
      const margin = Math.ceil(settings.timeoutMs / 1000) + LEASE_MARGIN_SECONDS;
      const token = await sendableLogoutToken(this.deps.signing, app, delivery.logoutToken, margin);
      const outcome = await postLogoutToken(
        app.backchannelLogoutUri,
        token,
        settings.timeoutMs,
        this.stopping.signal,
        // Judged at every attempt: a receiver registered before private networks were denied, or a
        // name that resolves to a private address now, is not sent to.
        { privateNetworks: settings.privateNetworks },
      );
      if (outcome.delivered) {
        await deliveries.remove(delivery);
        logger.info({ ...fields, status: outcome.status }, 'back-channel logout delivered');
      } else if (outcome.interrupted) {
        await deliveries.release(delivery);
      } else if (delivery.attempts >= settings.attempts) {
        await deliveries.remove(delivery);
        logger.warn(
          { ...fields, reason: outcome.reason },
          `back-channel logout not delivered after ${delivery.attempts} attempts; given up`,
        );
      } else {
        const wait = retryDelayMs(settings, delivery.attempts);
        await deliveries.retryAt(delivery, Math.ceil((Date.now() + wait) / 1000));
        logger.info(
          { ...fields, reason: outcome.reason, retry_in_ms: wait },
          'back-channel logout attempt failed; retrying',
        );
      }
    } catch (error) {
      // Signing or the database failed: the row stays claimed until its lease ends, then is tried again.
      logger.warn({ ...fields, err: error }, 'back-channel logout attempt could not complete');
    }
  }
}
