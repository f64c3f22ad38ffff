/** Test harness: starts a throwaway PostgreSQL cluster on loopback and removes it afterwards. */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import {
  findPostgresBinaries,
  isRoot,
  type PostgresBinaries,
  type RunAs,
  runAsUser,
} from './postgres-binaries.js';
import { spawnWatchdog, waitForExit } from './watchdog.js';

export { findPostgresBinaries, postgresAvailable, requirePostgres } from './postgres-binaries.js';

/** A running throwaway cluster. */
export interface PostgresInstance {
  /** `postgres://postgres@127.0.0.1:<port>/<database>` */
  url: string;
  host: string;
  port: number;
  database: string;
  /** PID of the postmaster this harness started. */
  pid: number;
  /** Temporary directory holding the data directory and the Unix socket; removed by `stop()`. */
  dir: string;
  /** Creates another empty database in this cluster and returns its URL (for per-suite isolation). */
  createDatabase(name: string): Promise<string>;
  /**
   * Freezes the cluster as a hung server looks: SIGSTOP to its postmaster, then to every process the
   * postmaster started (backends, background workers), until none is left running. Connections stay
   * open and new ones are accepted by the kernel, but nothing answers. Resolves once all are stopped.
   */
  freeze(): Promise<void>;
  /** SIGCONT to every process {@link freeze} stopped. Idempotent; `stop()` thaws first. */
  thaw(): void;
  /** Stops the postmaster (SIGTERM, escalating if clients linger), waits for exit, removes `dir`. Idempotent. */
  stop(): Promise<void>;
}

/** Options of {@link startPostgres}. */
export interface StartPostgresOptions {
  /** Name of the database created for the caller. Default `latchkey`. */
  database?: string;
  /** How long to wait for the server to accept connections. Default 20 s. */
  timeoutMs?: number;
  /** Extra `-c name=value` server settings. */
  settings?: Record<string, string | number>;
}

/** A free loopback port: bind 127.0.0.1:0, read the port, close. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function run(file: string, args: string[], runAs: RunAs | undefined, cwd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], ...runAs });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d));
    child.stderr.on('data', (d: Buffer) => (output += d));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (code === 0) resolve(output);
      else reject(new Error(`${file} exited with ${code ?? signal}:\n${output}`));
    });
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Instances still running, stopped synchronously if the test process exits without calling stop(). */
const running = new Map<number, { dir: string; watchdog: ChildProcess; frozen: Set<number> }>();
let exitHookInstalled = false;

function killQuietly(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const [pid, { dir, watchdog, frozen }] of running) {
      killQuietly(watchdog.pid, 'SIGKILL');
      for (const stopped of frozen) killQuietly(stopped, 'SIGCONT');
      killQuietly(pid, 'SIGQUIT'); // immediate shutdown
      try {
        rmSync(dir, { recursive: true, force: true });
      } catch {
        // best effort; the watchdog is gone, the OS tmp cleaner gets the rest
      }
    }
  });
}

/**
 * A watchdog (watchdog.ts): if this process dies without calling stop() (even SIGKILL), it stops the
 * postmaster and removes the directory.
 */
function startWatchdog(pid: number, dir: string): ChildProcess {
  // A frozen cluster (freeze()) is continued first, or it could not act on the SIGQUIT.
  const script =
    '[ -d "$2" ] || exit 0; kill -CONT "$1" 2>/dev/null; pkill -CONT -P "$1" 2>/dev/null; ' +
    'kill -QUIT "$1" 2>/dev/null; ' +
    'i=0; while kill -0 "$1" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i+1)); done; rm -rf "$2"';
  return spawnWatchdog('latchkey-pg-watchdog', script, [String(pid), dir]);
}

async function connectable(port: number, database: string): Promise<boolean> {
  const client = new pg.Client({
    host: '127.0.0.1',
    port,
    user: 'postgres',
    database,
    connectionTimeoutMillis: 1000,
  });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

function quoteIdent(name: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(name))
    throw new TypeError(`database: invalid name ${JSON.stringify(name)}`);
  return `"${name}"`;
}

