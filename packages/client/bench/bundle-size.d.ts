// Types of bundle-size.js (plain JS so that the repo bench runs it without a build step).

/** Builds src/index.ts for the browser with esbuild (minified ESM) and returns its size in bytes, raw and gzipped (level 9). */
export function bundleSize(): Promise<{ minified: number; gzipped: number }>;
