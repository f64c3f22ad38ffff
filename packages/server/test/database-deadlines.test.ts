/**
 * Every database call has a deadline (LATCHKEY_DATABASE_TIMEOUT): a hung database answers 503 with
 * Retry-After in time, `/readyz` answers within 2 s, and a rotation that did not finish by its deadline
 * never commits later. PostgreSQL is frozen with SIGSTOP (a hung server, not a shut-down one) on a
 * cluster of this file's own, on loopback.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import type { LightMyRequestResponse } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Db, openDatabase } from '../src/storage/database.js';
import { isDatabaseUnavailable } from '../src/storage/errors.js';
import { getTokens, refresh, signedInBrowser } from './support/attacks.js';
import { InjectBrowser, registerThreeLeggedApp } from './support/browser.js';
import { type PostgresInstance, requirePostgres, startPostgres } from './support/postgres.js';
import { dialects, freshDatabase, startTestServer, type TestServer } from './support/server.js';

/** The deadline the servers of this file run with (LATCHKEY_DATABASE_TIMEOUT=1s). */
const DEADLINE_MS = 1000;
/** The requirement: an answer within the deadline plus this. */
const MARGIN_MS = 1000;
/** The requirement on `/readyz`, whatever the database deadline. */
const READY_MS = 2000;

/** An answer and how long it took from the call. */
async function timed(answer: Promise<LightMyRequestResponse>) {
  const started = Date.now();
  const res = await answer;
  return { res, ms: Date.now() - started };
}

