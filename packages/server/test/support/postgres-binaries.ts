/** Test harness: finds the PostgreSQL binaries and the user to run them as, and decides whether PostgreSQL suites run. */
import { execFileSync } from 'node:child_process';
import { accessSync, constants, readdirSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/** Paths of the two PostgreSQL programs the harness runs. */
export interface PostgresBinaries {
  /** Creates a cluster's data directory. */
  initdb: string;
  /** The server (postmaster). */
  postgres: string;
}

/** The OS user (and group) PostgreSQL runs as when this process is root. */
export interface RunAs {
  /** User id of the `postgres` OS user. */
  uid: number;
  /** Its primary group id. */
  gid: number;
}

/** True when this process runs as root (PostgreSQL then has to run as another user). */
export const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function binariesIn(dir: string): PostgresBinaries | undefined {
  const initdb = join(dir, 'initdb');
  const postgres = join(dir, 'postgres');
  return isExecutable(initdb) && isExecutable(postgres) ? { initdb, postgres } : undefined;
}

function pgConfigBindir(): string | undefined {
  try {
    return execFileSync('pg_config', ['--bindir'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return undefined;
  }
}

let cachedBinaries: PostgresBinaries | null | undefined;

/**
 * Finds `initdb` and `postgres`: `LATCHKEY_PG_BINDIR`, then /usr/lib/postgresql/15/bin, then the newest
 * other /usr/lib/postgresql/N/bin, then `pg_config --bindir`, then PATH.
 */
export function findPostgresBinaries(): PostgresBinaries | undefined {
  if (cachedBinaries !== undefined) return cachedBinaries ?? undefined;
  const candidates: string[] = [];
  if (process.env['LATCHKEY_PG_BINDIR']) candidates.push(process.env['LATCHKEY_PG_BINDIR']);
  candidates.push('/usr/lib/postgresql/15/bin');
  try {
    const versions = readdirSync('/usr/lib/postgresql')
      .filter((v) => /^\d+$/.test(v))
      .sort((a, b) => Number(b) - Number(a));
    for (const v of versions) candidates.push(`/usr/lib/postgresql/${v}/bin`);
  } catch {
    // no Debian-style layout
  }
  const fromPgConfig = pgConfigBindir();
  if (fromPgConfig) candidates.push(fromPgConfig);
  candidates.push(...(process.env['PATH'] ?? '').split(delimiter).filter(Boolean));
  for (const dir of candidates) {
    const found = binariesIn(dir);
    if (found) {
      cachedBinaries = found;
      return found;
    }
  }
  cachedBinaries = null;
  return undefined;
}

/** PostgreSQL refuses to run as root: when we are root, run it as the `postgres` OS user. */
export function runAsUser(): RunAs | undefined {
  if (!isRoot) return undefined;
  try {
    const line = execFileSync('getent', ['passwd', 'postgres'], { encoding: 'utf8' }).trim();
    const [, , uid, gid] = line.split(':');
    return { uid: Number(uid), gid: Number(gid) };
  } catch {
    return undefined;
  }
}

/** True when this machine can run `startPostgres()` (binaries found, and a `postgres` user when root). */
export function postgresAvailable(): boolean {
  if (!findPostgresBinaries()) return false;
  return !isRoot || runAsUser() !== undefined;
}

/**
 * Decides whether PostgreSQL suites run. Returns true when PostgreSQL is available. When it is not:
 * with `CI=true` it throws, so the suite FAILS instead of silently skipping; otherwise it prints why and
 * returns false. Use as `describe.skipIf(!requirePostgres())('... on PostgreSQL', ...)`.
 */
export function requirePostgres(what = 'PostgreSQL tests'): boolean {
  if (postgresAvailable()) return true;
  const reason = isRoot
    ? 'need PostgreSQL initdb/postgres binaries (e.g. /usr/lib/postgresql/15/bin) and a "postgres" OS user'
    : 'need PostgreSQL initdb/postgres binaries (e.g. /usr/lib/postgresql/15/bin, or set LATCHKEY_PG_BINDIR)';
  if (process.env['CI'] === 'true') {
    throw new Error(`${what}: PostgreSQL is required in CI but not available: ${reason}`);
  }
  console.warn(`[postgres] SKIPPING ${what}: ${reason}. (In CI, CI=true makes this a failure.)`);
  return false;
}
