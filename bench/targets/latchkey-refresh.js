// Targets: Latchkey's refresh_token grant with rotation, on SQLite and on PostgreSQL. Every request
// presents the newest refresh token of its connection's chain and gets a new one (no reuse).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tsImport } from 'tsx/esm/api';
import { binOf, thisBuild } from '../lib/builds.js';
import { freePort, onCleanup, startProcess } from '../lib/child.js';
import { profileFlags, run } from '../lib/latchkey-cli.js';
import { threeLeggedChains } from '../lib/three-legged.js';

/** A fixed key-encryption key for the benchmark's throwaway databases (never a secret worth keeping). */
const BENCH_KEY_ENCRYPTION_KEY = 'a'.repeat(64);

/** Chains prepared. Each run strands one chain per connection (its last request is never answered), so this covers warm-ups and rounds. */
const CHAINS = 500;

/** The target for one dialect and one build (bench/lib/builds.js): this checkout or the baseline. */
export function refreshTarget(dialect, build = thisBuild) {
  const bin = binOf(build);
  return {
    name: `latchkey-refresh-${dialect}${build.suffix}`,
    role: build === thisBuild ? 'subject' : 'baseline',
    build,
    description: `latchkey start (${dialect}), POST /oauth/token refresh_token with rotation, one chain per connection`,
    expectJwt: true,
    // Issue 3, "Speed": at least 0.15 × the bare ceiling on SQLite.
    goals: dialect === 'sqlite' ? { vsCeiling: 0.15 } : {},
    async start() {
      const dataDir = mkdtempSync(join(tmpdir(), 'latchkey-bench-'));
      const cleanups = [() => rmSync(dataDir, { recursive: true, force: true })];
      const unregister = onCleanup(() => {
        for (const c of cleanups.reverse()) c();
      });
      let databaseUrl = join(dataDir, 'latchkey.db');
      if (dialect === 'postgres') {
        // This checkout's helper only starts a PostgreSQL server; the schema is the build's own.
        const { startPostgres } = await tsImport(
          '../../packages/server/test/support/postgres.ts',
          import.meta.url,
        );
        const pg = await startPostgres();
        cleanups.push(() => {
          pg.stop();
        });
        databaseUrl = pg.url;
      }
      const port = await freePort();
      const baseUrl = `http://127.0.0.1:${port}`;
      const env = {
        PORT: String(port),
        HOST: '127.0.0.1',
        LATCHKEY_ISSUER: baseUrl,
        LATCHKEY_DATA_DIR: dataDir,
        LATCHKEY_DATABASE_URL: databaseUrl,
        LATCHKEY_LOG_LEVEL: 'warn',
        LATCHKEY_DEMO_APP: 'false',
        // Required on PostgreSQL since migration 007 seals the signing keys; earlier builds ignore it.
        LATCHKEY_KEY_ENCRYPTION_KEY: BENCH_KEY_ENCRYPTION_KEY,
      };
      const proc = startProcess({
        name: `latchkey-${dialect}${build.suffix}`,
        command: process.execPath,
        args: [...profileFlags(), bin, 'start'],
        cwd: build.root,
        env,
      });
      const stop = async () => {
        await proc.stop();
        for (const c of cleanups.reverse()) c();
        unregister();
      };
      try {
        await proc.waitForHttp(`${baseUrl}/readyz`, 30_000);
        // The build's own CLI creates the user and the app in its own schema.
        const runHere = (b, args, e) => run(b, args, e, build.root);
        const { basic, tokens } = await threeLeggedChains({
          baseUrl,
          env,
          bin,
          run: runHere,
          chains: CHAINS,
        });
        const pool = [...tokens];
        const request = {
          method: 'POST',
          path: '/oauth/token',
          headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic },
          body: `grant_type=refresh_token&refresh_token=${pool[0]}`,
        };
        const requests = [
          {
            method: 'POST',
            path: '/oauth/token',
            headers: request.headers,
            // autocannon clears a connection's context between requests, so the chains live in one
            // queue: a request takes the newest token of some chain, its answer puts the next one back.
            setupRequest(req) {
              const token = pool.shift();
              return token ? { ...req, body: `grant_type=refresh_token&refresh_token=${token}` } : null;
            },
            onResponse(status, body) {
              if (status === 200) pool.push(JSON.parse(body).refresh_token);
            },
          },
        ];
        return {
          proc,
          baseUrl,
          request,
          requests,
          // Verify on a chain of its own (the last one), so the pool stays untouched.
          async verify() {
            const own = pool.pop();
            const res = await fetch(`${baseUrl}/oauth/token`, {
              method: 'POST',
              headers: request.headers,
              body: `grant_type=refresh_token&refresh_token=${own}`,
            });
            const json = await res.json();
            if (res.status !== 200 || !json.refresh_token || json.refresh_token === own) {
              throw new Error(`refresh did not rotate: ${res.status} ${JSON.stringify(json).slice(0, 200)}`);
            }
            const [header, payload] = json.access_token
              .split('.')
              .slice(0, 2)
              .map((p) => JSON.parse(Buffer.from(p, 'base64url')));
            return { jwt: true, alg: header.alg, typ: header.typ, scope: payload.scope, fresh: true };
          },
          stop,
        };
      } catch (error) {
        await stop();
        throw error;
      }
    },
  };
}
