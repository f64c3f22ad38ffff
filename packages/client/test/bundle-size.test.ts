// The browser bundle builds for `platform: 'browser'` (no node: imports) and stays within the 8 kB gzip goal.

import { describe, expect, it } from 'vitest';
import { bundleSize } from '../bench/bundle-size.js';

describe('browser bundle', () => {
  it('builds with esbuild for the browser and gzips to at most 8 kB', async () => {
    const { minified, gzipped } = await bundleSize();
    expect(minified).toBeGreaterThan(1000);
    expect(gzipped).toBeLessThan(minified);
    expect(gzipped).toBeLessThanOrEqual(8192);
  });
});
