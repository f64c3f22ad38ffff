/**
 * The real binary: a start that cannot succeed exits at once, non-zero, with one line on stderr naming
 * the cause, and leaves nothing behind (no process, no demo app whose secret nobody saw).
 */
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli, type FailedStart, freePort, startExpectingExit, startProcess } from './support/process.js';

const dirs: string[] = [];
function tempDir() {
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-startup-'));
  dirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of dirs) {
    chmodSync(dir, 0o700);
    rmSync(dir, { recursive: true, force: true });
  }
});

/** Exited by itself with `code` and exactly one stderr line matching `message`, no stack trace. */
function expectOneLineFailure(run: FailedStart, code: number, message: RegExp) {
  expect(run.code, `still running at the deadline; output:\n${run.stdout}${run.stderr}`).not.toBeNull();
  expect(run.code).toBe(code);
  const lines = run.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^latchkey: /);
  expect(lines[0]).toMatch(message);
  expect(run.stderr).not.toMatch(/\n\s+at /);
}

/** The apps in a SQLite database, through the CLI. */
function appsIn(databaseUrl: string): unknown[] {
  const list = cli(['apps', 'list', '--json'], { LATCHKEY_DATABASE_URL: databaseUrl });
  expect(list.code).toBe(0);
  return JSON.parse(list.stdout);
}

describe('a start that cannot succeed exits with one line naming the cause', () => {
  it('bad configuration: exit 2 naming the variable', async () => {
    const run = await startExpectingExit({
      LATCHKEY_DATA_DIR: tempDir(),
      LATCHKEY_ACCESS_TOKEN_TTL: 'forever',
    });
    expectOneLineFailure(run, 2, /LATCHKEY_ACCESS_TOKEN_TTL/);
  });

  it('LATCHKEY_SCOPES of only spaces: exit 2 naming it', async () => {
    const run = await startExpectingExit({ LATCHKEY_DATA_DIR: tempDir(), LATCHKEY_SCOPES: '   ' });
    expectOneLineFailure(run, 2, /LATCHKEY_SCOPES must name at least one scope/);
  });

  it.each([
    [{ LATCHKEY_SESSION_TTL: '0' }, /^latchkey: LATCHKEY_SESSION_TTL must be at least 1 second/],
    [{ LATCHKEY_ACCESS_TOKEN_TTL: '300000000000' }, /LATCHKEY_ACCESS_TOKEN_TTL is too long/],
    [{ LATCHKEY_LOGIN_FAILURE_WINDOW: '0s' }, /LATCHKEY_LOGIN_FAILURE_WINDOW must be at least 1 second/],
    [{ LATCHKEY_AUDIENCE: 'my-api' }, /LATCHKEY_AUDIENCE must be an absolute URI/],
    [{ LATCHKEY_REQUEST_TIMEOUT: '0' }, /LATCHKEY_REQUEST_TIMEOUT must be at least 1 second/],
  ])(
    'configuration accepted before but meaningless (%j): exit 2 naming the variable',
    async (env, message) => {
      const run = await startExpectingExit({ LATCHKEY_DATA_DIR: tempDir(), ...env });
      expectOneLineFailure(run, 2, message);
    },
  );

  it('LATCHKEY_DATABASE_URL of another engine: exit 2 naming it, no file named after the URL, no password', async () => {
    const cwd = tempDir();
    const url = 'mysql://root:hunter2@db.example/latchkey';
    const run = await startExpectingExit(
      { LATCHKEY_DATA_DIR: join(cwd, 'data'), LATCHKEY_DATABASE_URL: url },
      10_000,
      cwd,
    );
    expectOneLineFailure(
      run,
      2,
      /LATCHKEY_DATABASE_URL must be a postgres:\/\/ or postgresql:\/\/ URL.*not a mysql: URL/,
    );
    expect(run.stderr).not.toContain('hunter2');
    expect(readdirSync(cwd)).toEqual([]);
    // Every command reads the configuration first: `latchkey migrate` refuses it too.
    const migrate = cli(
      ['migrate'],
      { LATCHKEY_DATA_DIR: join(cwd, 'data'), LATCHKEY_DATABASE_URL: url },
      cwd,
    );
    expect(migrate.code).toBe(2);
    expect(migrate.stderr.trim().split('\n')).toHaveLength(1);
    expect(migrate.stderr).toMatch(/^latchkey: LATCHKEY_DATABASE_URL /);
    expect(readdirSync(cwd)).toEqual([]);
  });

  it('PostgreSQL not reachable (a closed loopback port): names the database, never its password', async () => {
    const port = await freePort();
    const run = await startExpectingExit({
      LATCHKEY_DATA_DIR: tempDir(),
      LATCHKEY_DATABASE_URL: `postgres://latchkey:hunter2@127.0.0.1:${port}/latchkey`,
      LATCHKEY_KEY_ENCRYPTION_KEY: 'a'.repeat(64),
    });
    expectOneLineFailure(
      run,
      1,
      new RegExp(
        `cannot open the database postgres://latchkey@127\\.0\\.0\\.1:${port}/latchkey: .*ECONNREFUSED`,
      ),
    );
    expect(run.stdout + run.stderr).not.toContain('hunter2');
  });

  it('SQLite file that cannot be created (its folder would be inside a regular file, even for root)', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'file'), '');
    const run = await startExpectingExit({
      LATCHKEY_DATA_DIR: dir,
      LATCHKEY_DATABASE_URL: join(dir, 'file', 'latchkey.db'),
    });
    expectOneLineFailure(run, 1, /cannot open the database .*file\/latchkey\.db/);
  });

  it('port in use: exits, and the first start leaves no demo app behind, so the next start is a first start', async () => {
    const dir = tempDir();
    const holder: Server = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const port = (holder.address() as { port: number }).port;
    try {
      const run = await startExpectingExit({ LATCHKEY_DATA_DIR: dir, PORT: String(port) });
      expectOneLineFailure(
        run,
        1,
        new RegExp(`cannot listen on 127\\.0\\.0\\.1:${port}: the port is in use`),
      );
    } finally {
      await new Promise((resolve) => holder.close(resolve));
    }
    expect(appsIn(join(dir, 'latchkey.db'))).toEqual([]);
    expect(existsSync(join(dir, 'demo-app.json'))).toBe(false);
  });

  it('HOST that is not an address of this machine', async () => {
    // 192.0.2.0/24 is TEST-NET-1 (RFC 5737): never assigned to a host.
    const run = await startExpectingExit({ LATCHKEY_DATA_DIR: tempDir(), HOST: '192.0.2.1' });
    expectOneLineFailure(run, 1, /HOST 192\.0\.2\.1 is not an address of this machine/);
  });

  it('HOST that does not resolve', async () => {
    // .invalid never resolves (RFC 6761 §6.4).
    const run = await startExpectingExit({ LATCHKEY_DATA_DIR: tempDir(), HOST: 'latchkey.invalid' });
    expectOneLineFailure(run, 1, /HOST latchkey\.invalid does not resolve/);
  });

  it('the data folder is a file: exits before creating the demo app', async () => {
    const dir = tempDir();
    const file = join(dir, 'data');
    writeFileSync(file, '');
    const databaseUrl = join(dir, 'latchkey.db');
    const run = await startExpectingExit({ LATCHKEY_DATA_DIR: file, LATCHKEY_DATABASE_URL: databaseUrl });
    expectOneLineFailure(run, 1, new RegExp(`LATCHKEY_DATA_DIR ${file} is a file, not a folder`));
    expect(appsIn(databaseUrl)).toEqual([]);
  });

  it('the data folder is a file, with the default database in it', async () => {
    const file = join(tempDir(), 'data');
    writeFileSync(file, '');
    const run = await startExpectingExit({ LATCHKEY_DATA_DIR: file });
    expectOneLineFailure(run, 1, new RegExp(`LATCHKEY_DATA_DIR ${file} is a file, not a folder`));
  });

  it('the data folder is not writable: exits before creating the demo app', async () => {
    const dir = tempDir();
    const databaseUrl = join(dir, 'latchkey.db');
    // Root writes to any folder whatever its mode; nobody writes to /proc/self.
    let data = '/proc/self';
    if (process.getuid?.() !== 0) {
      data = join(dir, 'read-only');
      mkdirSync(data, { mode: 0o500 });
    }
    const run = await startExpectingExit({ LATCHKEY_DATA_DIR: data, LATCHKEY_DATABASE_URL: databaseUrl });
    expectOneLineFailure(run, 1, /LATCHKEY_DATA_DIR .* is not writable/);
    expect(appsIn(databaseUrl)).toEqual([]);
  });

  it('demo-app.json cannot be written after all: the app just registered is deleted again', async () => {
    const dir = tempDir();
    // A folder where the file goes: the data folder itself is fine, the last rename is not.
    mkdirSync(join(dir, 'demo-app.json', 'in-the-way'), { recursive: true });
    const run = await startExpectingExit({ LATCHKEY_DATA_DIR: dir });
    expectOneLineFailure(run, 1, /cannot save the demo app to .*demo-app\.json/);
    expect(appsIn(join(dir, 'latchkey.db'))).toEqual([]);
  });
});