async function adminQuery(port: number, sql: string): Promise<void> {
  const client = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres' });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** Process IDs and states (`ps` STAT: `T` is stopped) of the children of `parent`. */
function childrenOf(parent: number): Map<number, string> {
  const out = execFileSync('ps', ['-A', '-o', 'pid=', '-o', 'ppid=', '-o', 'stat='], { encoding: 'utf8' });
  const children = new Map<number, string>();
  for (const line of out.split('\n')) {
    const [pid, ppid, stat] = line.trim().split(/\s+/);
    if (Number(ppid) === parent) children.set(Number(pid), stat ?? '');
  }
  return children;
}

/** The `ps` state of one process, or undefined once it is gone. */
function stateOf(pid: number): string | undefined {
  try {
    return execFileSync('ps', ['-o', 'stat=', '-p', String(pid)], { encoding: 'utf8' }).trim();
  } catch {
    return undefined;
  }
}

/**
 * SIGSTOPs `postmaster`, then its children until every one is stopped (a fork under way when the
 * postmaster stopped shows up on a later pass). Only the postmaster this harness started and processes
 * whose parent it is are signalled. `frozen` collects what was stopped, for the thaw.
 */
async function freezeCluster(postmaster: number, frozen: Set<number>): Promise<void> {
  process.kill(postmaster, 'SIGSTOP');
  frozen.add(postmaster);
  const deadline = Date.now() + 5000;
  for (;;) {
    const children = childrenOf(postmaster);
    for (const pid of children.keys()) {
      if (frozen.has(pid)) continue;
      killQuietly(pid, 'SIGSTOP');
      frozen.add(pid);
    }
    // A backend that exited before the freeze stays a zombie (Z) until the postmaster reaps it.
    const awake = [...children].filter(([, stat]) => !/^[TZ]/.test(stat));
    if (awake.length === 0 && stateOf(postmaster)?.startsWith('T')) return;
    if (Date.now() > deadline) throw new Error(`freeze: still running after 5 s: ${JSON.stringify(awake)}`);
    await sleep(10);
  }
}

/**
 * Starts a throwaway PostgreSQL cluster: `initdb` into a fresh temp dir (owned by the `postgres` user when
 * we are root), `postgres` on 127.0.0.1:<free port> with trust auth on loopback only, fsync off, then
 * creates a database. Usually ready in well under a second.
 */
export async function startPostgres(options: StartPostgresOptions = {}): Promise<PostgresInstance> {
  const binaries = findPostgresBinaries();
  if (!binaries) throw new Error('startPostgres: PostgreSQL initdb/postgres binaries not found');
  const runAs = runAsUser();
  if (isRoot && !runAs) throw new Error('startPostgres: running as root but there is no "postgres" OS user');
  const database = options.database ?? 'latchkey';
  quoteIdent(database);
  const timeoutMs = options.timeoutMs ?? 20_000;

  const dir = mkdtempSync(join(tmpdir(), 'latchkey-pg-'));
  try {
    if (runAs) chownSync(dir, runAs.uid, runAs.gid);
    const dataDir = join(dir, 'data');
    await run(
      binaries.initdb,
      [
        '-D',
        dataDir,
        '-U',
        'postgres',
        '--auth=trust',
        '--no-sync',
        '-E',
        'UTF8',
        '--locale=C',
        '--no-instructions',
      ],
      runAs,
      dir,
    );

    let lastError: Error | undefined;
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        return await launch(binaries, runAs, dir, dataDir, database, timeoutMs, options.settings ?? {});
      } catch (error) {
        lastError = error as Error;
        // another process took the port between our probe and postgres' bind: try another one
        if (!/Address already in use|could not bind/i.test(lastError.message)) break;
      }
    }
    throw lastError;
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

async function launch(
  binaries: PostgresBinaries,
  runAs: RunAs | undefined,
  dir: string,
  dataDir: string,
  database: string,
  timeoutMs: number,
  settings: Record<string, string | number>,
): Promise<PostgresInstance> {
  const port = await freePort();
  const all: Record<string, string | number> = {
    fsync: 'off',
    synchronous_commit: 'off',
    full_page_writes: 'off',
    max_connections: 200,
    ...settings,
  };
  const args = ['-D', dataDir, '-k', dir, '-h', '127.0.0.1', '-p', String(port)];
  for (const [name, value] of Object.entries(all)) args.push('-c', `${name}=${value}`);
  const child = spawn(binaries.postgres, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], ...runAs });
  let log = '';
  const keep = (d: Buffer) => {
    log = (log + d).slice(-20_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let spawnError: Error | undefined;
  child.on('error', (e) => {
    spawnError = e;
  });
  const pid = child.pid;
  if (pid === undefined) {
    await sleep(0);
    throw new Error(`startPostgres: could not spawn postgres: ${spawnError?.message ?? 'unknown error'}`);
  }
  installExitHook();
  const watchdog = startWatchdog(pid, dir);
  const frozen = new Set<number>();
  running.set(pid, { dir, watchdog, frozen });
  const thaw = () => {
    // Children first: the postmaster, once running, could otherwise act on a backend it sees stopped.
    for (const stopped of [...frozen].reverse()) killQuietly(stopped, 'SIGCONT');
    frozen.clear();
  };

  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopped ??= (async () => {
      killQuietly(watchdog.pid, 'SIGKILL');
      thaw();
      // SIGTERM = smart shutdown (waits for clients); escalate to fast (SIGINT), then immediate (SIGQUIT).
      killQuietly(pid, 'SIGTERM');
      if (!(await waitForExit(child, 1000))) {
        killQuietly(pid, 'SIGINT');
        if (!(await waitForExit(child, 5000))) {
          killQuietly(pid, 'SIGQUIT');
          if (!(await waitForExit(child, 5000))) {
            killQuietly(pid, 'SIGKILL');
            await waitForExit(child, 5000);
          }
        }
      }
      running.delete(pid);
      rmSync(dir, { recursive: true, force: true });
    })();
    return stopped;
  };

  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      if (spawnError) throw spawnError;
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(
          `postgres exited with ${child.exitCode ?? child.signalCode} before accepting connections`,
        );
      }
      if (await connectable(port, 'postgres')) break;
      if (Date.now() > deadline)
        throw new Error(`postgres did not accept connections within ${timeoutMs} ms`);
      await sleep(25);
    }
    await adminQuery(port, `create database ${quoteIdent(database)}`);
  } catch (error) {
    running.delete(pid);
    killQuietly(watchdog.pid, 'SIGKILL');
    killQuietly(pid, 'SIGQUIT');
    await waitForExit(child, 5000);
    throw new Error(`startPostgres: ${(error as Error).message}\n--- postgres log ---\n${log}`);
  }

  const urlFor = (db: string) => `postgres://postgres@127.0.0.1:${port}/${db}`;
  return {
    url: urlFor(database),
    host: '127.0.0.1',
    port,
    database,
    pid,
    dir,
    async createDatabase(name: string) {
      await adminQuery(port, `create database ${quoteIdent(name)}`);
      return urlFor(name);
    },
    freeze: () => freezeCluster(pid, frozen),
    thaw,
    stop,
  };
}
