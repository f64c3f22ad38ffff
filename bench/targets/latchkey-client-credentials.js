// Targets: Latchkey's token endpoint, client credentials, a freshly signed JWT per request: on SQLite;
// on PostgreSQL (the throttle counts in the database); on PostgreSQL with the counts in Redis.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tsImport } from 'tsx/esm/api';
import { binOf, thisBuild } from '../lib/builds.js';
import { freePort, onCleanup, startProcess } from '../lib/child.js';
import { profileFlags } from '../lib/latchkey-cli.js';

/** A fixed key-encryption key for the benchmark's throwaway PostgreSQL databases. */
const BENCH_KEY_ENCRYPTION_KEY = 'a'.repeat(64);

/** Starts what a store needs (this checkout's test helpers); returns its env and how to stop it. */
async function startStore(store, cleanups) {
  if (store === 'sqlite') return {};
  const { startPostgres } = await tsImport('../../packages/server/test/support/postgres.ts', import.meta.url);
  const pg = await startPostgres();
  cleanups.push(() => {
    pg.stop();
  });
  const env = { LATCHKEY_DATABASE_URL: pg.url, LATCHKEY_KEY_ENCRYPTION_KEY: BENCH_KEY_ENCRYPTION_KEY };
  if (store !== 'postgres-redis') return env;
  const { startRedis } = await tsImport('../../packages/server/test/support/redis.ts', import.meta.url);
  const redis = await startRedis();
  cleanups.push(() => {
    redis.stop();
  });
  // A build that predates LATCHKEY_REDIS_URL ignores it and counts in PostgreSQL.
  return { ...env, LATCHKEY_REDIS_URL: redis.url };
}

/**
 * The target for one build (bench/lib/builds.js): this checkout, or the baseline's own bin and dist;
 * `store`: `sqlite`, `postgres`, or `postgres-redis` (the throttle's counts in Redis).
 */
export const clientCredentialsTarget = (build, store = 'sqlite') => ({
  name: `latchkey-client-credentials${store === 'sqlite' ? '' : `-${store}`}${build.suffix}`,
  role: build === thisBuild ? 'subject' : 'baseline',
  build,
  description: `latchkey start (${store}), POST /oauth/token client_credentials, client_secret_basic`,
  expectJwt: true,
  // Issue 2, "Speed": at least 0.30 × the bare ceiling and 3 × oidc-provider in the same run.
  goals: store === 'sqlite' ? { vsCeiling: 0.3, vsReference: 3 } : {},
  async start() {
    const bin = binOf(build);
    if (!existsSync(bin)) throw new Error(`${bin} does not exist yet`);
    const port = await freePort();
    const dataDir = mkdtempSync(join(tmpdir(), 'latchkey-bench-'));
    const cleanups = [() => rmSync(dataDir, { recursive: true, force: true })];
    const unregister = onCleanup(() => {
      for (const c of cleanups.reverse()) c();
    });
    let proc;
    const stop = async () => {
      await proc?.stop();
      for (const c of cleanups.reverse()) c();
      unregister();
    };
    try {
      const storeEnv = await startStore(store, cleanups);
      proc = startProcess({
        name: `latchkey${build.suffix}`,
        command: process.execPath,
        args: [...profileFlags(), bin, 'start'],
        cwd: build.root,
        env: {
          PORT: String(port),
          HOST: '127.0.0.1',
          LATCHKEY_DATA_DIR: dataDir,
          LATCHKEY_LOG_LEVEL: 'warn',
          ...storeEnv,
        },
      });
    } catch (error) {
      await stop();
      throw error;
    }
    try {
      const baseUrl = `http://127.0.0.1:${port}`;
      await proc.waitForHttp(`${baseUrl}/readyz`, 30_000);
      const demo = JSON.parse(readFileSync(join(dataDir, 'demo-app.json'), 'utf8'));
      if (!demo.client_id || !demo.client_secret)
        throw new Error('demo-app.json lacks client_id/client_secret');
      const basic = Buffer.from(`${demo.client_id}:${demo.client_secret}`).toString('base64');
      return {
        proc,
        baseUrl,
        request: {
          method: 'POST',
          path: '/oauth/token',
          headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${basic}` },
          body: 'grant_type=client_credentials&scope=data:read',
        },
        stop,
      };
    } catch (error) {
      await stop();
      throw error;
    }
  },
});