describe('a data folder that does not exist yet (database elsewhere)', () => {
  it('is created with mode 0700; the demo app is saved there and the message names that path', async () => {
    const dir = tempDir();
    const data = join(dir, 'not', 'yet');
    const server = await startProcess({
      LATCHKEY_DATA_DIR: data,
      LATCHKEY_DATABASE_URL: join(dir, 'latchkey.db'),
    });
    try {
      expect(statSync(data).mode & 0o777).toBe(0o700);
      const file = join(data, 'demo-app.json');
      const demo = JSON.parse(readFileSync(file, 'utf8'));
      expect(statSync(file).mode & 0o777).toBe(0o600);
      // The test runs at the repository root, outside the temporary folder: the path is absolute.
      expect(server.output()).toContain(`also saved to ${file}, mode 0600`);
      expect(server.output()).toContain(demo.client_secret);
    } finally {
      await server.stop();
    }
  });
});

describe('the listening line', () => {
  it('names the issuer as where to reach the server, with the bound address as a field', async () => {
    // An issuer other than the bound address, as behind a proxy or with the default localhost issuer.
    const issuer = 'http://localhost:4999';
    const server = await startProcess({ LATCHKEY_DATA_DIR: tempDir(), LATCHKEY_ISSUER: issuer });
    try {
      const lines = server
        .output()
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as Record<string, unknown>);
      const listening = lines.filter((line) => /listening/i.test(String(line['msg'])));
      expect(listening).toEqual([
        expect.objectContaining({
          msg: `Latchkey listening at ${issuer}`,
          issuer,
          address: server.url,
        }),
      ]);
    } finally {
      await server.stop();
    }
  });
});
