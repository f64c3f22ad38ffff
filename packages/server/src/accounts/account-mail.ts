/**
 * Account emails off the request path: a request only queues its email (and "Forgot password?" does not
 * even look the address up first), so an answer takes the same time whether an account exists or not,
 * and a slow mail server slows no page. A few sends run at once; each address gets a few emails per
 * window, whoever asks, so no one can flood a mailbox from many networks.
 * @see https://cheatsheetseries.owasp.org/cheatsheets/Forgot_Password_Cheat_Sheet.html
 */
import type { Logger } from 'pino';
import type { EmailLinkPurpose, EmailLinkRepository } from '../storage/email-links.js';
import type { User } from '../storage/users.js';
import type { Throttle } from '../throttle/throttle.js';
import { LINK_LIFETIME, linkUrl } from './link-tokens.js';
import type { Mailer } from './mailer.js';
import { type AccountEmail, type Recipient, resetEmail, verificationEmail } from './messages.js';

/** Emails one address may be sent per throttle window (LATCHKEY_SIGNUP_WINDOW), whatever they are. */
export const EMAILS_PER_ADDRESS = 5;
/** Sends running at once. */
const CONCURRENT_SENDS = 2;
/** Emails waiting at most; more are dropped (and logged) until the queue drains. */
const MAX_QUEUED = 1_000;

/** What {@link AccountMail} works with. */
export interface AccountMailDeps {
  users: { findByEmail(email: string): Promise<User | undefined> };
  emailLinks: EmailLinkRepository;
  mailer: Mailer;
  /** Counts emails per address (`to:<address>`). */
  throttle: Throttle;
  logger: Logger;
  issuer: string;
}

/** Whether an email was queued, or how long until the address may get another. */
export type Queued = { queued: true } | { queued: false; retryAfter: number };

const BUILD: Readonly<Record<EmailLinkPurpose, (to: Recipient, link: string) => AccountEmail>> = {
  verify: verificationEmail,
  reset: resetEmail,
};

/** Queues and sends account emails (one per server, closed at shutdown). */
export class AccountMail {
  private readonly queue: Array<() => Promise<void>> = [];
  private running = 0;
  private stopped = false;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly deps: AccountMailDeps) {}

  /**
   * Queues a verification link for a user's current address (after sign-up, "Send the link again"),
   * unless the address had its emails for this window.
   */
  async requestVerification(user: User): Promise<Queued> {
    const wait = await this.admit(user.email);
    if (wait !== undefined) return { queued: false, retryAfter: wait };
    this.enqueue('verify', () => this.sendLink(user, 'verify'));
    return { queued: true };
  }

  /**
   * Queues a password reset link for whoever has `email`, if anyone. Returns at once: the count, the
   * look-up and the send all happen later, so the caller's answer is the same either way.
   */
  requestReset(email: string): void {
    this.enqueue('reset', async () => {
      if ((await this.admit(email)) !== undefined) {
        this.deps.logger.info(
          { purpose: 'reset' },
          'password reset email not sent: too many for this address',
        );
        return;
      }
      const user = await this.deps.users.findByEmail(email);
      if (user) await this.sendLink(user, 'reset');
    });
  }

  /** Resolves once nothing is queued or being sent. */
  idle(): Promise<void> {
    if (this.running === 0 && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  /**
   * Takes no more emails, waits up to `graceMs` for those queued (each send is bounded by the
   * mailer's timeouts), then closes the mailer; emails still queued then are dropped and counted.
   */
  async stop(graceMs: number): Promise<void> {
    this.stopped = true;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.idle(),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, graceMs);
      }),
    ]);
    clearTimeout(timer);
    const dropped = this.queue.splice(0).length;
    if (dropped > 0) this.deps.logger.warn({ dropped }, `${dropped} account emails not sent: shutting down`);
    this.deps.mailer.close();
  }

  /** Counts an email to `email`; seconds to wait when the address had its share, else `undefined`. */
  private async admit(email: string): Promise<number | undefined> {
    const { throttle } = this.deps;
    const attempt = await throttle.attempt(throttle.tally([{ key: `to:${email}`, max: EMAILS_PER_ADDRESS }]));
    return attempt.refused ? attempt.retryAfter : undefined;
  }

  /** Stores a new link for the user's address and emails it. */
  private async sendLink(user: User, purpose: EmailLinkPurpose): Promise<void> {
    const { emailLinks, issuer, mailer } = this.deps;
    const token = await emailLinks.issue(user.id, purpose, user.email, LINK_LIFETIME[purpose]);
    await mailer.send(
      BUILD[purpose]({ email: user.email, name: user.name }, linkUrl(issuer, purpose, token)),
    );
  }

  private enqueue(purpose: EmailLinkPurpose, task: () => Promise<void>): void {
    if (this.stopped || this.queue.length >= MAX_QUEUED) {
      this.deps.logger.warn(
        { purpose },
        'account email not sent: the queue is full or the server is stopping',
      );
      return;
    }
    this.queue.push(async () => {
      try {
        await task();
      } catch (error) {
        // Never the email's contents: the error of a refused or failed send, and what it was for.
        this.deps.logger.error({ err: error, purpose }, 'could not send an account email');
      }
    });
    // Off the request path: the caller's answer is sent before anything of this email happens.
    setImmediate(() => this.pump());
  }

  private pump(): void {
    while (this.running < CONCURRENT_SENDS && this.queue.length > 0) {
      const next = this.queue.shift() as () => Promise<void>;
      this.running++;
      void next().finally(() => {
        this.running--;
        this.pump();
        if (this.running === 0 && this.queue.length === 0) for (const done of this.waiting.splice(0)) done();
      });
    }
  }
}
