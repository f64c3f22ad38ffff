/** Debian Chromium for browser tests, through playwright-core; required in CI, skipped loudly elsewhere. */
import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

/** Where Debian installs Chromium. */
export const CHROMIUM = '/usr/bin/chromium';

/** True when Chromium is there; with CI=true a missing Chromium throws so the suite fails, never skips. */
export function requireChromium(what: string): boolean {
  if (existsSync(CHROMIUM)) return true;
  if (process.env['CI'] === 'true')
    throw new Error(`${what}: ${CHROMIUM} is required in CI (apt-get install chromium)`);
  console.warn(
    `[chromium] SKIPPING ${what}: ${CHROMIUM} not found (apt-get install chromium). In CI this fails.`,
  );
  return false;
}

/** Launches headless Chromium with the flags this machine needs. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
    ],
  });
}
