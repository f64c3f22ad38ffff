/**
 * The in-memory cache of app registrations used by client authentication: hits cost no query; a write
 * by another connection (the CLI, a second server) drops every entry at once on SQLite, and is seen
 * once an entry's age passes on PostgreSQL; writes through the server drop theirs, and no entry
 * outlives a secret's expiry.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { POSTGRES_CLIENT_CACHE_MAX_AGE_MS } from '../src/storage/client-cache.js';
import { ClientRepository } from '../src/storage/clients.js';
import { type Db, openDatabase } from '../src/storage/database.js';
import { cliAsync } from './support/process.js';
import { clockReaches, dialects, FORM, startTestServer, type TestServer } from './support/server.js';

/** A client_credentials request with the given secret; returns the status. */
async function tokenStatus(s: TestServer, secret: string): Promise<number> {
  const res = await s.app.inject({
    method: 'POST',
    url: '/oauth/token',
    headers: { ...FORM, authorization: s.basic(s.credentials.clientId, secret) },
    payload: 'grant_type=client_credentials',
  });
  return res.statusCode;
}

describe.each(dialects())('client registration cache on %s', (dialect) => {
  let server: TestServer | undefined;
  let other: Db | undefined;
  afterEach(async () => {
    vi.restoreAllMocks();
    await other?.destroy();
    other = undefined;
    await server?.close();
    server = undefined;
  });

  async function start(env: Record<string, string> = {}): Promise<TestServer> {
    server = await startTestServer(dialect, env);
    return server;
  }

  /** Another writer with its own connection, as the CLI or a second server process has. */
  function elsewhere(s: TestServer): ClientRepository {
    other = openDatabase(s.config.databaseUrl);
    return new ClientRepository(other);
  }

  /**
   * Checks that a change made elsewhere has not reached the cache yet on PostgreSQL (`stale` still
   * answers `before`) while the entry cached at `cachedAt` is young, then moves the clock past an
   * entry's age there; on SQLite nothing: the change is seen at once. The other process may take
   * longer than an entry's age on a loaded machine, and then there is no young entry left to check.
   */
  async function cacheAgePasses(
    check: () => Promise<number>,
    before: number,
    cachedAt: number,
  ): Promise<void> {
    if (dialect === 'sqlite') return;
    if (Date.now() - cachedAt < POSTGRES_CLIENT_CACHE_MAX_AGE_MS - 500) expect(await check()).toBe(before);
    const real = Date.now.bind(Date);
    vi.spyOn(Date, 'now').mockImplementation(() => real() + POSTGRES_CLIENT_CACHE_MAX_AGE_MS);
  }

  /** `latchkey <args>` in another process on the server's database. */
  async function cliOn(s: TestServer, args: string[]): Promise<string> {
    const result = await cliAsync(args, {
      LATCHKEY_DATA_DIR: s.dir,
      LATCHKEY_DATABASE_URL: s.config.databaseUrl,
    });
    expect(result.code, result.stderr).toBe(0);
    return result.stdout;
  }

  it('answers repeated lookups from memory', async () => {
    const s = await start();
    const reads = vi.spyOn(
      ClientRepository.prototype as unknown as { clientRows: () => unknown },
      'clientRows',
    );
    for (let i = 0; i < 10; i++) expect(await tokenStatus(s, s.credentials.clientSecret)).toBe(200);
    expect(reads).toHaveBeenCalledTimes(1);
  });

  it(`latchkey apps rotate-secret in another process: the old secret stops ${dialect === 'sqlite' ? 'at once' : 'once the entry is 2 s old'}`, async () => {
    const s = await start();
    const old = s.credentials.clientSecret;
    const cachedAt = Date.now();
    expect(await tokenStatus(s, old)).toBe(200);
    const out = await cliOn(s, ['apps', 'rotate-secret', s.credentials.clientId, '--json']);
    const fresh = (JSON.parse(out) as { client_secret: string }).client_secret;
    await cacheAgePasses(() => tokenStatus(s, old), 200, cachedAt);
    expect(await tokenStatus(s, old)).toBe(401);
    expect(await tokenStatus(s, fresh)).toBe(200);
  });

  it(`latchkey apps delete in another process: refused ${dialect === 'sqlite' ? 'at once' : 'once the entry is 2 s old'}`, async () => {
    const s = await start();
    const cachedAt = Date.now();
    expect(await tokenStatus(s, s.credentials.clientSecret)).toBe(200);
    await cliOn(s, ['apps', 'delete', s.credentials.clientId]);
    await cacheAgePasses(() => tokenStatus(s, s.credentials.clientSecret), 200, cachedAt);
    expect(await tokenStatus(s, s.credentials.clientSecret)).toBe(401);
  });

  it(`a write by another connection of this process is seen ${dialect === 'sqlite' ? 'from the next event-loop turn' : 'once the entry is 2 s old'}`, async () => {
    const s = await start();
    const cachedAt = Date.now();
    expect(await tokenStatus(s, s.credentials.clientSecret)).toBe(200);
    expect(await elsewhere(s).delete(s.credentials.clientId)).toBe(true);
    await new Promise((resolve) => setImmediate(resolve));
    await cacheAgePasses(() => tokenStatus(s, s.credentials.clientSecret), 200, cachedAt);
    expect(await tokenStatus(s, s.credentials.clientSecret)).toBe(401);
  });

  it("writes through the server's own repository take effect at once", async () => {
    const s = await start();
    expect(await tokenStatus(s, s.credentials.clientSecret)).toBe(200);
    const fresh = (await s.ctx.clients.rotateSecret(s.credentials.clientId, 0))?.secret as string;
    expect(await tokenStatus(s, s.credentials.clientSecret)).toBe(401);
    expect(await tokenStatus(s, fresh)).toBe(200);
    expect(await s.ctx.clients.delete(s.credentials.clientId)).toBe(true);
    expect(await tokenStatus(s, fresh)).toBe(401);
  });

  it('a cached registration never outlives the expiry of a secret in it', async () => {
    const s = await start();
    const old = s.credentials.clientSecret;
    // Expiry is in whole seconds: a grace of 2 s leaves the old secret between one and two seconds
    // (with 1 s it could be none at all, when a second boundary fell between rotating and asking).
    const fresh = (await elsewhere(s).rotateSecret(s.credentials.clientId, 2))?.secret as string;
    // Caches the registration with both secrets.
    expect(await tokenStatus(s, fresh)).toBe(200);
    expect(await tokenStatus(s, old)).toBe(200);
    // The old secret is refused from the second it expires at: not a second later.
    const { expires_at: expiresAt } = await s.ctx.db
      .selectFrom('client_secrets')
      .select('expires_at')
      .where('client_id', '=', s.credentials.clientId)
      .where('expires_at', 'is not', null)
      .executeTakeFirstOrThrow();
    await clockReaches(Number(expiresAt));
    expect(await tokenStatus(s, old)).toBe(401);
    expect(await tokenStatus(s, fresh)).toBe(200);
  });

  it('a wrong secret for a cached app is one failure like any other', async () => {
    const s = await start({ LATCHKEY_AUTH_MAX_FAILURES: '2' });
    expect(await tokenStatus(s, s.credentials.clientSecret)).toBe(200);
    expect(await tokenStatus(s, 'wrong')).toBe(401);
    expect(await tokenStatus(s, 'wrong')).toBe(401);
    expect(await tokenStatus(s, 'wrong')).toBe(429);
  });
});
