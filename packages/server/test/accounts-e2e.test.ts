/**
 * Accounts in a real browser (headless Chromium against a `latchkey start` process that mails through a
 * real SMTP server on loopback): sign up with a name, follow the verification link from the received
 * email, sign out, "Forgot password?" to a new password from the emailed link, and sign in with it.
 * Screenshots of every new page at 1280 and 375 px go to docs/screenshots/accounts/.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, requireChromium } from './support/chromium.js';
import { linkIn, Mailbox } from './support/mailbox.js';
import { type ServerProcess, startProcess } from './support/process.js';

/** Where the account pages' screenshots are kept. */
export const ACCOUNT_SCREENSHOTS = resolve(
  fileURLToPath(new URL('../../../docs/screenshots/accounts', import.meta.url)),
);

const PASSWORD = 'a long enough password';
const NEW_PASSWORD = 'an even longer new password';

/** Saves the whole page at 1280 and at 375 px wide as `<name>-1280.png` and `<name>-375.png`. */
async function screenshots(page: Page, name: string) {
  for (const width of [1280, 375]) {
    await page.setViewportSize({ width, height: 800 });
    await page.screenshot({ path: join(ACCOUNT_SCREENSHOTS, `${name}-${width}.png`), fullPage: true });
  }
  await page.setViewportSize({ width: 1280, height: 800 });
}

describe.runIf(requireChromium('accounts end-to-end'))('Chromium: accounts that can recover', () => {
  let dir: string;
  let mailbox: Mailbox;
  let server: ServerProcess;
  let browser: Browser;
  /** CSP violations any page reported: there must be none. */
  const violations: string[] = [];

  beforeAll(async () => {
    mkdirSync(ACCOUNT_SCREENSHOTS, { recursive: true });
    dir = mkdtempSync(join(tmpdir(), 'latchkey-accounts-e2e-'));
    mailbox = await Mailbox.start();
    server = await startProcess({
      LATCHKEY_DATA_DIR: dir,
      LATCHKEY_DEMO_APP: 'false',
      LATCHKEY_SMTP_URL: mailbox.url,
      LATCHKEY_MAIL_FROM: 'Latchkey <accounts@example.com>',
    });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await mailbox?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('signs up with a name, verifies the email from the mail, resets the password and signs in with it', async () => {
    const context = await browser.newContext({
      viewport: { width: 1280, height: 800 },
      colorScheme: 'light',
    });
    const page = await context.newPage();
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
    });

    // Sign-up: a short password is refused with the name and email kept.
    await page.goto(`${server.url}/signup`);
    await page.getByLabel('Name').fill('Ada Lovelace');
    await page.getByLabel('Email').fill('ada@example.com');
    await page.getByLabel('Password').fill(PASSWORD);
    await screenshots(page, 'sign-up');
    await page.getByLabel('Password').fill('short');
    // The browser's own minlength check would stop the form; the server's refusal is what is shown here.
    await page.locator('#password').evaluate((input) => input.removeAttribute('minlength'));
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByRole('alert').waitFor();
    expect(await page.getByRole('alert').textContent()).toBe('Use at least 10 characters.');
    expect(await page.getByLabel('Name').inputValue()).toBe('Ada Lovelace');
    expect(await page.getByLabel('Email').inputValue()).toBe('ada@example.com');
    await screenshots(page, 'sign-up-error');
    await page.getByLabel('Password').fill(PASSWORD);
    await Promise.all([
      page.waitForURL(`${server.url}/account/apps`),
      page.getByRole('button', { name: 'Create account' }).click(),
    ]);
    expect(await page.getByText('Not verified').isVisible()).toBe(true);
    await screenshots(page, 'account-unverified');
    await page.getByRole('button', { name: 'Send the link again' }).click();
    await page.getByRole('status').waitFor();
    expect(await page.getByRole('status').textContent()).toContain('We sent a new link to ada@example.com');
    await screenshots(page, 'account-link-sent');

    // The first email's link, opened in the browser: it asks, then confirms.
    const verification = linkIn(await mailbox.waitFor('ada@example.com'), '/verify-email');
    await mailbox.waitFor('ada@example.com', 2);
    await page.goto(verification);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Confirm your email');
    await screenshots(page, 'verify-email');
    await Promise.all([
      page.waitForURL(`${server.url}/verify-email?done=1`),
      page.getByRole('button', { name: 'Confirm my email' }).click(),
    ]);
    await screenshots(page, 'email-verified');
    await Promise.all([
      page.waitForURL(`${server.url}/account/apps`),
      page.getByRole('link', { name: 'Go to your account' }).click(),
    ]);
    expect(await page.locator('.badge-ok').textContent()).toBe('Verified');
    expect(await page.getByRole('button', { name: 'Send the link again' }).count()).toBe(0);
    await screenshots(page, 'account-verified');
    await page.goto(verification);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('This link no longer works');
    await screenshots(page, 'link-expired');

    // Signed out: "Forgot password?" on the sign-in page.
    await page.goto(`${server.url}/account/apps`);
    await Promise.all([
      page.waitForURL(`${server.url}/login`),
      page.getByRole('button', { name: 'Sign out' }).click(),
    ]);
    await screenshots(page, 'sign-in');
    await page.getByRole('link', { name: 'Forgot password?' }).click();
    await page.waitForURL(`${server.url}/forgot-password`);
    await page.getByLabel('Email').fill('ada@example.com');
    await screenshots(page, 'forgot-password');
    await Promise.all([
      page.waitForURL(`${server.url}/forgot-password?sent=1`),
      page.getByRole('button', { name: 'Send the link' }).click(),
    ]);
    expect(await page.getByRole('status').textContent()).toContain('If an account exists for that email');
    await screenshots(page, 'forgot-password-sent');

    const reset = linkIn(await mailbox.waitFor('ada@example.com', 3), '/reset-password');
    await page.goto(reset);
    await screenshots(page, 'reset-password');
    await page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
    await page.getByLabel('Confirm new password').fill(`${NEW_PASSWORD}?`);
    await page.getByRole('button', { name: 'Set new password' }).click();
    await page.getByRole('alert').waitFor();
    expect(await page.getByRole('alert').textContent()).toContain('The two passwords differ.');
    await screenshots(page, 'reset-password-error');
    await page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
    await page.getByLabel('Confirm new password').fill(NEW_PASSWORD);
    await Promise.all([
      page.waitForURL(`${server.url}/reset-password?done=1`),
      page.getByRole('button', { name: 'Set new password' }).click(),
    ]);
    await screenshots(page, 'password-changed');

    // Signing in with the new password.
    await page.getByRole('link', { name: 'Sign in' }).click();
    await page.waitForURL(`${server.url}/login`);
    await page.getByLabel('Email').fill('ada@example.com');
    await page.getByLabel('Password').fill(NEW_PASSWORD);
    await Promise.all([
      page.waitForURL(`${server.url}/account/apps`),
      page.getByRole('button', { name: 'Sign in' }).click(),
    ]);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Connected apps');
    expect(violations).toEqual([]);
    await context.close();
  }, 180_000);
});
