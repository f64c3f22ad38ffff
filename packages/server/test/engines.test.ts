/** `npm ci` on the oldest Node the engines fields allow installs nothing that asks for a newer one (EBADENGINE). */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';

// semver comes with Fastify (a runtime dependency); typed here by the two functions used.
const semver = createRequire(import.meta.url)('semver') as {
  minVersion(range: string): { version: string } | null;
  satisfies(version: string, range: string): boolean;
};

interface LockEntry {
  /** A workspace package: `resolved` is its folder. */
  link?: boolean;
  resolved?: string;
  engines?: { node?: string };
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

const root = new URL('../../../', import.meta.url);
const read = (path: string) => JSON.parse(readFileSync(new URL(path, root), 'utf8'));
const lock = read('package-lock.json') as { packages: Record<string, LockEntry> };

/** The oldest Node a range admits. */
function oldest(range: string): string {
  const min = semver.minVersion(range);
  if (!min) throw new Error(`no Node version satisfies "${range}"`);
  return min.version;
}

/** Entries whose own engines refuse `node`, as "path (range)". */
function refusing(paths: Iterable<string>, node: string): string[] {
  const out: string[] = [];
  for (const path of paths) {
    const range = lock.packages[path]?.engines?.node;
    if (range && !semver.satisfies(node, range)) out.push(`${path} (${range})`);
  }
  return out.sort();
}

/** Where npm resolves `name` for the package installed at `from`: the nearest node_modules up the tree. */
function resolve(from: string, name: string): string | undefined {
  let base = from;
  for (;;) {
    const candidate = `${base ? `${base}/` : ''}node_modules/${name}`;
    if (lock.packages[candidate]) return candidate;
    if (!base) return undefined;
    const at = base.lastIndexOf('node_modules/');
    base = at <= 0 ? '' : base.slice(0, at - 1);
  }
}

/** Every installed package a workspace needs at run time (dependencies, transitively). */
function runtimeClosure(workspace: string): Set<string> {
  const seen = new Set<string>();
  const queue = [workspace];
  while (queue.length > 0) {
    const path = queue.pop() as string;
    let entry = lock.packages[path];
    if (entry?.link && entry.resolved) entry = lock.packages[entry.resolved];
    for (const name of Object.keys({ ...entry?.dependencies, ...entry?.optionalDependencies })) {
      const found = resolve(path, name);
      if (found && !seen.has(found)) {
        seen.add(found);
        queue.push(found);
      }
    }
  }
  return seen;
}

describe('engines', () => {
  it('the repository: every locked package runs on the oldest Node the root engines allow', () => {
    const node = oldest(read('package.json').engines.node);
    expect(refusing(Object.keys(lock.packages), node)).toEqual([]);
  });

  it('@latchkey/server: everything it needs at run time runs on the oldest Node its engines allow', () => {
    const node = oldest(read('packages/server/package.json').engines.node);
    const closure = runtimeClosure('packages/server');
    // Fastify's inject helper (light-my-request) is in the closure, and with it the cookie package.
    expect(closure).toContain('node_modules/light-my-request');
    expect(refusing(closure, node)).toEqual([]);
  });
});

describe('the cookie package pinned for Node 20 (root package.json overrides)', () => {
  it("works with Fastify's inject: cookies given as an option reach the handler encoded", async () => {
    const app = Fastify();
    app.get('/echo', async (request) => request.headers.cookie ?? '');
    try {
      const res = await app.inject({ url: '/echo', cookies: { session: 'a b', csrf: 'x' } });
      expect(res.body).toBe('session=a%20b; csrf=x');
    } finally {
      await app.close();
    }
  });
});
