/**
 * The page cookies with an https issuer (RFC 6265bis §4.1.3.2, RFC 9700 §4.7): the pre-session and
 * session cookies are `__Host-` and Secure, so no sibling subdomain and no http:// page can plant them,
 * and a same-named cookie without the prefix counts for nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectErrorPage } from './support/attacks.js';
import { PASSWORD } from './support/authorize-attack-server.js';
import { csrfOf, InjectBrowser } from './support/browser.js';
import { startTestServer, type TestServer } from './support/server.js';

// RFC 6265bis §4.1.3.2: with an https issuer the page cookies are `__Host-` (Secure, Path=/, no
// Domain), so no sibling subdomain and no http:// page can set them; a same-named cookie without the
// prefix is ignored.
describe('an https issuer: __Host- cookies', () => {
  let s: TestServer;
  let userId: string;
  const email = 'hosted@example.com';
  beforeAll(async () => {
    s = await startTestServer('sqlite', { LATCHKEY_ISSUER: 'https://auth.example' });
    userId = (await s.ctx.users.create(email, PASSWORD)).id;
  });
  afterAll(() => s.close());

  const cookieLines = (res: Awaited<ReturnType<InjectBrowser['get']>>) => {
    const header = res.headers['set-cookie'];
    return header === undefined ? [] : Array.isArray(header) ? header : [header];
  };

  it('the pre-session and session cookies are __Host- and Secure; the forms work with them', async () => {
    const browser = new InjectBrowser(s.app);
    const page = await browser.get('/login');
    const [csrfCookie] = cookieLines(page);
    expect(csrfCookie).toMatch(
      /^__Host-lk_csrf=[\w-]{43}; Path=\/; HttpOnly; SameSite=Lax; Max-Age=\d+; Secure$/,
    );
    const res = await browser.post('/login', { csrf: csrfOf(page.body), email, password: PASSWORD });
    expect(res.statusCode).toBe(303);
    const session = cookieLines(res).find((line) => line.startsWith('__Host-lk_session='));
    expect(session).toMatch(/; Path=\/; .*; Secure$/);
    expect(session).not.toMatch(/Domain=/i);
    const apps = await browser.get('/account/apps');
    expect(apps.statusCode).toBe(200);
    expect((await browser.post('/logout', { csrf: csrfOf(apps.body) })).statusCode).toBe(303);
  });

  it('cookies without the prefix (planted over http:// or by a subdomain) count for nothing', async () => {
    const planted = 'B'.repeat(43);
    const anonymous = new InjectBrowser(s.app);
    anonymous.cookies.set('lk_csrf', planted);
    expectErrorPage(await anonymous.post('/login', { csrf: planted, email, password: PASSWORD }), 403);
    const signedIn = new InjectBrowser(s.app);
    signedIn.cookies.set('lk_session', await s.ctx.users.createSession(userId, 3600));
    expect((await signedIn.get('/account/apps')).statusCode).toBe(303);
  });
});
