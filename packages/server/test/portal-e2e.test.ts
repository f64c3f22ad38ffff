/**
 * The developer portal in a real browser (headless Chromium against a `latchkey start` process): sign
 * up, create a server-to-server app, read its client ID and secret off the page, fetch a two-legged
 * token with them over HTTP, rotate the secret with a grace period and see the old one still work in
 * it and fail after it (its stored expiry moved into the past: see endGrace), with why under Recent
 * errors, send a token request with a scope the app lacks and see it under Recent errors, add a collaborator who then sees the app while a third user gets 404. Screenshots of every portal page at 1280 and 375 px go to docs/screenshots/portal/.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import SQLite from 'better-sqlite3';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, requireChromium } from './support/chromium.js';
import { fetchToken, type ServerProcess, startProcess } from './support/process.js';

/** Where the portal's screenshots are kept (the README lists them). */
export const PORTAL_SCREENSHOTS = resolve(
  fileURLToPath(new URL('../../../docs/screenshots/portal', import.meta.url)),
);

const PASSWORD = 'a long enough password';

/**
 * Saves the page (or only `part` of it) at 1280 and at 375 px wide as `<name>-1280.png` and
 * `<name>-375.png`.
 */
async function screenshots(page: Page, name: string, part?: Locator) {
  for (const width of [1280, 375]) {
    await page.setViewportSize({ width, height: 800 });
    const path = join(PORTAL_SCREENSHOTS, `${name}-${width}.png`);
    // A part's box is measured from the viewport: from the top of the page, as the full page is taken.
    await page.evaluate(() => window.scrollTo(0, 0));
    const box = part && (await part.boundingBox());
    // A part with a margin of the card around it.
    const clip = box && { x: box.x - 24, y: box.y - 8, width: box.width + 48, height: box.height + 32 };
    await page.screenshot({ path, fullPage: true, ...(clip && { clip }) });
  }
  await page.setViewportSize({ width: 1280, height: 800 });
}

