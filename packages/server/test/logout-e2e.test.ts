/**
 * Logout in a real browser (headless Chromium against a `latchkey start` process): an app on another
 * site (localhost, while Latchkey is 127.0.0.1) registered with the CLI's `--post-logout-redirect-uri`
 * and `--backchannel-logout-uri` signs a user in, then sends them to the end_session_endpoint. Latchkey
 * asks "Sign out of Latchkey?", signs out on the button, sends the browser back with `state`, and
 * posts a logout token to the app's receiver. The app's cross-site form POST is answered too (the
 * session cookie is SameSite=Lax), and "You are signed out" ends a sign-out without a return address.
 * Screenshots at 1280 and 375 px go to docs/screenshots/logout/.
 *
 * The grant's `sid` is set in the database directly: the code redemption that records it is another
 * branch's work (see test/backchannel-logout.test.ts).
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { type Db, openDatabase } from '../src/storage/database.js';
import { UserRepository } from '../src/storage/users.js';
import { launchChromium, requireChromium } from './support/chromium.js';
import { LogoutReceiver, verifyLogoutToken } from './support/logout-receiver.js';
import { cliAsync, freePort, type ServerProcess, startProcess } from './support/process.js';

/** Where the logout pages' screenshots are kept (the README lists them). */
export const LOGOUT_SCREENSHOTS = resolve(
  fileURLToPath(new URL('../../../docs/screenshots/logout', import.meta.url)),
);

const EMAIL = 'ada@example.com';
const PASSWORD = 'a long enough password';

/** Saves the page at 1280 and at 375 px wide as `<name>-1280.png` and `<name>-375.png`. */
async function screenshots(page: Page, name: string) {
  for (const width of [1280, 375]) {
    await page.setViewportSize({ width, height: 800 });
    await page.screenshot({ path: join(LOGOUT_SCREENSHOTS, `${name}-${width}.png`), fullPage: true });
  }
  await page.setViewportSize({ width: 1280, height: 800 });
}

