// Test helpers for the SDK against a real Latchkey process: a counting pass-through proxy in front of
// it, a cookie-keeping HTTP "browser" that signs in and answers the consent page, and a tiny resource
// server that verifies JWT access tokens with jose against the server's JWKS.

import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRemoteJWKSet, jwtVerify } from 'jose';

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
}

/** A node:http pass-through proxy on 127.0.0.1 that counts what reaches the upstream. */
export interface CountingProxy {
  /** The proxy's own URL: Latchkey runs with this as its issuer, so every SDK request passes here. */
  url: string;
  /** POST /oauth/token requests forwarded. */
  counts: { token: number };
  /** Points the proxy at the upstream port (known once the server has started). */
  setUpstream(port: number): void;
  close(): Promise<void>;
}

/** Starts the proxy; requests before {@link CountingProxy.setUpstream} answer 502. */
export async function startCountingProxy(): Promise<CountingProxy> {
  const counts = { token: 0 };
  let upstream = 0;
  const server = createServer((req, res) => {
    if (upstream === 0) {
      res.writeHead(502).end();
      return;
    }
    if (req.method === 'POST' && req.url?.split('?')[0] === '/oauth/token') counts.token += 1;
    const forward = httpRequest(
      { host: '127.0.0.1', port: upstream, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on('error', () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    req.pipe(forward);
  });
  const url = await listen(server);
  return {
    url,
    counts,
    setUpstream(port) {
      upstream = port;
    },
    close: () => close(server),
  };
}

/** The outcome of driving an authorization URL: the redirect back to the app. */
export interface AuthorizeOptions {
  email: string;
  password: string;
  /** The consent decision, if the consent page is shown; default `allow`. */
  decision?: 'allow' | 'deny';
}

const csrfOf = (html: string) => /name="csrf" value="([^"]+)"/.exec(html)?.[1];
const actionOf = (html: string) => /<form[^>]*action="([^"]+)"/.exec(html)?.[1]?.replaceAll('&amp;', '&');

/** A cookie jar over `fetch` that never follows redirects: each `Location` is read and visited by hand. */
export class HttpBrowser {
  readonly cookies = new Map<string, string>();
  /** The pages the last {@link HttpBrowser.authorize} walked through, e.g. `login`, `consent`. */
  readonly seen: string[] = [];

  async visit(url: string, form?: Record<string, string>): Promise<Response> {
    const headers = new Headers();
    if (this.cookies.size > 0)
      headers.set('cookie', [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; '));
    if (form) headers.set('content-type', 'application/x-www-form-urlencoded');
    const response = await fetch(url, {
      method: form ? 'POST' : 'GET',
      headers,
      body: form ? new URLSearchParams(form) : undefined,
      redirect: 'manual',
    });
    for (const line of response.headers.getSetCookie()) {
      const pair = line.split(';')[0] ?? '';
      const eq = pair.indexOf('=');
      if (/max-age=0/i.test(line)) this.cookies.delete(pair.slice(0, eq));
      else this.cookies.set(pair.slice(0, eq), pair.slice(eq + 1));
    }
    return response;
  }

  /**
   * Follows an authorization URL through the login and consent pages until the server redirects to
   * `redirectUri`; returns that callback URL (never fetched).
   */
  async authorize(authorizationUrl: string, redirectUri: string, options: AuthorizeOptions): Promise<string> {
    const target = new URL(redirectUri);
    this.seen.length = 0;
    let url = authorizationUrl;
    let form: Record<string, string> | undefined;
    for (let step = 0; step < 10; step += 1) {
      const response = await this.visit(url, form);
      form = undefined;
      const location = response.headers.get('location');
      if (location) {
        await response.body?.cancel();
        const next = new URL(location, url);
        if (next.origin === target.origin && next.pathname === target.pathname) return next.href;
        url = next.href;
        continue;
      }
      const html = await response.text();
      if (response.status !== 200)
        throw new Error(`HTTP ${response.status} at ${url}: ${html.slice(0, 300)}`);
      const csrf = csrfOf(html);
      const action = actionOf(html);
      if (!csrf || !action) throw new Error(`no form at ${url}`);
      // The form's value is bound to this browser's cookies (an HMAC of its session or pre-session
      // cookie), so a browser without the cookie cannot post it.
      if (!this.cookies.has('lk_csrf') && !this.cookies.has('lk_session'))
        throw new Error(`no anti-CSRF cookie was set before the form at ${url}`);
      url = new URL(action, url).href;
      if (/name="password"/.test(html)) {
        this.seen.push('login');
        form = { csrf, email: options.email, password: options.password };
      } else if (/name="decision"/.test(html)) {
        this.seen.push('consent');
        form = { csrf, decision: options.decision ?? 'allow' };
      } else {
        throw new Error(`unknown page at ${url}`);
      }
    }
    throw new Error('too many steps');
  }
}

/** A resource server on 127.0.0.1 that accepts only JWT access tokens verified against the JWKS. */
export interface ResourceServer {
  url: string;
  /** Requests answered 200, and the access tokens they carried. */
  accepted: string[];
  /** Access tokens to answer with 401 `invalid_token` even though they verify (as if revoked). */
  rejected: Set<string>;
  close(): Promise<void>;
}

/**
 * Starts the resource server: `Authorization: Bearer <jwt>` verified with `createRemoteJWKSet`
 * (RFC 9068: `typ: at+jwt`, issuer, audience), else 401 with an RFC 6750 challenge.
 */
export async function startResourceServer(options: {
  jwksUri: string;
  issuer: string;
  audience: string;
}): Promise<ResourceServer> {
  const jwks = createRemoteJWKSet(new URL(options.jwksUri));
  const accepted: string[] = [];
  const rejected = new Set<string>();
  const server = createServer(async (req, res) => {
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const deny = (error: string) => {
      res.writeHead(401, { 'www-authenticate': `Bearer error="${error}"` }).end();
    };
    if (!token) return deny('invalid_request');
    if (rejected.has(token)) return deny('invalid_token');
    try {
      const { payload } = await jwtVerify(token, jwks, {
        issuer: options.issuer,
        audience: options.audience,
        typ: 'at+jwt',
      });
      accepted.push(token);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ sub: payload.sub, scope: payload['scope'] }));
    } catch {
      deny('invalid_token');
    }
  });
  const url = await listen(server);
  return { url, accepted, rejected, close: () => close(server) };
}