/** `promise`, or a failure naming `what` once `ms` have passed (a hung server fails the test, not the run). */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/** Polls `check` every 50 ms until it holds, failing after `ms`. */
async function until(check: () => boolean | Promise<boolean>, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function expectUnavailable(res: LightMyRequestResponse) {
  expect(res.statusCode).toBe(503);
  expect(res.headers['retry-after']).toBe('1');
  expect(res.json()).toMatchObject({ error: 'temporarily_unavailable' });
}

/**
 * Whether a client message commits: a COMMIT (a simple-protocol Query, PostgreSQL protocol §55.7), or
 * the Parse of the one-statement rotation, which commits by itself in autocommit (its Bind, Execute and
 * Sync follow it on the connection, so they wait behind it).
 */
function commits(message: Buffer): boolean {
  const text = message.subarray(5, -1).toString('utf8');
  if (message[0] === 0x51) return /(^|;)\s*commit\s*;?\s*$/i.test(text);
  return message[0] === 0x50 && /^[^\0]*\0\s*with grant_row /.test(text);
}

/**
 * A loopback TCP proxy in front of PostgreSQL that can hold every COMMIT (a simple-protocol Query
 * message ending in `commit`, PostgreSQL protocol §55.7) on its way, so a test can freeze the server
 * while the COMMITs of rotations are in flight and then let them reach the frozen server. Messages of a
 * connection stay in order: once one is held, the ones after it wait behind it.
 */
class CommitGate {
  private holding = false;
  private readonly waiting = new Map<Socket, { messages: Buffer[]; ended: boolean }>();
  private readonly sockets = new Set<Socket>();
  heldCommits = 0;

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(target: number): Promise<CommitGate> {
    let gate: CommitGate | undefined;
    const server = createServer((inbound) => gate?.relay(inbound, connect(target, '127.0.0.1')));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    gate = new CommitGate(server, typeof address === 'object' && address ? address.port : 0);
    return gate;
  }

  /** The URL of a database of the cluster behind the gate. */
  url(database: string): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${database}`;
  }

  /** From now on, COMMITs wait in the gate. */
  holdCommits(): void {
    this.holding = true;
  }

  /** Lets every held message through, and stops holding. */
  release(): void {
    this.holding = false;
    for (const [outbound, queue] of this.waiting) {
      for (const message of queue.messages) outbound.write(message);
      if (queue.ended) outbound.end();
    }
    this.waiting.clear();
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private relay(inbound: Socket, outbound: Socket): void {
    for (const socket of [inbound, outbound]) {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      socket.on('error', () => {});
    }
    outbound.on('data', (chunk: Buffer) => inbound.write(chunk));
    outbound.on('close', () => inbound.destroy());
    let buffered = Buffer.alloc(0);
    let started = false;
    inbound.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      for (;;) {
        // The startup message has no type byte; every later one is a type byte and a length.
        const header = started ? 1 : 0;
        if (buffered.length < header + 4) break;
        const length = header + buffered.readInt32BE(header);
        if (buffered.length < length) break;
        const message = buffered.subarray(0, length);
        buffered = buffered.subarray(length);
        started = true;
        this.forward(outbound, message);
      }
    });
    // The client closed: after what it sent, the server sees the end of the connection.
    inbound.on('close', () => {
      const queue = this.waiting.get(outbound);
      if (queue) queue.ended = true;
      else outbound.end();
    });
  }

  private forward(outbound: Socket, message: Buffer): void {
    const queue = this.waiting.get(outbound);
    if (this.holding && commits(message)) {
      this.heldCommits++;
      if (queue) queue.messages.push(message);
      else this.waiting.set(outbound, { messages: [message], ended: false });
    } else if (queue) {
      queue.messages.push(message);
    } else {
      outbound.write(message);
    }
  }
}

describe.skipIf(!requirePostgres('the PostgreSQL deadline tests'))('a frozen PostgreSQL server', () => {
  let cluster: PostgresInstance;
  let gate: CommitGate;
  beforeAll(async () => {
    cluster = await startPostgres({ database: 'deadlines' });
    gate = await CommitGate.start(cluster.port);
  });
  afterAll(async () => {
    cluster?.thaw();
    await gate?.close();
    await cluster?.stop();
  });

  it('answers 503 with Retry-After within the deadline, commits no rotation after it, and recovers', async () => {
    const s = await startTestServer(
      'postgres',
      // No retry window: a rotation that committed after its 503 would make the held token a replay.
      { LATCHKEY_DATABASE_TIMEOUT: '1s', LATCHKEY_PURGE_INTERVAL: '0', LATCHKEY_REFRESH_RETRY_WINDOW: '0' },
      { databaseUrl: gate.url('deadlines') },
    );
    try {
      const user = await s.ctx.users.create('ada@example.com', 'correct horse battery');
      const app = await registerThreeLeggedApp(s);
      const browser = await signedInBrowser(s, new InjectBrowser(s.app), user.id);
      // Three clients, each holding the refresh token of its own grant.
      const held: string[] = [];
      for (let i = 0; i < 3; i++) held.push((await getTokens(s, browser, app)).refresh_token);

      // Each client refreshes; every rotation gets as far as its COMMIT, which the gate holds until
      // the server is frozen and then lets through: the COMMITs wait in the frozen server's sockets.
      gate.holdCommits();
      const rotations = held.map((token) => timed(refresh(s.app, app.basic, token)));
      await until(() => gate.heldCommits >= held.length, 10_000, 'every rotation at its COMMIT');
      await cluster.freeze();
      gate.release();
      // While frozen: the readiness probe, and each client retrying with the token it holds.
      const ready = timed(s.app.inject({ method: 'GET', url: '/readyz' }));
      const retries = held.map((token) => timed(refresh(s.app, app.basic, token)));

      const [first, again, probe] = await within(
        Promise.all([Promise.all(rotations), Promise.all(retries), ready]),
        DEADLINE_MS + MARGIN_MS + 2000,
        'requests to a frozen database',
      );
      for (const { res, ms } of [...first, ...again]) {
        expectUnavailable(res);
        expect(ms).toBeLessThanOrEqual(DEADLINE_MS + MARGIN_MS);
      }
      expect(probe.res.statusCode).toBe(503);
      expect(probe.ms).toBeLessThanOrEqual(READY_MS);

      // Resumed: the server recovers without a restart, and the COMMITs that reached the frozen server
      // did not commit: every client's refresh token, the one it held when it got the 503, still works.
      cluster.thaw();
      await until(
        async () => (await s.app.inject({ method: 'GET', url: '/readyz' })).statusCode === 200,
        15_000,
        'ready again after the thaw',
      );
      for (const token of held) {
        const res = await refresh(s.app, app.basic, token);
        expect(res.statusCode, res.body).toBe(200);
        const next = await refresh(s.app, app.basic, res.json().refresh_token);
        expect(next.statusCode, next.body).toBe(200);
      }
      expect(s.logs.text).not.toContain('unexpected error');
    } finally {
      gate.release();
      cluster.thaw();
      await s.close();
    }
  });

  it('answers /readyz with 503 within 2 s even when the database deadline is longer', async () => {
    const url = await cluster.createDatabase('deadlines_ready');
    const s = await startTestServer(
      'postgres',
      { LATCHKEY_DATABASE_TIMEOUT: '10s', LATCHKEY_PURGE_INTERVAL: '0' },
      { databaseUrl: url },
    );
    try {
      expect((await s.app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
      await cluster.freeze();
      const probe = await within(
        timed(s.app.inject({ method: 'GET', url: '/readyz' })),
        READY_MS + 2000,
        '/readyz on a frozen database',
      );
      expect(probe.res.statusCode).toBe(503);
      expect(probe.res.headers['retry-after']).toBe('1');
      expect(probe.ms).toBeLessThanOrEqual(READY_MS);
      cluster.thaw();
      await until(
        async () => (await s.app.inject({ method: 'GET', url: '/readyz' })).statusCode === 200,
        15_000,
        'ready again after the thaw',
      );
    } finally {
      cluster.thaw();
      await s.close();
    }
  });
});

describe.runIf(dialects().includes('postgres'))('PostgreSQL connections under a deadline', () => {
  let dir: string;
  let db: Db;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'latchkey-deadlines-'));
    // One connection: whatever a connection carries is visible to the next use of the pool.
    db = openDatabase(await freshDatabase('postgres', dir), { poolSize: 1, timeoutMs: DEADLINE_MS });
  });
  afterAll(async () => {
    await db?.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a transaction idle past the deadline is ended by PostgreSQL: its next statement fails as an outage, the process carries on', async () => {
    const failure = await db
      .transaction()
      .execute(async (trx) => {
        await sql`select 1`.execute(trx);
        await new Promise((resolve) => setTimeout(resolve, DEADLINE_MS + 500));
        await sql`select 1`.execute(trx);
      })
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    expect(isDatabaseUnavailable(failure), String(failure)).toBe(true);
    expect((await sql<{ one: number }>`select 1 as one`.execute(db)).rows).toEqual([{ one: 1 }]);
  });

  it('a connection handed back inside a transaction is not used again inside it', async () => {
    await db.connection().execute(async (connection) => {
      await sql`begin`.execute(connection);
      await sql`set local application_name = 'left open'`.execute(connection);
    });
    const { rows } = await sql<{ name: string }>`select current_setting('application_name') as name`.execute(
      db,
    );
    expect(rows).not.toEqual([{ name: 'left open' }]);
  });
});

describe('a locked SQLite database', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer('sqlite', { LATCHKEY_DATABASE_TIMEOUT: '1s', LATCHKEY_PURGE_INTERVAL: '0' });
  });
  afterAll(async () => {
    await s?.close();
  });

  it('answers 503 with Retry-After once the busy timeout (the deadline) passes, and the token still works', async () => {
    const user = await s.ctx.users.create('ada@example.com', 'correct horse battery');
    const app = await registerThreeLeggedApp(s);
    const browser = await signedInBrowser(s, new InjectBrowser(s.app), user.id);
    const { refresh_token: token } = await getTokens(s, browser, app);
    // Another process holds the write lock longer than the deadline.
    const other = new SQLite(s.config.databaseUrl);
    try {
      other.exec('begin immediate');
      const { res, ms } = await timed(refresh(s.app, app.basic, token));
      expectUnavailable(res);
      expect(ms).toBeLessThanOrEqual(DEADLINE_MS + MARGIN_MS);
      other.exec('rollback');
    } finally {
      other.close();
    }
    expect((await refresh(s.app, app.basic, token)).statusCode).toBe(200);
  });
});
