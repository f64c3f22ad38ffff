/** Where the browser tests find Chromium, and that outside CI a missing one skips while in CI it fails. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { chromiumPath, DEBIAN_CHROMIUM, launchChromium, requireChromium } from './support/chromium.js';

const MISSING = '/nonexistent/latchkey-test/chromium';

describe('chromium for the browser tests', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it("is CHROMIUM_PATH when set, else Debian's", () => {
    expect(chromiumPath({ CHROMIUM_PATH: '/opt/chromium/chrome' })).toBe('/opt/chromium/chrome');
    expect(chromiumPath({})).toBe(DEBIAN_CHROMIUM);
    expect(chromiumPath({ CHROMIUM_PATH: '' })).toBe(DEBIAN_CHROMIUM);
  });

  it('is found at CHROMIUM_PATH', () => {
    // Any existing file will do for the check; launching is the suites' business.
    expect(requireChromium('x', { CHROMIUM_PATH: process.execPath })).toBe(true);
  });

  it('missing outside CI: the suite skips, with a warning naming the path', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    expect(requireChromium('browser suite', { CHROMIUM_PATH: MISSING })).toBe(false);
    expect(warn).toHaveBeenCalledWith(
      expect.stringContaining(`SKIPPING browser suite: ${MISSING} not found`),
    );
  });

  it('missing with CI=true: throws, so the suite fails instead of skipping', () => {
    expect(() => requireChromium('browser suite', { CHROMIUM_PATH: MISSING, CI: 'true' })).toThrow(
      `browser suite: Chromium is required in CI, ${MISSING} not found`,
    );
  });

  it('is what launchChromium starts', async () => {
    await expect(launchChromium({ CHROMIUM_PATH: MISSING })).rejects.toThrow(MISSING);
  });
});
