#!/usr/bin/env node
/**
 * Fails (exit 1) when an import forms a circle anywhere in the repository, or when the server's layers
 * import against their direction (endpoints -> grants -> storage -> tokens/keys). Every relative import
 * counts, `import type` and `export ... from` included: a type-only circle is still a design circle.
 * Run by `npm test`; `node scripts/check-imports.js [root]` prints each circle and each wrong-way import
 * (root: the repository, by default this script's; packages/server/test/import-check.test.ts gives it
 * small trees with a circle in them).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), '..'));
const SKIP = new Set(['node_modules', 'dist', '.git', 'test-artifacts', 'results', '.latchkey']);
const SOURCE = /\.(ts|mts|js|mjs|cjs)$/;

/** Every source file under the given folders. */
function sources(dir, out = []) {
  for (const name of readdirSync(dir)) {
    if (SKIP.has(name)) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) sources(path, out);
    else if (SOURCE.test(name) && !name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

/** The file a relative specifier names (`./a.js` is `./a.ts` in TypeScript sources). */
function resolveSpecifier(from, specifier) {
  const base = resolve(dirname(from), specifier);
  const candidates = [
    base,
    base.replace(/\.js$/, '.ts'),
    base.replace(/\.mjs$/, '.mts'),
    `${base}.ts`,
    `${base}.js`,
    join(base, 'index.ts'),
    join(base, 'index.js'),
  ];
  return candidates.find((c) => {
    try {
      return statSync(c).isFile();
    } catch {
      return false;
    }
  });
}

const IMPORT =
  /(?:^|[\s;])(?:import|export)\s[^'"`;]*?from\s*['"](\.{1,2}\/[^'"]+)['"]|(?:^|[\s;(])import\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/gm;

/** The import graph: file -> files it imports. */
function graph(files) {
  const edges = new Map();
  for (const file of files) {
    const text = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\/|^\s*\/\/.*$/gm, '');
    const targets = new Set();
    for (const match of text.matchAll(IMPORT)) {
      const target = resolveSpecifier(file, match[1] ?? match[2]);
      if (target) targets.add(target);
    }
    edges.set(file, [...targets]);
  }
  return edges;
}

/** Strongly connected components of more than one file, or a file importing itself (Tarjan). */
function circles(edges) {
  let index = 0;
  const stack = [];
  const state = new Map();
  const found = [];
  const visit = (node) => {
    const s = { index, low: index, onStack: true };
    index++;
    state.set(node, s);
    stack.push(node);
    for (const next of edges.get(node) ?? []) {
      const t = state.get(next);
      if (!t) {
        visit(next);
        s.low = Math.min(s.low, state.get(next).low);
      } else if (t.onStack) s.low = Math.min(s.low, t.index);
    }
    if (s.low === s.index) {
      const component = [];
      let member;
      do {
        member = stack.pop();
        state.get(member).onStack = false;
        component.push(member);
      } while (member !== node);
      if (component.length > 1 || (edges.get(node) ?? []).includes(node)) found.push(component);
    }
  };
  for (const node of edges.keys()) if (!state.has(node)) visit(node);
  return found;
}

/**
 * The server's layers, top to bottom: a file may import its own layer and the layers below it, never
 * one above. `http/` and `oauth/` sit beside endpoints and grants (protocol and plumbing they share;
 * app registration in oauth/ reads the grant catalogue); `pages/` only renders. Files at the top of src/ (app, server, context, config, logger, index) and
 * cli/ assemble the rest and may import anything.
 */
const SERVER = join(root, 'packages/server/src');
const FORBIDDEN = {
  grants: ['endpoints', 'pages', 'cli'],
  oauth: ['endpoints', 'pages', 'cli'],
  http: ['endpoints', 'grants', 'cli'],
  pages: ['endpoints', 'grants', 'storage', 'cli', 'activity', 'accounts'],
  storage: ['endpoints', 'grants', 'http', 'oauth', 'pages', 'cli', 'activity', 'accounts'],
  tokens: ['endpoints', 'grants', 'http', 'oauth', 'pages', 'cli', 'storage', 'accounts'],
  keys: ['endpoints', 'grants', 'http', 'oauth', 'pages', 'cli', 'storage', 'accounts'],
  // Account emails (verification, password reset): used by endpoints and cli, over storage; renders
  // its emails itself (escaping with pages/html.ts, the form's limits from pages/).
  accounts: ['endpoints', 'grants', 'cli', 'manage', 'http'],
  // Recent errors and usage: written from the endpoints, over storage; it knows the error classes only.
  activity: ['endpoints', 'grants', 'pages', 'cli', 'manage'],
  // Counted from every layer, so it imports none of them (the assembling files wire its sources).
  metrics: ['endpoints', 'grants', 'http', 'oauth', 'pages', 'cli', 'storage', 'tokens', 'keys', 'startup'],
};
const layerOf = (file) => {
  const rel = relative(SERVER, file);
  return rel.startsWith('..') || !rel.includes('/') ? undefined : rel.split('/')[0];
};

function wrongWay(edges) {
  const found = [];
  for (const [file, targets] of edges) {
    const from = layerOf(file);
    if (!from || /\.test\.ts$/.test(file)) continue;
    for (const target of targets) {
      const to = layerOf(target);
      if (to && FORBIDDEN[from]?.includes(to)) found.push([file, target]);
    }
  }
  return found;
}

const folders = ['packages', 'examples', 'bench', 'scripts']
  .map((f) => join(root, f))
  .filter((f) => statSync(f, { throwIfNoEntry: false })?.isDirectory());
const edges = graph(folders.flatMap((folder) => sources(folder)));
const rel = (file) => relative(root, file);
const loops = circles(edges);
const against = wrongWay(edges);
for (const loop of loops) console.error(`import circle: ${loop.map(rel).join(' <-> ')}`);
for (const [file, target] of against) {
  console.error(
    `import against the layers: ${rel(file)} -> ${rel(target)} (${layerOf(file)}/ may not import ${layerOf(target)}/)`,
  );
}
if (loops.length > 0 || against.length > 0) process.exit(1);
console.log(`imports: ${edges.size} files, no circle, every server import runs with the layers`);
