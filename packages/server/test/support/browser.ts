/** A cookie-keeping browser over `app.inject`, and helpers to walk the three-legged flow in tests. */
import { createHash, randomBytes } from 'node:crypto';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { registerApp } from '../../src/oauth/app-registration.js';
import type { TestServer } from './server.js';
import { FORM } from './server.js';

/** Keeps cookies between injected requests, like a browser would. */
export class InjectBrowser {
  readonly cookies = new Map<string, string>();
  constructor(
    private readonly app: FastifyInstance,
    private readonly ip = '127.0.0.1',
  ) {}

  private remember(res: LightMyRequestResponse) {
    const header = res.headers['set-cookie'];
    const list = header === undefined ? [] : Array.isArray(header) ? header : [header];
    for (const line of list) {
      const [pair] = line.split(';');
      const eq = (pair ?? '').indexOf('=');
      const name = (pair ?? '').slice(0, eq);
      const value = (pair ?? '').slice(eq + 1);
      if (/Max-Age=0/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return res;
  }

  private cookieHeader() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  async get(url: string) {
    return this.remember(
      await this.app.inject({
        method: 'GET',
        url,
        headers: { cookie: this.cookieHeader() },
        remoteAddress: this.ip,
      }),
    );
  }

  async post(url: string, form: Record<string, string>, headers: Record<string, string> = {}) {
    return this.remember(
      await this.app.inject({
        method: 'POST',
        url,
        headers: { ...FORM, cookie: this.cookieHeader(), ...headers },
        payload: new URLSearchParams(form).toString(),
        remoteAddress: this.ip,
      }),
    );
  }
}

/** The hidden csrf value of a page. */
export function csrfOf(body: string): string {
  const match = /name="csrf" value="([^"]+)"/.exec(body);
  if (!match) throw new Error('no csrf field on the page');
  return match[1] as string;
}

/** The action of the first form on a page (HTML-unescaped). */
export function formAction(body: string, index = 0): string {
  const actions = [...body.matchAll(/<form[^>]*action="([^"]+)"/g)].map((m) =>
    (m[1] as string).replaceAll('&amp;', '&'),
  );
  const action = actions[index];
  if (!action) throw new Error('no form on the page');
  return action;
}

/** Signs a browser in through the login form. */
export async function signIn(
  browser: InjectBrowser,
  email: string,
  password: string,
  returnTo = '/account/apps',
) {
  const page = await browser.get(`/login?return_to=${encodeURIComponent(returnTo)}`);
  return browser.post(formAction(page.body), { csrf: csrfOf(page.body), email, password });
}

/** A PKCE pair (RFC 7636 S256). */
export function pkce() {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

/** Registers a three-legged app on a test server. */
export async function registerThreeLeggedApp(
  s: TestServer,
  options: {
    isPublic?: boolean;
    redirectUris?: string[];
    scope?: string;
    name?: string;
    /** Default: authorization_code and refresh_token. */
    grants?: string[];
  } = {},
) {
  const { client, clientSecret } = await registerApp(s.ctx.clients, s.config.scopes, {
    name: options.name ?? 'Photo Printer',
    scope: options.scope ?? 'data:read data:write',
    redirectUris: options.redirectUris ?? ['https://app.example/cb'],
    grants: options.grants ?? ['authorization_code', 'refresh_token'],
    isPublic: options.isPublic ?? false,
  });
  const basic = `Basic ${Buffer.from(`${client.id}:${clientSecret ?? ''}`).toString('base64')}`;
  return { client, clientSecret, basic, redirectUri: client.redirectUris[0] as string };
}

/** Query parameters of a redirect's Location. */
export function locationParams(res: LightMyRequestResponse): URLSearchParams {
  const location = res.headers['location'];
  if (typeof location !== 'string') throw new Error(`no Location (status ${res.statusCode})`);
  return new URL(location).searchParams;
}

/**
 * Walks authorize -> (consent: allow) -> code for a signed-in browser; returns the redirect response.
 */
export async function authorizeAndAllow(browser: InjectBrowser, query: Record<string, string>) {
  const res = await browser.get(`/oauth/authorize?${new URLSearchParams(query)}`);
  if (res.statusCode !== 200) return res;
  return browser.post(formAction(res.body), { csrf: csrfOf(res.body), decision: 'allow' });
}

/** Redeems a code at the token endpoint. */
export function redeem(app: FastifyInstance, basic: string | undefined, form: Record<string, string>) {
  return app.inject({
    method: 'POST',
    url: '/oauth/token',
    headers: { ...FORM, ...(basic ? { authorization: basic } : {}) },
    payload: new URLSearchParams({ grant_type: 'authorization_code', ...form }).toString(),
  });
}
