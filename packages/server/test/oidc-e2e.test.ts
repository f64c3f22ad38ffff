/**
 * Signing in with OpenID Connect in a real browser (headless Chromium against a `latchkey start`
 * process), for an app on another site (localhost, while Latchkey is 127.0.0.1): the consent page
 * asking for offline_access, an ID token and a refresh token; `prompt=login` showing the sign-in page
 * to a signed-in user, the email filled in from `login_hint`; and `response_mode=form_post`, the form
 * submitted by its script under the page's CSP, or by its button without scripts. No CSP violation is
 * reported. Screenshots at 1280 and 375 px go to docs/screenshots/oidc/.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import type { Browser, BrowserContextOptions, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, requireChromium } from './support/chromium.js';
import { cliAsync, freePort, type ServerProcess, startProcess } from './support/process.js';

/** Where the screenshots are kept. */
const SCREENSHOTS = resolve(fileURLToPath(new URL('../../../docs/screenshots/oidc', import.meta.url)));
const EMAIL = 'grace@example.com';
const PASSWORD = 'a long enough password';

async function screenshots(page: Page, name: string) {
  for (const width of [1280, 375]) {
    await page.setViewportSize({ width, height: 800 });
    await page.screenshot({ path: join(SCREENSHOTS, `${name}-${width}.png`), fullPage: true });
  }
  await page.setViewportSize({ width: 1280, height: 800 });
}

/** The body of a form POST. */
async function formBody(req: IncomingMessage): Promise<URLSearchParams> {
  let text = '';
  for await (const chunk of req) text += chunk;
  return new URLSearchParams(text);
}