describe.runIf(requireChromium('portal end-to-end'))('Chromium: the developer portal', () => {
  let dir: string;
  let server: ServerProcess;
  let browser: Browser;
  /** CSP violations any page reported: there must be none (the Copy script runs by its nonce). */
  const violations: string[] = [];

  beforeAll(async () => {
    mkdirSync(PORTAL_SCREENSHOTS, { recursive: true });
    dir = mkdtempSync(join(tmpdir(), 'latchkey-portal-e2e-'));
    server = await startProcess({
      LATCHKEY_DATA_DIR: dir,
      LATCHKEY_DEMO_APP: 'false',
      LATCHKEY_RESTRICTED_SCOPES: 'data:write',
    });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /**
   * Ends the grace period of the app's rotated-out secrets now rather than in an hour: their stored
   * expiry is moved to a second ago, straight in the server's SQLite database (the only thing this
   * test changes behind the server's back; a test must not sleep an hour). The server reads it as it
   * would at the end of the grace: its registration cache is dropped when another connection writes
   * (storage/client-cache.ts), and the secret rotation time is left as it was.
   */
  function endGrace(clientId: string) {
    const db = new SQLite(join(dir, 'latchkey.db'));
    try {
      db.pragma('busy_timeout = 5000');
      const ended = db
        .prepare('update client_secrets set expires_at = ? where client_id = ? and expires_at is not null')
        .run(Math.floor(Date.now() / 1000) - 1, clientId);
      expect(ended.changes).toBe(1);
    } finally {
      db.close();
    }
  }

  /** A fresh browser profile whose console CSP complaints are collected. */
  async function freshContext(): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
    });
    return { context, page };
  }

  /** Signs up through the sign-in page's "Create one" link, starting from My apps. */
  async function signUp(page: Page, email: string) {
    await page.goto(`${server.url}/portal`);
    await page.waitForURL(/\/login\?return_to=%2Fportal$/);
    await page.getByRole('link', { name: 'Create one' }).click();
    await page.getByLabel('Name', { exact: true }).fill('Dev Eloper');
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(PASSWORD);
    await Promise.all([
      page.waitForURL(`${server.url}/portal`),
      page.getByRole('button', { name: 'Create account' }).click(),
    ]);
  }

  it('takes a developer from sign-up to a working token, rotation and a collaborator', async () => {
    const owner = await freshContext();
    await owner.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
    const { page } = owner;
    await signUp(page, 'dev@example.com');
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('My apps');
    expect(await page.getByText('No apps yet').isVisible()).toBe(true);
    await screenshots(page, 'my-apps-empty');

    await page.getByRole('link', { name: 'Create app' }).click();
    await page.waitForURL(`${server.url}/portal/apps/new`);
    await screenshots(page, 'create-app');
    await page.getByLabel('Name', { exact: true }).fill('Nightly Reports');
    await page.getByLabel('Description').fill('Builds the nightly usage reports for the finance team.');
    await page.getByLabel('Homepage URL').fill('http://reports.example');
    await page.getByLabel('Server-to-server (client credentials)').check();
    await page.getByLabel('Redirect URIs', { exact: true }).fill('https://reports.example/cb');
    await page.getByRole('button', { name: 'Create app' }).click();
    // Three mistakes, refused at once: each beside its field, with everything as typed.
    const homepage = page.getByLabel('Homepage URL');
    await expect.poll(() => homepage.getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator('#homepage-url-error').textContent()).toContain('https');
    expect(await page.getByLabel('Redirect URIs', { exact: true }).getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator('#redirect-uris-error').textContent()).toContain('give it no redirect URIs');
    expect(await page.locator('#scope-error').textContent()).toContain('at least one scope');
    expect(await page.locator('#form-error li').count()).toBe(3);
    expect(await page.getByLabel('Name', { exact: true }).inputValue()).toBe('Nightly Reports');
    expect(await page.getByLabel('Server-to-server (client credentials)').isChecked()).toBe(true);
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('homepage-url');
    await screenshots(page, 'create-app-error');

    await homepage.fill('https://reports.example');
    await page.getByLabel('Redirect URIs', { exact: true }).fill('');
    await page.getByLabel('See your projects and their data').check();
    await page.getByRole('button', { name: 'Create app' }).click();
    await page.getByRole('heading', { name: 'Nightly Reports is ready' }).waitFor();
    const clientId = (await page.locator('#client-id').textContent()) as string;
    const secret = (await page.locator('#client-secret').textContent()) as string;
    expect(clientId).toMatch(/^lk_/);
    expect(secret).toMatch(/^[\w-]{43}$/);
    expect(await page.getByText('it will not be shown again').isVisible()).toBe(true);
    expect(page.url()).not.toContain(secret);
    expect((await owner.context.cookies()).map((c) => c.value).join(' ')).not.toContain(secret);
    // The Copy button (the page's one script) puts the secret on the clipboard.
    await page.getByRole('button', { name: 'Copy client secret' }).click();
    await page.getByRole('button', { name: 'Copied client secret' }).waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(secret);
    await screenshots(page, 'app-created');

    const first = await fetchToken(server.url, clientId, secret);
    expect(first.status).toBe(200);
    expect(first.body['scope']).toBe('data:read');
    // The curl on the page is the same request.
    expect(await page.locator('#curl').textContent()).toContain(`-u ${clientId}:${secret}`);

    await page.getByRole('link', { name: /go to the app/ }).click();
    await page.waitForURL(`${server.url}/portal/apps/${clientId}`);
    expect(await page.content()).not.toContain(secret);

    // A token request with a scope the app lacks gets the standard answer; why, the app page says.
    const refused = await fetchToken(server.url, clientId, secret, 'data:write');
    expect(refused.status).toBe(400);
    expect(refused.body).toEqual({
      error: 'invalid_scope',
      error_description: 'scope not allowed for this client: data:write',
    });
    const recentErrors = page.getByRole('region', { name: 'Recent errors' });
    const firstError = recentErrors.getByRole('row').nth(1);
    await expect
      .poll(async () => {
        await page.reload();
        return (await recentErrors.getByRole('row').count()) > 1 ? firstError.textContent() : '';
      })
      .toContain('invalid_scope');
    expect(await firstError.textContent()).toContain(
      'scope not allowed for this app: data:write (it may ask for: data:read)',
    );
    expect(await firstError.textContent()).toContain('Token endpoint · Client credentials');
    // Usage: the token fetched above, today, drawn and summed.
    const usage = page.getByRole('region', { name: 'Usage' });
    expect(await usage.getByRole('img', { name: 'Tokens issued per day, last 14 days' }).isVisible()).toBe(
      true,
    );
    expect(await usage.getByText('token today').isVisible()).toBe(true);
    // A server-to-server app acts for itself: nobody connects it.
    expect(await usage.getByText('users connected: a server-to-server app acts for itself').isVisible()).toBe(
      true,
    );
    await page.getByLabel('Keep the current secret working for').selectOption({ label: '1 hour' });
    await page.getByRole('button', { name: 'Rotate secret' }).click();
    await page.getByRole('heading', { name: 'New secret for Nightly Reports' }).waitFor();
    const rotated = (await page.locator('#client-secret').textContent()) as string;
    expect(rotated).not.toBe(secret);
    expect(await page.locator('.lead').textContent()).toMatch(
      /keeps working for 1 hour, until \d+ \w+ \d{4}, \d\d:\d\d UTC/,
    );
    await screenshots(page, 'secret-rotated');
    // In its grace period the old secret still works, beside the new one.
    expect((await fetchToken(server.url, clientId, secret)).status).toBe(200);
    expect((await fetchToken(server.url, clientId, rotated)).status).toBe(200);

    // Two more developers: one to collaborate, one who must not see the app.
    const helper = await freshContext();
    await signUp(helper.page, 'helper@example.com');
    const third = await freshContext();
    await signUp(third.page, 'third@example.com');

    await page.getByRole('link', { name: /back to the app/ }).click();
    expect(await page.getByText('Previous secret').isVisible()).toBe(true);
    await page.getByLabel('Add a collaborator by email').fill('helper@example.com');
    await page.getByRole('button', { name: 'Add collaborator' }).click();
    await page.getByText('Collaborator added.').waitFor();
    await screenshots(page, 'app');

    // After the grace period the old secret fails, and Recent errors says why.
    endGrace(clientId);
    expect((await fetchToken(server.url, clientId, secret)).status).toBe(401);
    expect((await fetchToken(server.url, clientId, rotated)).status).toBe(200);
    await expect
      .poll(async () => {
        await page.reload();
        return firstError.textContent();
      })
      .toContain('invalid_client');
    expect(await firstError.textContent()).toMatch(
      /client secret does not match \(the secret rotated \d+ s ago has expired\)/,
    );
    expect(await page.getByText('Previous secret').count()).toBe(0);
    await screenshots(page, 'app-activity', page.locator('#activity'));

    await helper.page.goto(`${server.url}/portal`);
    expect(await helper.page.getByRole('heading', { name: 'Nightly Reports' }).isVisible()).toBe(true);
    await screenshots(helper.page, 'my-apps');
    // The navigation leads to the apps the user allowed, and back.
    await helper.page.getByRole('link', { name: 'Connected apps' }).click();
    await helper.page.getByRole('heading', { name: 'Connected apps' }).waitFor();
    await screenshots(helper.page, 'connected-apps');
    await helper.page.getByRole('link', { name: 'My apps' }).click();
    await helper.page.getByRole('link', { name: /Nightly Reports/ }).click();
    await helper.page.waitForURL(`${server.url}/portal/apps/${clientId}`);
    expect(await helper.page.getByLabel('Redirect URIs', { exact: true }).count()).toBe(0);
    expect(await helper.page.getByRole('button', { name: 'Rotate secret' }).isVisible()).toBe(true);
    expect(await helper.page.getByRole('link', { name: /Delete/ }).count()).toBe(0);
    await screenshots(helper.page, 'app-collaborator');

    const stranger = await third.page.goto(`${server.url}/portal/apps/${clientId}`);
    expect(stranger?.status()).toBe(404);
    expect(await third.page.getByRole('heading', { name: 'App not found' }).isVisible()).toBe(true);
    expect(await third.page.content()).not.toContain('Nightly Reports');
    expect(await third.page.getByRole('link', { name: 'Back to My apps' }).isVisible()).toBe(true);
    await screenshots(third.page, 'not-found');
    await third.page.goto(`${server.url}/portal`);
    expect(await third.page.getByText('No apps yet').isVisible()).toBe(true);

    // A rotation without grace: the secret it replaces stops at once.
    await page
      .getByLabel('Keep the current secret working for')
      .selectOption({ label: 'None: it stops at once' });
    await page.getByRole('button', { name: 'Rotate secret' }).click();
    await page.getByText('stopped working at once').waitFor();
    const latest = (await page.locator('#client-secret').textContent()) as string;
    expect((await fetchToken(server.url, clientId, rotated)).status).toBe(401);
    expect((await fetchToken(server.url, clientId, latest)).status).toBe(200);

    // Delete, behind the confirmation that names the app.
    await page.goto(`${server.url}/portal/apps/${clientId}`);
    await page.getByRole('link', { name: 'Delete Nightly Reports…' }).click();
    await page.getByRole('heading', { name: 'Delete Nightly Reports?' }).waitFor();
    await screenshots(page, 'delete-app');
    await page.getByLabel('Type the app’s name, Nightly Reports, to confirm').fill('Nightly Reports');
    await Promise.all([
      page.waitForURL(`${server.url}/portal?deleted=1`),
      page.getByRole('button', { name: 'Delete this app' }).click(),
    ]);
    expect((await fetchToken(server.url, clientId, latest)).status).toBe(401);
    expect((await helper.page.goto(`${server.url}/portal/apps/${clientId}`))?.status()).toBe(404);

    expect(violations).toEqual([]);
    await Promise.all([owner.context.close(), helper.context.close(), third.context.close()]);
  }, 120_000);
});
