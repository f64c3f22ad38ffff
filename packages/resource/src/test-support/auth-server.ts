// Test double of an authorization server on 127.0.0.1: RFC 8414 metadata, JWKS, introspection, token minting.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type JWK, type JWTPayload, SignJWT } from 'jose';

export interface SigningKey {
  kid: string;
  alg: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

export interface IntrospectionRecord {
  active: boolean;
  [claim: string]: unknown;
}

export interface MintOptions {
  key?: SigningKey;
  header?: Record<string, unknown>;
  /** `null` leaves typ out. */
  typ?: string | null;
}

/** Listens on 127.0.0.1 with an ephemeral port; resolves to the base URL. */
export async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Closes a server and every connection still open to it. */
export async function close(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

/** Makes a signing key with a kid, exporting its public JWK. */
export async function makeKey(alg: string, kid: string): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
  return { kid, alg, privateKey, publicJwk };
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** RFC 6749 §2.3.1 form encoding of Basic credentials. */
function formEncode(value: string): string {
  return new URLSearchParams({ v: value }).toString().slice(2);
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/** A loopback authorization server that counts every request it gets. */
export class AuthServer {
  readonly server: Server;
  issuer = '';
  /** Paths requested, in order. */
  readonly requests: string[] = [];
  /** Keys published in the JWKS. */
  published: JWK[] = [];
  /** Introspection answers by token; unknown tokens are inactive. */
  readonly introspection = new Map<string, IntrospectionRecord>();
  readonly clientId = 'resource-api';
  readonly clientSecret = 'api secret:with/odd chars';
  /** Overrides the metadata `issuer` (to test the RFC 8414 §3.3 check). */
  metadataIssuer: string | undefined;
  /** When set, every request is answered with this status. */
  failWith: number | undefined;

  private constructor(readonly defaultKey: SigningKey) {
    this.server = createServer((req, res) => {
      this.route(req, res).catch(() => json(res, 500, { error: 'server_error' }));
    });
  }

  static async start(): Promise<AuthServer> {
    const key = await makeKey('ES256', 'k1');
    const as = new AuthServer(key);
    as.published = [key.publicJwk];
    as.issuer = await listen(as.server);
    return as;
  }

  get jwksUri(): string {
    return `${this.issuer}/jwks`;
  }

  get introspectionEndpoint(): string {
    return `${this.issuer}/introspect`;
  }

  count(path: string): number {
    return this.requests.filter((p) => p === path).length;
  }

  /** Signs an access token: RFC 9068 claims by default, overridable. */
  async mint(claims: JWTPayload & Record<string, unknown> = {}, options: MintOptions = {}): Promise<string> {
    const key = options.key ?? this.defaultKey;
    const now = Math.floor(Date.now() / 1000);
    const header: Record<string, unknown> = { alg: key.alg, kid: key.kid, ...options.header };
    if (options.typ !== null) header['typ'] = options.typ ?? 'at+jwt';
    return new SignJWT({
      iss: this.issuer,
      aud: 'https://api.test',
      sub: 'user-1',
      client_id: 'app-1',
      scope: 'data:read',
      iat: now,
      exp: now + 300,
      jti: crypto.randomUUID(),
      ...claims,
    })
      .setProtectedHeader(header as { alg: string })
      .sign(key.privateKey);
  }

  async close(): Promise<void> {
    await close(this.server);
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '').split('?')[0]!;
    this.requests.push(path);
    if (this.failWith !== undefined) return json(res, this.failWith, { error: 'server_error' });
    if (path === '/.well-known/oauth-authorization-server') {
      return json(res, 200, {
        issuer: this.metadataIssuer ?? this.issuer,
        jwks_uri: this.jwksUri,
        introspection_endpoint: this.introspectionEndpoint,
      });
    }
    if (path === '/jwks') return json(res, 200, { keys: this.published });
    if (path === '/introspect' && req.method === 'POST') {
      const expected = `Basic ${Buffer.from(
        `${formEncode(this.clientId)}:${formEncode(this.clientSecret)}`,
      ).toString('base64')}`;
      if (req.headers.authorization !== expected) return json(res, 401, { error: 'invalid_client' });
      const form = new URLSearchParams(await readBody(req));
      const record = this.introspection.get(form.get('token') ?? '');
      return json(res, 200, record ?? { active: false });
    }
    json(res, 404, { error: 'not_found' });
  }
}