describe.runIf(requireChromium('OpenID Connect end-to-end'))(
  'Chromium: signing in with OpenID Connect',
  () => {
    let dir: string;
    let server: ServerProcess;
    let browser: Browser;
    let rp: Server;
    let appOrigin: string;
    let app: { client_id: string; client_secret: string };
    const violations: string[] = [];

    /** The app: its callback (GET, or POST for form_post) redeems the code and shows the ID token's claims. */
    function appServer(): Server {
      return createServer(async (req, res) => {
        const url = new URL(req.url ?? '/', appOrigin);
        if (url.pathname !== '/cb') return res.writeHead(404).end();
        const params = req.method === 'POST' ? await formBody(req) : url.searchParams;
        const answer = await fetch(`${server.url}/oauth/token`, {
          method: 'POST',
          headers: {
            authorization: `Basic ${Buffer.from(`${app.client_id}:${app.client_secret}`).toString('base64')}`,
            'content-type': 'application/x-www-form-urlencoded',
          },
          body: new URLSearchParams({
            grant_type: 'authorization_code',
            code: params.get('code') ?? '',
            redirect_uri: `${appOrigin}/cb`,
          }),
        });
        const tokens = (await answer.json()) as { id_token?: string; refresh_token?: string };
        const jwks = createRemoteJWKSet(new URL(`${server.url}/.well-known/jwks.json`));
        const { payload } = await jwtVerify(tokens.id_token ?? '', jwks, {
          issuer: server.url,
          audience: app.client_id,
        });
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(`<!doctype html>
<h1>Signed in to Photo Printer by ${req.method}</h1>
<p id="nonce">${payload['nonce']}</p><p id="auth-time">${payload['auth_time']}</p>
<p id="refresh">${tokens.refresh_token ? 'refresh token' : 'no refresh token'}</p>`);
      });
    }

    beforeAll(async () => {
      mkdirSync(SCREENSHOTS, { recursive: true });
      dir = mkdtempSync(join(tmpdir(), 'latchkey-oidc-e2e-'));
      const port = await freePort();
      appOrigin = `http://localhost:${port}`;
      rp = appServer();
      await new Promise<void>((r) => rp.listen(port, '127.0.0.1', r));
      const env = { LATCHKEY_DATA_DIR: dir, LATCHKEY_DEMO_APP: 'false' };
      const user = await cliAsync(
        ['users', 'create', '--email', EMAIL, '--password', PASSWORD, '--name', 'Grace Hopper'],
        env,
      );
      expect(user.code, user.stderr).toBe(0);
      const created = await cliAsync(
        [
          'apps',
          'create',
          '--name',
          'Photo Printer',
          '--scope',
          'openid profile email offline_access',
          '--redirect-uri',
          `${appOrigin}/cb`,
          '--json',
        ],
        env,
      );
      expect(created.code, created.stderr).toBe(0);
      app = JSON.parse(created.stdout);
      server = await startProcess(env);
      browser = await launchChromium();
    }, 60_000);
    afterAll(async () => {
      await browser?.close();
      await server?.stop();
      await new Promise((r) => rp?.close(r));
      rmSync(dir, { recursive: true, force: true });
      expect(violations).toEqual([]);
    });

    async function freshPage(options: BrowserContextOptions = {}): Promise<Page> {
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, ...options });
      const page = await context.newPage();
      page.on('console', (message) => {
        if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
      });
      return page;
    }

    const authorizeUrl = (extra: Record<string, string>) =>
      `${server.url}/oauth/authorize?${new URLSearchParams({
        response_type: 'code',
        client_id: app.client_id,
        redirect_uri: `${appOrigin}/cb`,
        scope: 'openid profile email',
        state: 'in',
        nonce: 'nonce-from-the-app',
        ...extra,
      })}`;

    async function signIn(page: Page) {
      await page.getByLabel('Password').fill(PASSWORD);
      if ((await page.getByLabel('Email').inputValue()) === '') await page.getByLabel('Email').fill(EMAIL);
      await page.getByRole('button', { name: 'Sign in' }).click();
    }

    it('offline_access on the consent page, an ID token with the nonce, and a refresh token', async () => {
      const page = await freshPage();
      await page.goto(authorizeUrl({ scope: 'openid profile email offline_access' }));
      await page.getByRole('heading', { name: /Sign in to continue to Photo Printer/ }).waitFor();
      await signIn(page);
      await page.getByRole('heading', { name: 'Photo Printer wants to access your account' }).waitFor();
      expect(await page.getByText('Keep access when you are not using the app').isVisible()).toBe(true);
      expect(await page.getByText('See your email address and whether it is verified').isVisible()).toBe(
        true,
      );
      await screenshots(page, 'consent-offline-access');
      await page.getByRole('button', { name: 'Allow' }).click();
      await page.getByRole('heading', { name: 'Signed in to Photo Printer by GET' }).waitFor();
      expect(await page.locator('#nonce').textContent()).toBe('nonce-from-the-app');
      expect(await page.locator('#refresh').textContent()).toBe('refresh token');
    });

    it('prompt=login: the sign-in page again for a signed-in user, the email from login_hint, a later auth_time', async () => {
      const page = await freshPage();
      await page.goto(authorizeUrl({}));
      await signIn(page);
      const allow = page.getByRole('button', { name: 'Allow' });
      await Promise.race([allow.waitFor(), page.waitForURL(`${appOrigin}/cb?**`)]);
      if (await allow.isVisible()) await allow.click();
      await page.getByRole('heading', { name: 'Signed in to Photo Printer by GET' }).waitFor();
      const first = Number(await page.locator('#auth-time').textContent());
      await new Promise((r) => setTimeout(r, 1100));
      await page.goto(authorizeUrl({ prompt: 'login', login_hint: EMAIL }));
      await page.getByRole('heading', { name: /Sign in to continue to Photo Printer/ }).waitFor();
      expect(await page.getByLabel('Email').inputValue()).toBe(EMAIL);
      await screenshots(page, 'sign-in-again');
      await signIn(page);
      await page.getByRole('heading', { name: 'Signed in to Photo Printer by GET' }).waitFor();
      expect(Number(await page.locator('#auth-time').textContent())).toBeGreaterThan(first);
    });

    it('response_mode=form_post: posted by the page script under its CSP, or by the Continue button without scripts', async () => {
      const page = await freshPage();
      await page.goto(authorizeUrl({ response_mode: 'form_post' }));
      await signIn(page);
      const allow = page.getByRole('button', { name: 'Allow' });
      await Promise.race([allow.waitFor(), page.waitForURL(`${appOrigin}/cb`)]);
      if (await allow.isVisible()) await allow.click();
      await page.getByRole('heading', { name: 'Signed in to Photo Printer by POST' }).waitFor();

      const noScript = await freshPage({ javaScriptEnabled: false });
      await noScript.goto(authorizeUrl({ response_mode: 'form_post' }));
      await signIn(noScript);
      const allowAgain = noScript.getByRole('button', { name: 'Allow' });
      const proceed = noScript.getByRole('button', { name: 'Continue' });
      await Promise.race([allowAgain.waitFor(), proceed.waitFor()]);
      if (await allowAgain.isVisible()) await allowAgain.click();
      await proceed.waitFor();
      await screenshots(noScript, 'form-post-without-scripts');
      await proceed.click();
      await noScript.getByRole('heading', { name: 'Signed in to Photo Printer by POST' }).waitFor();
    });
  },
);
