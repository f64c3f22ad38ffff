/** A signed-in portal user calling the management API (/manage/v1) with its session, and problem checks. */
import type { LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import { signedInBrowser } from './attacks.js';
import { csrfOf, InjectBrowser } from './browser.js';
import type { TestServer } from './server.js';

/** The management API's prefix. */
export const API = '/manage/v1';

/** A signed-in user of the portal, calling the API with its session and anti-CSRF value. */
export class PortalUser {
  private constructor(
    private readonly s: TestServer,
    readonly browser: InjectBrowser,
    readonly csrf: string,
    readonly id: string,
    readonly email: string,
  ) {}

  static async signUp(s: TestServer, email: string, options: { admin?: boolean } = {}) {
    const user = await s.ctx.users.create(email, 'a long password', options);
    const browser = await signedInBrowser(s, new InjectBrowser(s.app), user.id);
    const csrf = csrfOf((await browser.get('/account/apps')).body);
    return new PortalUser(s, browser, csrf, user.id, user.email);
  }

  call(
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ) {
    return this.s.app.inject({
      method,
      url: `${API}${path}`,
      headers: {
        cookie: [...this.browser.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
        'x-csrf-token': this.csrf,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
    });
  }
}

/** An RFC 9457 problem with this status and `urn:latchkey:problem:<code>` type; returns its body. */
export function expectProblem(res: LightMyRequestResponse, status: number, code: string) {
  expect(res.statusCode, res.body).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json(; charset=utf-8)?$/);
  const body = res.json();
  expect(body).toMatchObject({ type: `urn:latchkey:problem:${code}`, status });
  expect(typeof body.title).toBe('string');
  expect(typeof body.detail).toBe('string');
  return body;
}
