/**
 * Findings of the review of today's security fixes (a0b5eb1..28f8a9e) against the checklist: each test
 * shows one problem. A test marked `it.fails` documents a problem in a file this review could not
 * change; it starts failing (and must become a plain `it`) once the problem is fixed.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { signedInBrowser } from './attack-support.js';
import { csrfOf, InjectBrowser, registerThreeLeggedApp } from './browser.js';
import { dialects, startTestServer, type TestServer } from './support.js';

describe('review findings', () => {
  let s: TestServer | undefined;
  afterEach(async () => {
    await s?.close();
    s = undefined;
  });

  // Finding R1 (app.ts, fixed): Fastify's `return503OnClosing` answers requests that reach a
  // draining server (pipelined or on a busy keep-alive connection) itself, before any hook runs, so the
  // 503 lacks `Cache-Control: no-store` and `Pragma: no-cache` (RFC 6749 §5.1) and is not our
  // `{error, error_description}` JSON. Now `return503OnClosing: false` and the `onRequest` hook answers
  // a no-store `temporarily_unavailable` 503 while draining.
  it('a request reaching a draining server gets a no-store 503', async () => {
    s = await startTestServer('sqlite');
    const { app } = s;
    await s.close();
    s = undefined;
    // What a request on a kept-alive connection meets while the server drains (Fastify's router sees
    // `closing`); app.inject refuses a closed instance, so the router is served on its own socket.
    const http = createServer((req, res) => app.routing(req, res));
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    const { port } = http.address() as AddressInfo;
    let res: Response;
    try {
      res = await fetch(`http://127.0.0.1:${port}/oauth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'grant_type=client_credentials',
      });
    } finally {
      await new Promise((resolve) => http.close(resolve));
    }
    expect(res.status).toBe(503);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('pragma')).toBe('no-cache');
    expect(res.headers.get('retry-after')).toBe('1');
    expect(await res.json()).toEqual({
      error: 'temporarily_unavailable',
      error_description: 'the server is shutting down; retry',
    });
  });
  // Finding R2 (endpoints/account.ts, fixed): the Connected apps revoke form took the app's ID from the
  // path and queried with it unchecked; on PostgreSQL `/account/apps/%00/revoke` was a data exception,
  // so the browser got a JSON 400 (no CSP, no X-Frame-Options) and the log a "shape check is missing"
  // warning, where SQLite answered the usual 303. Now an ID that cannot be an app's is never looked up.
  it.each(dialects())(
    'on %s: revoking an app ID that cannot exist is the usual 303 and no database error',
    async (dialect) => {
      s = await startTestServer(dialect);
      const app = await registerThreeLeggedApp(s);
      const user = await s.ctx.users.create('ada@example.com', 'correct horse battery');
      await s.ctx.consents.save(user.id, app.client.id, ['data:read']);
      const browser = await signedInBrowser(s, new InjectBrowser(s.app), user.id);
      const csrf = csrfOf((await browser.get('/account/apps')).body);
      for (const id of ['%00', 'a%00b', '%C3%A9', 'a%20b']) {
        const res = await browser.post(`/account/apps/${id}/revoke`, { csrf });
        expect({ id, status: res.statusCode, location: res.headers['location'] }).toEqual({
          id,
          status: 303,
          location: '/account/apps?revoked=1',
        });
      }
      expect(s.logs.text).not.toContain('shape check is missing');
      // The user's real consent is untouched.
      expect(await s.ctx.consents.scopes(user.id, app.client.id)).toEqual(['data:read']);
    },
  );
});
