/**
 * A real SMTP server on loopback (the `smtp-server` package) that keeps every message it receives, and
 * a small MIME reader for what nodemailer sends (headers, multipart/alternative, quoted-printable and
 * base64 parts), so tests read an account email as a mail client would and follow its link.
 */
import { SMTPServer } from 'smtp-server';

/** A message as received: envelope, headers, and its text and HTML parts decoded. */
export interface ReceivedMail {
  /** Envelope recipients (RCPT TO). */
  to: string[];
  /** Envelope sender (MAIL FROM). */
  mailFrom: string;
  /** Who logged in to send it, when the server asked. */
  user: string | undefined;
  headers: Map<string, string>;
  text: string;
  html: string;
  raw: string;
}

/** Splits a MIME entity into its (unfolded, lower-cased) headers and its body. */
function splitEntity(entity: string): { headers: Map<string, string>; body: string } {
  const end = entity.indexOf('\r\n\r\n');
  const head = end < 0 ? entity : entity.slice(0, end);
  const body = end < 0 ? '' : entity.slice(end + 4);
  const headers = new Map<string, string>();
  for (const line of head.replace(/\r\n[ \t]+/g, ' ').split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return { headers, body };
}

/** Decodes a body by its Content-Transfer-Encoding (RFC 2045 §6: 7bit, quoted-printable, base64). */
function decode(body: string, encoding: string | undefined): string {
  const kind = (encoding ?? '7bit').toLowerCase();
  if (kind === 'base64') return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  if (kind === 'quoted-printable') {
    const bytes = body
      .replace(/=\r\n/g, '')
      .replace(/=([0-9A-F]{2})/gi, (_m, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
    return Buffer.from(bytes, 'latin1').toString('utf8');
  }
  return body;
}

/** Reads a raw message: the text/plain and text/html parts, however nested. */
export function parseMail(raw: string): Pick<ReceivedMail, 'headers' | 'text' | 'html'> {
  const { headers } = splitEntity(raw);
  const parts = { text: '', html: '' };
  const walk = (entity: string) => {
    const { headers: h, body } = splitEntity(entity);
    const type = h.get('content-type') ?? 'text/plain';
    const boundary = /boundary="?([^";]+)"?/i.exec(type)?.[1];
    if (/^multipart\//i.test(type) && boundary) {
      for (const part of body.split(`--${boundary}`).slice(1)) {
        if (part.startsWith('--')) break;
        walk(part.replace(/^\r\n/, ''));
      }
    } else if (/^text\/html/i.test(type)) {
      parts.html = decode(body, h.get('content-transfer-encoding'));
    } else if (/^text\/plain/i.test(type)) {
      parts.text = decode(body, h.get('content-transfer-encoding'));
    }
  };
  walk(raw);
  return { headers, ...parts };
}

/** The one link to `path` in a message's text part (a test fails when there are none or several). */
export function linkIn(mail: ReceivedMail, path: string): string {
  const links = [...mail.text.matchAll(/https?:\/\/\S+/g)]
    .map((m) => m[0])
    .filter((l) => new URL(l).pathname === path);
  if (links.length !== 1)
    throw new Error(`expected one ${path} link in the email, found ${links.length}:\n${mail.text}`);
  return links[0] as string;
}

/** The token of a link (its `token` query parameter). */
export function tokenOf(link: string): string {
  return new URL(link).searchParams.get('token') ?? '';
}

/** A loopback SMTP server that requires a login and keeps what it receives. */
export class Mailbox {
  readonly received: ReceivedMail[] = [];
  private readonly listeners = new Set<() => void>();

  private constructor(
    private readonly server: SMTPServer,
    readonly port: number,
    private readonly login: { user: string; pass: string },
  ) {}

  /** Starts the server on 127.0.0.1 (a free port), accepting `user`/`pass` (PLAIN or LOGIN). */
  static async start(login = { user: 'latchkey', pass: 'smtp-password' }): Promise<Mailbox> {
    let box: Mailbox | undefined;
    const server = new SMTPServer({
      // Plain SMTP on loopback: no STARTTLS to offer (nodemailer would use it and refuse a self-signed
      // certificate); the login goes in the clear, which only loopback makes acceptable.
      disabledCommands: ['STARTTLS'],
      allowInsecureAuth: true,
      logger: false,
      onAuth(auth, _session, callback) {
        if (auth.username === login.user && auth.password === login.pass)
          return callback(null, { user: auth.username });
        return callback(new Error('Invalid username or password'));
      },
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          const raw = Buffer.concat(chunks).toString('utf8');
          box?.deliver({
            to: session.envelope.rcptTo.map((r) => r.address),
            mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            user: session.user as string | undefined,
            raw,
            ...parseMail(raw),
          });
          callback();
        });
      },
    });
    const port = await new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        const address = server.server.address();
        resolve(typeof address === 'object' && address ? address.port : 0);
      });
    });
    box = new Mailbox(server, port, login);
    return box;
  }

  /** LATCHKEY_SMTP_URL for this server, with its login. */
  get url(): string {
    return `smtp://${this.login.user}:${this.login.pass}@127.0.0.1:${this.port}`;
  }

  private deliver(mail: ReceivedMail): void {
    this.received.push(mail);
    for (const listener of this.listeners) listener();
  }

  /** Messages received so far for `to`. */
  to(to: string): ReceivedMail[] {
    return this.received.filter((mail) => mail.to.includes(to));
  }

  /** Waits (at most `timeoutMs`) until `count` messages for `to` arrived; returns the last of them. */
  async waitFor(to: string, count = 1, timeoutMs = 10_000): Promise<ReceivedMail> {
    const ready = () => this.to(to).length >= count;
    if (!ready()) {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          this.listeners.delete(check);
          reject(
            new Error(`no email #${count} for ${to} within ${timeoutMs} ms (${this.to(to).length} so far)`),
          );
        }, timeoutMs);
        const check = () => {
          if (!ready()) return;
          clearTimeout(timer);
          this.listeners.delete(check);
          resolve();
        };
        this.listeners.add(check);
      });
    }
    return this.to(to)[count - 1] as ReceivedMail;
  }

  /** Stops the server. */
  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
