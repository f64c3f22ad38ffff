/**
 * The error catalogue (src/errors.ts) is the one list of every error the server answers with: each
 * entry is raised where it says, nothing is raised that it does not list, and no answer is built
 * around it.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { type CatalogueEntry, ERRORS, type ErrorName } from '../src/errors.js';
import { PROBLEMS } from '../src/manage/problems.js';
import { oauthError } from '../src/oauth/errors.js';

const SRC = join(dirname(fileURLToPath(import.meta.url)), '../src');
const BUILDERS = new Set(['errors.ts', 'oauth/errors.ts', 'http/page-errors.ts', 'manage/problems.ts']);

function sourceFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) sourceFiles(path, out);
    else if (name.endsWith('.ts') && !name.endsWith('.test.ts')) out.push(relative(SRC, path));
  }
  return out;
}

const files = sourceFiles(SRC).filter((file) => !BUILDERS.has(file));
const text = new Map(files.map((file) => [file, readFileSync(join(SRC, file), 'utf8')]));
/** Both catalogues: OAuth and page errors (errors.ts), the management API's problems (manage/problems.ts). */
const CATALOGUE: Record<string, CatalogueEntry> = { ...ERRORS, ...PROBLEMS };
const clashes = Object.keys(PROBLEMS).filter((name) => name in ERRORS);
const entries = Object.entries(CATALOGUE) as [ErrorName, CatalogueEntry][];
/** The catalogue names a source file uses: `'NAME'` given to a builder, or `ERRORS.NAME`. */
const usedIn = (source: string) =>
  new Set(
    [...source.matchAll(/'([A-Z][A-Z_]+)'|ERRORS\.([A-Z][A-Z_]+)/g)]
      .map((m) => (m[1] ?? m[2]) as string)
      .filter((name) => name in CATALOGUE),
  );

describe('the error catalogue', () => {
  it('names every entry once across both catalogues', () => {
    expect(clashes).toEqual([]);
  });

  it.each(entries)('%s is raised in every file it names', (name, entry) => {
    expect(entry.raisedIn.length).toBeGreaterThan(0);
    for (const file of entry.raisedIn) {
      expect(text.has(file), `${file} exists`).toBe(true);
      expect(usedIn(text.get(file) as string).has(name), `${name} in ${file}`).toBe(true);
    }
  });

  it('lists every file that raises an entry', () => {
    const unlisted = files.flatMap((file) =>
      [...usedIn(text.get(file) as string)]
        .filter((name) => !((CATALOGUE[name]?.raisedIn ?? []) as readonly string[]).includes(file))
        .map((name) => `${name} raised in ${file}`),
    );
    expect(unlisted).toEqual([]);
  });

  it('is the only way to build an answer: no OAuthError or PageError is built around it', () => {
    const around = files.filter((file) => /new (OAuthError|PageError)\(/.test(text.get(file) as string));
    expect(around).toEqual([]);
  });

  it('gives every page a headline and a text, and every status is an HTTP status', () => {
    for (const [name, entry] of entries) {
      expect(entry.status, name).toBeGreaterThanOrEqual(300);
      expect(entry.status, name).toBeLessThan(600);
      expect(entry.code, name).toMatch(/^[a-z_]+$/);
      if (entry.answer === 'page') {
        expect(entry.title, name).toBeTruthy();
        expect(entry.detail, name).toBeTruthy();
      }
    }
  });

  it('builds answers with the entry code, status and fixed headers', () => {
    const answer = oauthError('INVALID_CLIENT', 'client authentication failed');
    expect(answer).toMatchObject({ error: 'invalid_client', status: 401 });
    expect(answer.headers['www-authenticate']).toBe('Basic realm="latchkey", charset="UTF-8"');
    expect(oauthError('REQUEST_UNREADABLE', 'request body is too large', {}, 413).status).toBe(413);
  });
});
