/** Several servers on one PostgreSQL database, and what happens when the database goes away. */
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRemoteJWKSet, jwtVerify } from 'jose';
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
    expect(jwksA.keys).toHaveLength(2);
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
