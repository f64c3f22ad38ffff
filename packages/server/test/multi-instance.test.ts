/** Several servers on one PostgreSQL database, and what happens when the database goes away. */
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { cli, cliAsync, fetchToken, type ServerProcess, startProcess } from './support/process.js';
import { dialects, freshDatabase, kekEnv } from './support/server.js';

/** A TCP proxy in front of PostgreSQL that a test can cut and restore, to play "database down". */
class CuttableProxy {
  private server: Server | undefined;
  private sockets = new Set<Socket>();
  constructor(
    private readonly target: { host: string; port: number },
    readonly port: number,
  ) {}

  async up(): Promise<void> {
    this.server = createServer((inbound) => {
      const outbound = connect(this.target.port, this.target.host);
      for (const s of [inbound, outbound]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => {});
      }
      inbound.pipe(outbound).pipe(inbound);
    });
    await new Promise<void>((resolve) => this.server?.listen(this.port, '127.0.0.1', resolve));
  }

  async down(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.server = undefined;
  }
}

const hasPostgres = dialects().includes('postgres');

/** Secret rotation, app deletion and key rotation reach every server on one database within this. */
const PROPAGATION_MS = 5_000;

/**
 * Polls `check` on each server until it passes, and fails if that takes longer than
 * {@link PROPAGATION_MS} from `since` (when the change was committed).
 */
async function seenByAll(
  servers: ServerProcess[],
  since: number,
  check: (s: ServerProcess) => Promise<void>,
) {
  await Promise.all(
    servers.map((server) =>
      vi.waitFor(() => check(server), { timeout: PROPAGATION_MS - (Date.now() - since), interval: 100 }),
    ),
  );
  expect(Date.now() - since).toBeLessThan(PROPAGATION_MS);
}

describe.runIf(hasPostgres)('two latchkey processes on one PostgreSQL database', () => {
  let dir: string;
  let env: Record<string, string>;
  let a: ServerProcess;
  let b: ServerProcess;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'latchkey-multi-'));
    env = {
      LATCHKEY_DATA_DIR: dir,
      LATCHKEY_DATABASE_URL: await freshDatabase('postgres', dir),
      ...kekEnv('postgres'),
    };
    // Started together: migrations and first-key creation must not trip over each other.
    [a, b] = await Promise.all([startProcess(env), startProcess(env)]);
  });
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('a token issued by one verifies with the JWKS of the other', async () => {
    const app = JSON.parse(
      cli(['apps', 'create', '--name', 'Multi', '--scope', 'data:read', '--json'], env).stdout,
    );
    const fromA = await fetchToken(a.url, app.client_id, app.client_secret, 'data:read');
    expect(fromA.status).toBe(200);
    const jwksOfB = createRemoteJWKSet(new URL(`${b.url}/.well-known/jwks.json`));
    const { payload } = await jwtVerify(fromA.body.access_token as string, jwksOfB, { typ: 'at+jwt' });
    expect(payload.client_id).toBe(app.client_id);
    const jwksA = await (await fetch(`${a.url}/.well-known/jwks.json`)).json();
    const jwksB = await (await fetch(`${b.url}/.well-known/jwks.json`)).json();
    expect(jwksA).toEqual(jwksB);
    // An active and a next key for each of the three algorithms.
    expect(jwksA.keys).toHaveLength(6);
  });

  /** An app both servers have authenticated (each has it cached). */
  async function appInUse(name: string) {
    const app = JSON.parse(
      cli(['apps', 'create', '--name', name, '--scope', 'data:read', '--json'], env).stdout,
    ) as { client_id: string; client_secret: string };
    for (const server of [a, b])
      expect((await fetchToken(server.url, app.client_id, app.client_secret)).status).toBe(200);
    return app;
  }

  it('a secret rotated by the CLI: both servers refuse the old secret and take the new one within 5 s', async () => {
    const app = await appInUse('Rotated');
    const rotated = JSON.parse(cli(['apps', 'rotate-secret', app.client_id, '--json'], env).stdout);
    const since = Date.now();
    await seenByAll([a, b], since, async (server) => {
      expect((await fetchToken(server.url, app.client_id, app.client_secret)).status).toBe(401);
    });
    for (const server of [a, b])
      expect((await fetchToken(server.url, app.client_id, rotated.client_secret)).status).toBe(200);
  });

  it('an app deleted by the CLI: both servers refuse it within 5 s', async () => {
    const app = await appInUse('Deleted');
    expect(cli(['apps', 'delete', app.client_id], env).code).toBe(0);
    await seenByAll([a, b], Date.now(), async (server) => {
      expect((await fetchToken(server.url, app.client_id, app.client_secret)).status).toBe(401);
    });
  });

  it('a key rotation (default LATCHKEY_KEY_RELOAD_INTERVAL): both servers sign with the new key and publish the new next key within 5 s', async () => {
    const app = await appInUse('Keys');
    const before = (await (await fetch(`${a.url}/.well-known/jwks.json`)).json()) as {
      keys: { kid: string }[];
    };
    const rotated = cli(['keys', 'rotate'], env);
    expect(rotated.code, rotated.stderr).toBe(0);
    const since = Date.now();
    const active = /active key: (\S+)/.exec(rotated.stdout)?.[1];
    const next = /next key: +(\S+)/.exec(rotated.stdout)?.[1];
    expect(before.keys.map((k) => k.kid)).toContain(active);
    expect(before.keys.map((k) => k.kid)).not.toContain(next);
    await seenByAll([a, b], since, async (server) => {
      const token = (await fetchToken(server.url, app.client_id, app.client_secret)).body
        .access_token as string;
      expect(decodeProtectedHeader(token).kid).toBe(active);
      const jwks = (await (await fetch(`${server.url}/.well-known/jwks.json`)).json()) as {
        keys: { kid: string }[];
      };
      expect(jwks.keys.map((k) => k.kid)).toContain(next);
    });
  });
});

