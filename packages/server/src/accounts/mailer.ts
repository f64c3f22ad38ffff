/**
 * Sends account emails with nodemailer over LATCHKEY_SMTP_URL. Without it, each link is written to the
 * server log once, at warn level, saying that no SMTP server is set: the only place a link is ever
 * logged, so an operator can pass it on while mail is not set up.
 */
import { createTransport } from 'nodemailer';
import type { Logger } from 'pino';
import type { AccountEmail } from './messages.js';

/** Where account emails go. */
export interface Mailer {
  /** Sends one email; rejects when the mail server refused it or could not be reached in time. */
  send(email: AccountEmail): Promise<void>;
  /** Closes the connection to the mail server, if any. */
  close(): void;
}

/** What {@link openMailer} reads from the configuration. */
export interface MailSettings {
  smtpUrl: string | undefined;
  mailFrom: string;
}

/**
 * How long a send may take at each step (ms): connecting, the server's greeting, and silence on the
 * connection. Nodemailer's defaults are 2 and 10 minutes; the URL's query may still override them.
 */
const TIMEOUTS = { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 };

/** Sends over SMTP (STARTTLS when the server offers it on `smtp://`, TLS from the start on `smtps://`). */
class SmtpMailer implements Mailer {
  private readonly transport;

  constructor(url: string, from: string) {
    this.transport = createTransport({ url, ...TIMEOUTS }, { from });
  }

  async send(email: AccountEmail): Promise<void> {
    await this.transport.sendMail({
      to: email.to,
      subject: email.subject,
      text: email.text,
      html: email.html,
    });
  }

  close(): void {
    this.transport.close();
  }
}

const WHAT: Readonly<Record<AccountEmail['purpose'], string>> = {
  verify: 'email verification',
  reset: 'password reset',
};

/** Without SMTP: writes each link to the log, once, at warn level. */
class LogMailer implements Mailer {
  constructor(private readonly logger: Logger) {}

  async send(email: AccountEmail): Promise<void> {
    this.logger.warn(
      { purpose: email.purpose, to: email.to },
      `no SMTP server is set (LATCHKEY_SMTP_URL), so this ${WHAT[email.purpose]} link for ${email.to} was not emailed: ${email.link}`,
    );
  }

  close(): void {}
}

/** The mailer of the configuration: SMTP with LATCHKEY_SMTP_URL, else the log. */
export function openMailer(settings: MailSettings, logger: Logger): Mailer {
  return settings.smtpUrl === undefined
    ? new LogMailer(logger)
    : new SmtpMailer(settings.smtpUrl, settings.mailFrom);
}
