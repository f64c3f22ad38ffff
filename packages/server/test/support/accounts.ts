/** Test helpers for account emails: a server that mails through a loopback Mailbox and listens on HTTP. */
import type { HttpAnswer, HttpBrowser } from './http-browser.js';
import { hiddenField } from './http-browser.js';
import type { Mailbox } from './mailbox.js';
import { freePort } from './process.js';
import { type DialectName, startTestServer, type TestServer } from './server.js';

/** The `From` the servers of these tests send with. */
export const MAIL_FROM = 'Latchkey Accounts <accounts@example.com>';

/**
 * A test server that sends account emails to `mailbox` (with its login) and listens on a loopback port,
 * its issuer that address, so the links in its emails can be followed over HTTP as they are.
 */
export async function startMailingServer(
  dialect: DialectName,
  mailbox: Mailbox,
  env: Record<string, string> = {},
): Promise<TestServer> {
  const port = await freePort();
  const s = await startTestServer(dialect, {
    LATCHKEY_SMTP_URL: mailbox.url,
    LATCHKEY_MAIL_FROM: MAIL_FROM,
    LATCHKEY_ISSUER: `http://127.0.0.1:${port}`,
    PORT: String(port),
    ...env,
  });
  await s.app.listen({ port, host: '127.0.0.1' });
  return s;
}

/** Signs up on the sign-up page (name, email, password) over HTTP. */
export async function signUp(
  browser: HttpBrowser,
  name: string,
  email: string,
  password: string,
): Promise<HttpAnswer> {
  const form = await browser.get('/signup');
  return browser.post('/signup', { csrf: hiddenField(form.body, 'csrf'), name, email, password });
}

/** Signs in on the sign-in page over HTTP. */
export async function signIn(browser: HttpBrowser, email: string, password: string): Promise<HttpAnswer> {
  const form = await browser.get('/login');
  return browser.post('/login', { csrf: hiddenField(form.body, 'csrf'), email, password });
}

/** Asks "Forgot password?" for `email` over HTTP. */
export async function forgotPassword(browser: HttpBrowser, email: string): Promise<HttpAnswer> {
  const form = await browser.get('/forgot-password');
  return browser.post('/forgot-password', { csrf: hiddenField(form.body, 'csrf'), email });
}
