// Starts `latchkey start` of a build on a populated database (timing its start-up) and runs its
// `latchkey purge` beside it, for `npm run bench:scale`.
import { binOf } from '../lib/builds.js';
import { freePort, startProcess } from '../lib/child.js';
import { profileFlags } from '../lib/latchkey-cli.js';

/** A fixed key-encryption key for the benchmark's throwaway databases (never a secret worth keeping). */
const BENCH_KEY_ENCRYPTION_KEY = 'b'.repeat(64);

/** The environment of a server, or of a CLI command, on `dataDir` and `databaseFile`. */
export function latchkeyEnv(dataDir, databaseFile, port = 0) {
  return {
    ...(port ? { PORT: String(port), HOST: '127.0.0.1', LATCHKEY_ISSUER: `http://127.0.0.1:${port}` } : {}),
    LATCHKEY_DATA_DIR: dataDir,
    LATCHKEY_DATABASE_URL: databaseFile,
    LATCHKEY_LOG_LEVEL: 'warn',
    LATCHKEY_DEMO_APP: 'false',
    // The benchmark runs the purge itself (below), at a known time.
    LATCHKEY_PURGE_INTERVAL: '0',
    LATCHKEY_KEY_ENCRYPTION_KEY: BENCH_KEY_ENCRYPTION_KEY,
  };
}

/**
 * Starts the build's server on the database and waits for `/readyz`. Returns the process, its URL and
 * `startupMs`: from spawning the process to the first 200 from `/readyz` (Node's own start included).
 */
export async function startServer(build, name, dataDir, databaseFile) {
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const t0 = performance.now();
  const proc = startProcess({
    name,
    command: process.execPath,
    args: [...profileFlags(), binOf(build), 'start'],
    cwd: build.root,
    env: latchkeyEnv(dataDir, databaseFile, port),
  });
  try {
    await proc.waitForHttp(`${baseUrl}/readyz`, 120_000);
  } catch (error) {
    await proc.stop();
    throw error;
  }
  return { proc, baseUrl, startupMs: performance.now() - t0 };
}

/**
 * Runs `latchkey purge` of the build on the database (the purge a server runs every
 * LATCHKEY_PURGE_INTERVAL) in its own process. `done` resolves with its wall time, the rows it
 * deleted (per table) and whether it finished; `stop()` ends it early.
 */
export function runPurge(build, dataDir, databaseFile) {
  const t0 = performance.now();
  const proc = startProcess({
    name: 'latchkey purge',
    command: process.execPath,
    args: [binOf(build), 'purge'],
    cwd: build.root,
    env: latchkeyEnv(dataDir, databaseFile),
  });
  const done = proc.exited.then(({ code }) => {
    const output = proc.log();
    return {
      ms: performance.now() - t0,
      finished: code === 0,
      deleted: Number(/deleted (\d+) rows/.exec(output)?.[1] ?? Number.NaN),
      perTable: Object.fromEntries(
        [...output.matchAll(/^(\w+):\s+(\d+)$/gm)].map(([, table, n]) => [table, Number(n)]),
      ),
      error: code === 0 ? undefined : output.trim().split('\n').slice(-3).join(' '),
    };
  });
  return { done, stop: () => proc.stop() };
}
