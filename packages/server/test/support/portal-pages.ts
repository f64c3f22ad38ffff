/**
 * The developer portal's test fixture: a server with the scope catalogue the portal pages show, four
 * signed-in browsers (owner, helper, stranger, admin), and readers of what a portal page shows (an
 * element's text, an error beside its field, the page's security headers and nonce).
 */
import type { LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import { signedInBrowser } from './attacks.js';
import { csrfOf, InjectBrowser } from './browser.js';
import { startTestServer, type TestServer } from './server.js';
import { closingOnFailure, serverSuiteFixture } from './suite-fixture.js';

const PASSWORD = 'a long enough password';

/** A signed-in browser of the portal. */
export interface Developer {
  id: string;
  email: string;
  browser: InjectBrowser;
  /** Posts a portal form with this browser's anti-CSRF value. */
  post(url: string, form?: Record<string, string>): Promise<LightMyRequestResponse>;
  get(url: string): Promise<LightMyRequestResponse>;
}

/** Creates a user and signs a browser in as them, holding the portal's anti-CSRF value. */
export async function developer(s: TestServer, email: string, admin = false): Promise<Developer> {
  const user = await s.ctx.users.create(email, PASSWORD, { admin });
  const browser = await signedInBrowser(s, new InjectBrowser(s.app), user.id);
  const csrf = csrfOf((await browser.get('/portal')).body);
  return {
    id: user.id,
    email: user.email,
    browser,
    post: (url, form = {}) => browser.post(url, { csrf, ...form }),
    get: (url) => browser.get(url),
  };
}

/** The text of an element with this id (tags stripped, entities of the html template undone). */
export function textOf(body: string, id: string): string | undefined {
  const match = new RegExp(`id="${id}"[^>]*>([\\s\\S]*?)</(?:code|pre|p|textarea|h1)>`).exec(body);
  return match?.[1]
    ?.replace(/<[^>]+>/g, '')
    .replaceAll('&#39;', "'")
    .replaceAll('&quot;', '"')
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&amp;', '&');
}

/** The error shown beside field `id`, and that its control points at it and is marked invalid. */
export function fieldErrorOf(body: string, id: string): string | undefined {
  const error = /<p class="field-error" id="([\w-]+)-error">([\s\S]*?)<\/p>/g;
  for (const match of body.matchAll(error)) {
    if (match[1] !== id) continue;
    return (match[2] as string)
      .replace(/<[^>]+>/g, '')
      .replace('Error:', '')
      .trim();
  }
  return undefined;
}

/** Whether the control `id` is marked invalid and described by its error. */
export function markedInvalid(body: string, id: string): boolean {
  const control = new RegExp(`<(?:input|textarea|select)[^>]*\\bid="${id}"[^>]*>`).exec(body)?.[0] ?? '';
  return control.includes('aria-invalid="true"') && control.includes(`${id}-error`);
}

/** The CSP of a response, and that its one script (if any) carries the nonce the CSP allows. */
export function expectPortalPage(res: LightMyRequestResponse, script: boolean) {
  expect(res.headers['content-type']).toMatch(/^text\/html/);
  expect(res.headers['cache-control']).toBe('no-store');
  expect(res.headers['x-frame-options']).toBe('DENY');
  const csp = String(res.headers['content-security-policy']);
  const nonce = /style-src 'nonce-([^']+)'/.exec(csp)?.[1];
  expect(nonce).toBeTruthy();
  const scripts = [...res.body.matchAll(/<script\b([^>]*)>/g)].map((m) => m[1]);
  if (script) {
    expect(csp).toContain(`script-src 'nonce-${nonce}'`);
    expect(scripts).toEqual([` nonce="${nonce}"`]);
  } else {
    expect(csp).not.toContain('script-src');
    expect(scripts).toEqual([]);
  }
}

/** The app ID a created page shows. */
export const clientIdOf = (body: string) => textOf(body, 'client-id') as string;

/** The server of the portal tests and its four signed-in users. */
export interface PortalFixture {
  s: TestServer;
  owner: Developer;
  helper: Developer;
  stranger: Developer;
  admin: Developer;
}

/** Starts a SQLite server with a restricted scope and a described one, and signs the four users in. */
export async function startPortal(): Promise<PortalFixture> {
  const s = await startTestServer('sqlite', {
    LATCHKEY_SCOPES: 'data:read data:write manage',
    LATCHKEY_RESTRICTED_SCOPES: 'data:write',
    LATCHKEY_SCOPE_DESCRIPTIONS: JSON.stringify({ 'data:read': 'Read your projects' }),
  });
  return closingOnFailure(s, async () => {
    return {
      s,
      owner: await developer(s, 'owner@example.com'),
      helper: await developer(s, 'helper@example.com'),
      stranger: await developer(s, 'stranger@example.com'),
      admin: await developer(s, 'root@example.com', true),
    };
  });
}

/**
 * Starts the server of `startPortal` in the calling describe block's `beforeAll` and closes it in its
 * `afterAll`; returns getters over what started.
 */
export function usePortal(): PortalFixture {
  return serverSuiteFixture(startPortal);
}

/** Creates an app through the form; returns the created page. */
export async function createThroughForm(who: Developer, form: Record<string, string>) {
  return who.post('/portal/apps/new', { type: 'service', 'scope.data:read': 'on', ...form });
}