describe.runIf(hasPostgres)('database down', () => {
  let dir: string;
  let proxy: CuttableProxy;
  let server: ServerProcess;
  let app: { client_id: string; client_secret: string };
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'latchkey-down-'));
    const real = new URL(await freshDatabase('postgres', dir));
    const probe = createServer();
    const port = await new Promise<number>((resolve) =>
      probe.listen(0, '127.0.0.1', () => {
        const address = probe.address();
        probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
      }),
    );
    proxy = new CuttableProxy({ host: real.hostname, port: Number(real.port) }, port);
    await proxy.up();
    const viaProxy = new URL(real);
    viaProxy.port = String(port);
    const env = {
      LATCHKEY_DATA_DIR: dir,
      LATCHKEY_DATABASE_URL: viaProxy.toString(),
      ...kekEnv('postgres'),
    };
    server = await startProcess(env);
    const created = await cliAsync(
      ['apps', 'create', '--name', 'Down', '--scope', 'data:read', '--json'],
      env,
    );
    if (created.code !== 0) throw new Error(created.stderr);
    app = JSON.parse(created.stdout);
  });
  afterAll(async () => {
    await server?.stop();
    await proxy?.down();
    rmSync(dir, { recursive: true, force: true });
  });

  it('readiness 503 and token requests 503 (never 500, never a token), then recovery without a restart', async () => {
    expect((await fetchToken(server.url, app.client_id, app.client_secret)).status).toBe(200);
    await proxy.down();
    const ready = await fetch(`${server.url}/readyz`);
    expect(ready.status).toBe(503);
    const during = await fetchToken(server.url, app.client_id, app.client_secret);
    expect(during.status).toBe(503);
    expect(during.body).toEqual({
      error: 'temporarily_unavailable',
      error_description: 'the service is temporarily unavailable',
    });
    expect(during.headers.get('retry-after')).toBe('1');
    expect(during.headers.get('cache-control')).toBe('no-store');
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);

    await proxy.up();
    // Polled until the pool has reconnected (a deadline, not a count of tries).
    let recovered = 0;
    await vi.waitFor(
      async () => {
        recovered = (await fetchToken(server.url, app.client_id, app.client_secret)).status;
        expect(recovered).toBe(200);
      },
      { timeout: 20_000, interval: 100 },
    );
    expect(recovered).toBe(200);
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
    expect(server.output()).not.toContain('"level":50');
  });
});