describe.runIf(requireChromium('logout end-to-end'))(
  'Chromium: signing out of an app and of Latchkey',
  () => {
    let dir: string;
    let env: Record<string, string>;
    let server: ServerProcess;
    let browser: Browser;
    let db: Db;
    let rp: Server;
    /** The app's own site: localhost, another site than Latchkey's 127.0.0.1. */
    let appOrigin: string;
    let receiver: LogoutReceiver;
    let app: { client_id: string; client_secret: string };
    const violations: string[] = [];

    /** The app: its callback redeems the code; its pages offer Sign out by link and by form POST. */
    function appServer(): Server {
      return createServer(async (req, res) => {
        const url = new URL(req.url ?? '/', appOrigin);
        const html = (body: string) =>
          res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(`<!doctype html>${body}`);
        const params = {
          client_id: app.client_id,
          post_logout_redirect_uri: `${appOrigin}/signed-out`,
          state: 'bye-42',
        };
        if (url.pathname === '/cb') {
          const token = await fetch(`${server.url}/oauth/token`, {
            method: 'POST',
            headers: {
              authorization: `Basic ${Buffer.from(`${app.client_id}:${app.client_secret}`).toString('base64')}`,
              'content-type': 'application/x-www-form-urlencoded',
            },
            body: new URLSearchParams({
              grant_type: 'authorization_code',
              code: url.searchParams.get('code') ?? '',
              redirect_uri: `${appOrigin}/cb`,
            }),
          });
          return html(`<h1>Signed in to Photo Printer (${token.status})</h1>
<a href="${server.url}/oauth/logout?${new URLSearchParams(params)}">Sign out</a>
<form method="post" action="${server.url}/oauth/logout">${Object.entries(params)
            .map(([name, value]) => `<input type="hidden" name="${name}" value="${value}">`)
            .join('')}<button>Sign out by form</button></form>`);
        }
        if (url.pathname === '/signed-out') {
          return html(`<h1>Photo Printer: signed out</h1><p id="state">${url.searchParams.get('state')}</p>`);
        }
        res.writeHead(404).end();
      });
    }

    beforeAll(async () => {
      mkdirSync(LOGOUT_SCREENSHOTS, { recursive: true });
      dir = mkdtempSync(join(tmpdir(), 'latchkey-logout-e2e-'));
      const port = await freePort();
      appOrigin = `http://localhost:${port}`;
      rp = appServer();
      await new Promise<void>((r) => rp.listen(port, '127.0.0.1', r));
      receiver = await new LogoutReceiver(200).start();
      env = { LATCHKEY_DATA_DIR: dir, LATCHKEY_DEMO_APP: 'false' };
      expect((await cliAsync(['users', 'create', '--email', EMAIL, '--password', PASSWORD], env)).code).toBe(
        0,
      );
      const created = await cliAsync(
        [
          'apps',
          'create',
          '--name',
          'Photo Printer',
          '--scope',
          'data:read',
          '--redirect-uri',
          `${appOrigin}/cb`,
          '--post-logout-redirect-uri',
          `${appOrigin}/signed-out`,
          '--backchannel-logout-uri',
          receiver.url,
          '--json',
        ],
        env,
      );
      expect(created.code, created.stderr).toBe(0);
      app = JSON.parse(created.stdout);
      server = await startProcess(env);
      db = openDatabase(loadConfig(env).databaseUrl);
      browser = await launchChromium();
    }, 60_000);
    afterAll(async () => {
      await browser?.close();
      await server?.stop();
      await db?.destroy();
      await receiver?.stop();
      await new Promise((r) => rp?.close(r));
      rmSync(dir, { recursive: true, force: true });
      expect(violations).toEqual([]);
    });

    async function freshPage(): Promise<Page> {
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      const page = await context.newPage();
      page.on('console', (message) => {
        if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
      });
      return page;
    }

    /** Signs in and allows the app: the browser ends on the app's signed-in page. */
    async function signInToApp(page: Page) {
      const query = new URLSearchParams({
        response_type: 'code',
        client_id: app.client_id,
        redirect_uri: `${appOrigin}/cb`,
        scope: 'data:read',
        state: 'in',
      });
      await page.goto(`${server.url}/oauth/authorize?${query}`);
      await page.getByLabel('Email').fill(EMAIL);
      await page.getByLabel('Password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      const allow = page.getByRole('button', { name: 'Allow' });
      await Promise.race([allow.waitFor(), page.waitForURL(`${appOrigin}/cb?**`)]);
      if (await allow.isVisible()) await allow.click();
      await page.getByRole('heading', { name: 'Signed in to Photo Printer (200)' }).waitFor();
      // What the OpenID Connect code redemption records: the grant names the session it was made in.
      const cookie = (await page.context().cookies(server.url)).find((c) => c.name === 'lk_session');
      const session = await new UserRepository(db).session(cookie?.value as string);
      await db
        .updateTable('grants')
        .set({ sid: session?.sid as string })
        .where('client_id', '=', app.client_id)
        .where('sid', 'is', null)
        .execute();
      return session?.sid as string;
    }

    it('the app sends the user to sign out: asked, signed out on the button, back with state, the app told', async () => {
      const page = await freshPage();
      const sid = await signInToApp(page);
      await page.getByRole('link', { name: 'Sign out' }).click();
      await page.getByRole('heading', { name: 'Sign out of Latchkey?' }).waitFor();
      expect(await page.getByText('Photo Printer asks you to sign out.').isVisible()).toBe(true);
      expect(await page.getByText(`Signed in as ${EMAIL}`).isVisible()).toBe(true);
      await screenshots(page, 'confirm');

      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.waitForURL(`${appOrigin}/signed-out?state=bye-42`);
      expect(await page.locator('#state').textContent()).toBe('bye-42');
      const [got] = await receiver.waitFor(1);
      const { payload, protectedHeader } = await verifyLogoutToken(got?.token as string, {
        jwksUrl: `${server.url}/.well-known/jwks.json`,
        issuer: server.url,
        audience: app.client_id,
      });
      expect(protectedHeader.typ).toBe('logout+jwt');
      expect(payload['sid']).toBe(sid);
      // Signed out of Latchkey: its pages ask to sign in again.
      await page.goto(`${server.url}/account/apps`);
      await page.waitForURL(/\/login\?return_to=/);
      await page.context().close();
    });

    it('the app\'s cross-site form POST reaches the signed-in session; a sign-out without a return address ends on "You are signed out"', async () => {
      const page = await freshPage();
      await signInToApp(page);
      await page.getByRole('button', { name: 'Sign out by form' }).click();
      // SameSite=Lax kept the cookie off the POST; the GET it became carries it: the user is recognised.
      await page.getByRole('heading', { name: 'Sign out of Latchkey?' }).waitFor();
      expect(await page.getByText(`Signed in as ${EMAIL}`).isVisible()).toBe(true);
      await page.getByRole('link', { name: 'Stay signed in' }).click();
      await page.getByRole('heading', { name: 'Connected apps' }).waitFor();

      // A link naming no app and no return address: asked plainly, then "You are signed out".
      await page.goto(`${server.url}/oauth/logout`);
      expect(await page.getByText('A link asks you to sign out.').isVisible()).toBe(true);
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.waitForURL(`${server.url}/oauth/logout/done`);
      await page.getByRole('heading', { name: 'You are signed out' }).waitFor();
      await screenshots(page, 'signed-out');
      await page.getByRole('link', { name: 'Sign in again' }).click();
      await page.waitForURL(`${server.url}/login`);

      // A return address the app never registered: an error page, and the browser stays here.
      const query = new URLSearchParams({
        client_id: app.client_id,
        post_logout_redirect_uri: 'https://evil.example/',
      });
      const response = await page.goto(`${server.url}/oauth/logout?${query}`);
      expect(response?.status()).toBe(400);
      expect(page.url().startsWith(server.url)).toBe(true);
      await page.getByRole('heading', { name: 'Invalid return address' }).waitFor();
      await screenshots(page, 'invalid-return-address');
      await page.context().close();
    });
  },
);
