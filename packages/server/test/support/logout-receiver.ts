/**
 * An app's back-channel logout endpoint (OIDC Back-Channel Logout 1.0 §2.5) on 127.0.0.1, with node:http:
 * it records every request and answers as told (a status, or never), and verifies logout tokens with
 * jose against the server's JWKS as an app must (§2.6).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRemoteJWKSet, type JWTPayload, type JWTVerifyResult, jwtVerify } from 'jose';

/** How the receiver answers one request: an HTTP status, or `hang` (never answers). */
export type Answer = number | 'hang';

/** One request the receiver got. */
export interface ReceivedLogout {
  at: number;
  method: string;
  contentType: string | undefined;
  /** The form's `logout_token`. */
  token: string | undefined;
  /** The form's parameter names, in order. */
  names: string[];
  /** When the client gave up on the request (the socket closed without an answer), if it did. */
  closedAt?: number;
}

/** A logout receiver on a loopback port. */
export class LogoutReceiver {
  readonly received: ReceivedLogout[] = [];
  private readonly answers: Answer[] = [];
  private readonly hanging = new Set<ServerResponse>();
  private server: Server | undefined;
  url = '';

  /**
   * @param fallback the answer once the queued ones ({@link LogoutReceiver.answerNext}) are used up
   * @param delayMs wait before each answer
   */
  constructor(
    private fallback: Answer = 200,
    private readonly delayMs = 0,
  ) {}

  /** Listens on 127.0.0.1 on a free port; `path` is the receiver's path. */
  async start(path = '/backchannel-logout'): Promise<this> {
    this.server = createServer((req, res) => this.handle(req, res));
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}${path}`;
    return this;
  }

  /** Queues answers for the next requests, in order. */
  answerNext(...answers: Answer[]): void {
    this.answers.push(...answers);
  }

  /** Changes the answer after the queued ones. */
  answerFromNowOn(answer: Answer): void {
    this.fallback = answer;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      body += chunk;
    });
    req.on('end', () => {
      const form = new URLSearchParams(body);
      const entry: ReceivedLogout = {
        at: Date.now(),
        method: req.method ?? '',
        contentType: req.headers['content-type'],
        token: form.get('logout_token') ?? undefined,
        names: [...form.keys()],
      };
      this.received.push(entry);
      const answer = this.answers.shift() ?? this.fallback;
      if (answer === 'hang') {
        this.hanging.add(res);
        res.on('close', () => {
          entry.closedAt = Date.now();
          this.hanging.delete(res);
        });
        return;
      }
      setTimeout(() => {
        res.writeHead(answer, { 'cache-control': 'no-store' }).end();
      }, this.delayMs);
    });
  }

  /** Waits until `count` requests arrived (or fails after `timeoutMs`). */
  async waitFor(count: number, timeoutMs = 15_000): Promise<ReceivedLogout[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.received.length < count) {
      if (Date.now() > deadline) {
        throw new Error(`expected ${count} logout requests, got ${this.received.length}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    return this.received;
  }

  /** Stops listening, ending requests left hanging. */
  async stop(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

/**
 * Verifies a logout token as an app must (Back-Channel Logout 1.0 §2.6): signature against the
 * issuer's JWKS (fetched over HTTP), `typ` `logout+jwt`, `iss`, `aud`, `iat`/`exp`; the caller checks
 * the rest.
 */
export async function verifyLogoutToken(
  token: string,
  options: { jwksUrl: string; issuer: string; audience: string; algorithms?: string[] },
): Promise<JWTVerifyResult<JWTPayload>> {
  const jwks = createRemoteJWKSet(new URL(options.jwksUrl));
  return jwtVerify(token, jwks, {
    issuer: options.issuer,
    audience: options.audience,
    typ: 'logout+jwt',
    algorithms: options.algorithms ?? ['RS256'],
    requiredClaims: ['iat', 'exp', 'jti'],
  });
}
