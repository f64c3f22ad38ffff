/**
 * A real browser through the three-legged flow: headless Chromium signs in and allows; openid-client
 * (code no one here wrote) exchanges the code with PKCE, refreshes, revokes and introspects.
 * Screenshots land in test-artifacts/screenshots/.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as client from 'openid-client';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, requireChromium } from './support/chromium.js';
import { cliAsync, freePort, type ServerProcess, startProcess } from './support/process.js';

/** Where the screenshots of the sign-in, consent and connected-apps pages are saved. */
export const SCREENSHOTS = resolve(
  fileURLToPath(new URL('../../../test-artifacts/screenshots', import.meta.url)),
);

describe.runIf(requireChromium('browser end-to-end'))(
  'Chromium: sign in, allow, code to openid-client',
  () => {
    let dir: string;
    let server: ServerProcess;
    let browser: Browser;
    let callback: Server;
    let callbackUrl: string;
    let app: { client_id: string; client_secret: string };
    /** A second app, consented to only by the sign-in-again test. */
    let secondApp: { client_id: string };
    const email = 'grace@example.com';
    const password = 'a long enough password';

    beforeAll(async () => {
      mkdirSync(SCREENSHOTS, { recursive: true });
      dir = mkdtempSync(join(tmpdir(), 'latchkey-e2e-'));
      const port = await freePort();
      callbackUrl = `http://127.0.0.1:${port}/callback`;
      callback = createServer((_req, res) => {
        res.writeHead(200, { 'content-type': 'text/html' }).end('<h1>Back at the app</h1>');
      });
      await new Promise<void>((r) => callback.listen(port, '127.0.0.1', r));
      const env = { LATCHKEY_DATA_DIR: dir, LATCHKEY_DEMO_APP: 'false' };
      server = await startProcess(env);
      expect((await cliAsync(['users', 'create', '--email', email, '--password', password], env)).code).toBe(
        0,
      );
      const created = await cliAsync(
        [
          'apps',
          'create',
          '--name',
          'Photo Printer',
          '--scope',
          'data:read data:write',
          '--redirect-uri',
          'http://127.0.0.1/callback',
          '--json',
        ],
        env,
      );
      app = JSON.parse(created.stdout);
      const second = await cliAsync(
        [
          'apps',
          'create',
          '--name',
          'Label Maker',
          '--scope',
          'data:read',
          '--redirect-uri',
          'http://127.0.0.1/callback',
          '--json',
        ],
        env,
      );
      secondApp = JSON.parse(second.stdout);
      browser = await launchChromium();
    });
    afterAll(async () => {
      await browser?.close();
      await server?.stop();
      await new Promise((r) => callback?.close(r));
      rmSync(dir, { recursive: true, force: true });
    });

    it('walks the flow and the tokens work with openid-client', async () => {
      const config = await client.discovery(
        new URL(server.url),
        app.client_id,
        undefined,
        client.ClientSecretBasic(app.client_secret),
        {
          execute: [client.allowInsecureRequests],
          algorithm: 'oauth2',
        },
      );
      const verifier = client.randomPKCECodeVerifier();
      const state = client.randomState();
      const authUrl = client.buildAuthorizationUrl(config, {
        redirect_uri: callbackUrl,
        scope: 'data:read data:write',
        state,
        code_challenge: await client.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
      });

      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      const page = await context.newPage();
      await page.goto(authUrl.href);
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toContain('Photo Printer');
      await page.screenshot({ path: join(SCREENSHOTS, 'sign-in.png'), fullPage: true });
      await page.getByLabel('Email').fill(email);
      await page.getByLabel('Password').fill(password);
      await page.getByRole('button', { name: 'Sign in' }).click();

      await page.getByRole('button', { name: 'Allow' }).waitFor();
      expect(await page.content()).toContain('Photo Printer');
      await page.screenshot({ path: join(SCREENSHOTS, 'consent.png'), fullPage: true });
      await Promise.all([
        page.waitForURL(/^http:\/\/127\.0\.0\.1:\d+\/callback\?/),
        page.getByRole('button', { name: 'Allow' }).click(),
      ]);
      const landed = new URL(page.url());
      expect(landed.searchParams.get('iss')).toBe(server.url);
      expect(landed.searchParams.get('state')).toBe(state);

      const tokens = await client.authorizationCodeGrant(config, landed, {
        pkceCodeVerifier: verifier,
        expectedState: state,
      });
      expect(tokens.scope).toBe('data:read data:write');
      expect(tokens.refresh_token).toBeTruthy();
      const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token as string);
      expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);
      const active = await client.tokenIntrospection(config, refreshed.access_token);
      expect(active.active).toBe(true);
      expect(active.client_id).toBe(app.client_id);

      await page.goto(`${server.url}/account/apps`);
      expect(await page.getByRole('heading', { name: 'Connected apps' }).isVisible()).toBe(true);
      expect(await page.content()).toContain('Photo Printer');
      await page.screenshot({ path: join(SCREENSHOTS, 'connected-apps.png'), fullPage: true });

      await client.tokenRevocation(config, refreshed.refresh_token as string);
      expect((await client.tokenIntrospection(config, refreshed.access_token)).active).toBe(false);
      // The app revoked its grant, but the user's consent remains (its next request would get a code
      // without asking): the app stays listed until the user withdraws it.
      await page.reload();
      expect(await page.content()).toContain('Photo Printer');
      await Promise.all([
        page.waitForURL(/\/account\/apps\?revoked=1$/),
        page
          .getByRole('button', { name: /Revoke/ })
          .first()
          .click(),
      ]);
      expect(await page.content()).not.toContain('Photo Printer');

      const mobile = await browser.newContext({ viewport: { width: 375, height: 740 } });
      const phone = await mobile.newPage();
      await phone.goto(`${server.url}/login`);
      await phone.screenshot({ path: join(SCREENSHOTS, 'sign-in-mobile.png'), fullPage: true });
      await mobile.close();
      await context.close();
    });

    it('a user who already allowed the app signs in again and lands on the callback (CSP form-action)', async () => {
      const authUrl = `${server.url}/oauth/authorize?${new URLSearchParams({
        response_type: 'code',
        client_id: secondApp.client_id,
        redirect_uri: callbackUrl,
        scope: 'data:read',
        state: 'again',
        code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
        code_challenge_method: 'S256',
      })}`;
      const signInAndSubmit = async (page: Page) => {
        await page.goto(authUrl);
        await page.getByLabel('Email').fill(email);
        await page.getByLabel('Password').fill(password);
        await page.getByRole('button', { name: 'Sign in' }).click();
      };
      const first = await browser.newContext();
      const page = await first.newPage();
      await signInAndSubmit(page);
      await page.getByRole('button', { name: 'Allow' }).waitFor();
      expect(await page.content()).toContain('Label Maker');
      await Promise.all([
        page.waitForURL(/^http:\/\/127\.0\.0\.1:\d+\/callback\?/),
        page.getByRole('button', { name: 'Allow' }).click(),
      ]);
      await first.close();

      // A fresh browser: sign-in 303s to /oauth/authorize, which 303s straight to the app (consent is
      // remembered). CSP form-action applies to that redirect chain, so the login page must allow it.
      const second = await browser.newContext();
      const again = await second.newPage();
      const blocked: string[] = [];
      again.on('console', (message) => {
        if (/Content Security Policy/i.test(message.text())) blocked.push(message.text());
      });
      await Promise.all([
        again.waitForURL(/^http:\/\/127\.0\.0\.1:\d+\/callback\?/, { timeout: 10_000 }),
        signInAndSubmit(again),
      ]);
      const landed = new URL(again.url());
      expect(landed.origin).toBe(new URL(callbackUrl).origin);
      expect(landed.searchParams.get('code')).toMatch(/^[\w-]{43}$/);
      expect(landed.searchParams.get('state')).toBe('again');
      expect(landed.searchParams.get('iss')).toBe(server.url);
      expect(blocked).toEqual([]);
      await second.close();
    });
  },
);
