/**
 * Chromium for browser tests, through playwright-core: CHROMIUM_PATH, else Debian's. Required in CI,
 * skipped loudly elsewhere.
 */
import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

/** Where Debian installs Chromium (apt-get install chromium). */
export const DEBIAN_CHROMIUM = '/usr/bin/chromium';

type Env = Record<string, string | undefined>;

/** The Chromium executable the browser tests use: CHROMIUM_PATH when set, else Debian's. */
export function chromiumPath(env: Env = process.env): string {
  return env['CHROMIUM_PATH'] || DEBIAN_CHROMIUM;
}

/** True when Chromium is there; with CI=true a missing Chromium throws so the suite fails, never skips. */
export function requireChromium(what: string, env: Env = process.env): boolean {
  const path = chromiumPath(env);
  if (existsSync(path)) return true;
  const hint = 'apt-get install chromium, or set CHROMIUM_PATH';
  if (env['CI'] === 'true')
    throw new Error(`${what}: Chromium is required in CI, ${path} not found (${hint})`);
  console.warn(`[chromium] SKIPPING ${what}: ${path} not found (${hint}). In CI this fails.`);
  return false;
}

/** Launches headless Chromium with the flags this machine needs. */
export function launchChromium(env: Env = process.env): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(env),
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
    ],
  });
}
