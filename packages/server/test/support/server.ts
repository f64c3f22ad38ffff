/** Test helpers: a Latchkey server on SQLite or PostgreSQL, in-process (inject) or on a loopback port. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pg from 'pg';
import { inject } from 'vitest';
import { type Config, loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { registerApp } from '../../src/oauth/app-registration.js';
import { createServer, type RunningServer } from '../../src/server.js';

/** The databases every storage-related suite runs on. */
export type DialectName = 'sqlite' | 'postgres';

/** Dialects available in this run: PostgreSQL is always there in CI (the global setup fails otherwise). */
export function dialects(): DialectName[] {
  return inject('postgresUrl') ? ['sqlite', 'postgres'] : ['sqlite'];
}

/**
 * The key-encryption key of test servers on PostgreSQL, which requires LATCHKEY_KEY_ENCRYPTION_KEY (on
 * SQLite they leave it unset, so every suite exercises the KEK generated into the data folder).
 */
export const TEST_KEK = `test:${Buffer.alloc(32, 7).toString('base64url')}`;

/** The KEK variable a process on this dialect needs: PostgreSQL requires it. */
export function kekEnv(dialect: DialectName): Record<string, string> {
  return dialect === 'postgres' ? { LATCHKEY_KEY_ENCRYPTION_KEY: TEST_KEK } : {};
}

let databaseCounter = 0;

/** A fresh, empty database URL of the given dialect, and a way to drop it. */
export async function freshDatabase(dialect: DialectName, dir: string): Promise<string> {
  if (dialect === 'sqlite') return join(dir, 'latchkey.db');
  const admin = inject('postgresUrl');
  const name = `lk_${process.pid}_${Date.now()}_${databaseCounter++}`;
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  try {
    await client.query(`create database ${name}`);
  } finally {
    await client.end();
  }
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Log lines a test server wrote, to assert on (and to prove no secret is logged). */
export class LogCapture extends Writable {
  readonly lines: string[] = [];
  override _write(chunk: Buffer, _encoding: string, done: () => void): void {
    this.lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    done();
  }
  get text(): string {
    return this.lines.join('\n');
  }
}

/** A test server with one confidential app. */
export interface TestServer extends RunningServer {
  config: Config;
  dir: string;
  logs: LogCapture;
  credentials: { clientId: string; clientSecret: string };
  /** `Authorization: Basic` for the test app (or other credentials). */
  basic(id?: string, secret?: string): string;
}

/**
 * Starts a server over a fresh database with env overrides; registers a confidential app with data:read
 * data:write. `before` runs on the empty database first (e.g. to set up an older schema to upgrade);
 * `databaseUrl` is an empty database of the caller's instead (e.g. on a cluster of its own).
 */
export async function startTestServer(
  dialect: DialectName,
  env: Record<string, string> = {},
  options: { before?: (databaseUrl: string) => Promise<void>; databaseUrl?: string } = {},
): Promise<TestServer> {
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-test-'));
  const databaseUrl = options.databaseUrl ?? (await freshDatabase(dialect, dir));
  await options.before?.(databaseUrl);
  const config = loadConfig({
    LATCHKEY_DATA_DIR: dir,
    LATCHKEY_DATABASE_URL: databaseUrl,
    LATCHKEY_ISSUER: 'http://localhost:4000',
    LATCHKEY_LOG_LEVEL: 'info',
    LATCHKEY_SCOPES: 'data:read data:write admin',
    ...kekEnv(dialect),
    ...env,
  });
  const logs = new LogCapture();
  const server = await createServer(config, createLogger(config.logLevel, logs));
  const { client, clientSecret } = await registerApp(server.ctx.clients, config.scopes, {
    name: 'Test app',
    scope: 'data:read data:write',
    grants: ['client_credentials'],
  });
  return {
    ...server,
    config,
    dir,
    logs,
    credentials: { clientId: client.id, clientSecret: clientSecret as string },
    basic(id = client.id, secret = clientSecret as string) {
      return `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;
    },
    async close() {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A refresh token as issued (tokens/refresh-token-format.ts): selector and verifier, 48 bytes base64url. */
export const REFRESH_TOKEN_SHAPE = /^[\w-]{64}$/;

/** A code, client secret or refresh token anywhere in a text (e.g. the logs), standing on its own. */
export const ISSUED_SECRET = /(?<![\w-])(?:[\w-]{43}|[\w-]{64})(?![\w-])/;

/** The form content type header. */
export const FORM = { 'content-type': 'application/x-www-form-urlencoded' } as const;

/**
 * Resolves once the clock reads `second` (seconds since the epoch) or later. Expiry is kept in whole
 * seconds, so a test that needs something expired polls the clock for the second it expires at rather
 * than sleeping a fixed margin, which a busy machine can overrun and a second boundary can eat.
 */
export async function clockReaches(second: number): Promise<void> {
  for (;;) {
    const left = second * 1000 - Date.now();
    if (left <= 0) return;
    await new Promise((resolve) => setTimeout(resolve, Math.min(left, 100)));
  }
}
