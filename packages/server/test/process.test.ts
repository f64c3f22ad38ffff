/** The real binary: first start, CLI, key rotation, SIGTERM drain, two servers on one PostgreSQL database. */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { POSTGRES_CLIENT_CACHE_MAX_AGE_MS } from '../src/storage/client-cache.js';
import { cli, fetchToken, type ServerProcess, startProcess } from './support/process.js';
import { clockReaches, dialects, freshDatabase, kekEnv } from './support/server.js';

/**
 * A token request sent with `Expect: 100-continue` and its body held back: `accepted` resolves when
 * the server has read its headers (it answered 100 Continue), so the request is in flight for certain;
 * the caller then writes the body to `req`. `status` is the final answer's status.
 */
function heldTokenRequest(url: string, credentials: string) {
  const req = request(`${url}/oauth/token`, {
    method: 'POST',
    agent: false,
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'content-length': 'grant_type=client_credentials'.length,
      expect: '100-continue',
      authorization: `Basic ${Buffer.from(credentials).toString('base64')}`,
    },
  });
  const accepted = new Promise<void>((resolve) => req.once('continue', () => resolve()));
  const status = new Promise<number>((resolve, reject) => {
    req.on('response', (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
  });
  req.flushHeaders();
  return { req, accepted, status };
}

/** How long to poll for something a running server does on its own (a log line, a key reload). */
const WAIT = { timeout: 15_000, interval: 50 };

const dirs: string[] = [];
function tempDir() {
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-proc-'));
  dirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('first start (the README walkthrough)', () => {
  let dir: string;
  let server: ServerProcess;
  beforeAll(async () => {
    dir = tempDir();
    server = await startProcess({ LATCHKEY_DATA_DIR: dir });
  });
  afterAll(() => server?.stop());

  it('creates a demo app, prints its credentials once and saves them with mode 0600', async () => {
    const demo = JSON.parse(readFileSync(join(dir, 'demo-app.json'), 'utf8'));
    expect(demo.client_id).toMatch(/^lk_/);
    expect(demo.client_secret).toMatch(/^[\w-]{43}$/);
    expect(demo.scope).toBe('data:read data:write');
    expect(statSync(join(dir, 'demo-app.json')).mode & 0o777).toBe(0o600);
    expect(server.output()).toContain(demo.client_secret);
    const { status, body, headers } = await fetchToken(
      server.url,
      demo.client_id,
      demo.client_secret,
      'data:read',
    );
    expect(status).toBe(200);
    expect(headers.get('cache-control')).toBe('no-store');
    expect(body.scope).toBe('data:read');
    // Logs carry the request but never the token or the Authorization header. The line is written
    // after the answer is sent: wait until it has arrived.
    await vi.waitFor(() => expect(server.output()).toContain('"path":"/oauth/token"'), WAIT);
    const logs = server.output().replace(demo.client_secret, '');
    expect(logs).toContain('"path":"/oauth/token"');
    expect(logs).not.toContain(body.access_token as string);
    expect(logs).not.toContain(demo.client_secret);
  });

  it('a second start on the same database creates no second demo app', async () => {
    await server.stop();
    const again = await startProcess({ LATCHKEY_DATA_DIR: dir });
    try {
      expect(again.output()).not.toContain('First start');
      const list = cli(['apps', 'list', '--json'], { LATCHKEY_DATA_DIR: dir });
      expect(JSON.parse(list.stdout)).toHaveLength(1);
    } finally {
      await again.stop();
    }
  });

  it('serves health and readiness', async () => {
    const s = await startProcess({ LATCHKEY_DATA_DIR: dir });
    try {
      expect((await fetch(`${s.url}/healthz`)).status).toBe(200);
      expect(await (await fetch(`${s.url}/readyz`)).json()).toEqual({ status: 'ready' });
    } finally {
      await s.stop();
    }
  });
});

describe('CLI', () => {
  const env = () => ({ LATCHKEY_DATA_DIR: dirs[dirs.length - 1] as string });
  beforeAll(() => {
    tempDir();
  });

  it('apps create --json prints one JSON object with client_id and client_secret', () => {
    const r = cli(['apps', 'create', '--name', 'Reports', '--scope', 'data:read', '--json'], env());
    expect(r.code).toBe(0);
    const app = JSON.parse(r.stdout);
    expect(app).toMatchObject({
      name: 'Reports',
      scope: 'data:read',
      public: false,
      grant_types: ['client_credentials'],
    });
    expect(app.client_secret).toMatch(/^[\w-]{43}$/);
    const shown = JSON.parse(cli(['apps', 'show', app.client_id, '--json'], env()).stdout);
    expect(shown.client_id).toBe(app.client_id);
    expect(JSON.stringify(shown)).not.toContain(app.client_secret);
  });

  it('a public app gets no secret', () => {
    const r = cli(
      [
        'apps',
        'create',
        '--name',
        'SPA',
        '--scope',
        'data:read',
        '--public',
        '--redirect-uri',
        'https://spa.example/cb',
        '--json',
      ],
      env(),
    );
    expect(r.code).toBe(0);
    const app = JSON.parse(r.stdout);
    expect(app.public).toBe(true);
    expect(app.client_secret).toBeUndefined();
    expect(app.grant_types).toEqual(['authorization_code', 'refresh_token']);
  });

  it.each([
    [['apps', 'create', '--scope', 'data:read'], /missing --name/],
    [['apps', 'create', '--name', 'X', '--scope', 'nope:scope'], /unknown scope "nope:scope"/],
    [
      ['apps', 'create', '--name', 'X', '--scope', 'data:read', '--bogus'],
      /^latchkey: unknown option --bogus for "apps create"; see latchkey help$/m,
    ],
    [['apps', 'create', '--scope', 'data:read', '--name'], /option --name needs a value for "apps create"/],
    [['apps', 'list', '--json=yes'], /option --json takes no value for "apps list"/],
    [['keys', 'rotate', '--now'], /unknown option --now for "keys rotate"/],
    [
      ['apps', 'create', '--name', 'X', '--scope', 'data:read', '--redirect-uri', 'http://evil.example/cb'],
      /http:\/\/evil\.example\/cb/,
    ],
    [
      ['apps', 'create', '--name', 'X', '--scope', 'data:read', '--redirect-uri', 'https://a.example/*'],
      /wildcard/,
    ],
    [
      ['apps', 'create', '--name', 'X', '--scope', 'data:read', '--redirect-uri', 'https://a.example/cb#x'],
      /fragment/,
    ],
    [
      ['apps', 'create', '--name', 'X', '--scope', 'data:read', '--redirect-uri', 'javascript:alert(1)'],
      /javascript:/,
    ],
    [
      ['apps', 'create', '--name', 'X', '--scope', 'data:read', '--public', '--grant', 'client_credentials'],
      /public/,
    ],
    [['apps', 'show'], /missing argument <client_id>/],
    [['apps', 'rotate-secret', 'lk_x', '--grace', 'soon'], /--grace/],
    [['apps', 'frobnicate'], /unknown apps command/],
    [['launch'], /unknown command "launch"/],
  ])('bad arguments %j: exit 2 and one line naming it, no stack', (args, message) => {
    const r = cli(args, env());
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('apps alone prints the apps usage (exit 2); apps --help prints it too (exit 0)', () => {
    const alone = cli(['apps'], env());
    expect(alone.code).toBe(2);
    expect(alone.stderr).toBe('');
    expect(alone.stdout).toMatch(/^usage: latchkey apps <command>/);
    for (const command of ['apps create', 'apps list', 'apps show', 'apps rotate-secret', 'apps delete'])
      expect(alone.stdout).toContain(command);
    const help = cli(['apps', '--help'], env());
    expect(help.code).toBe(0);
    expect(help.stdout).toBe(alone.stdout);
  });

  it('apps list lines its columns up, whatever the length of IDs, types and names', () => {
    const dir = tempDir();
    const own = { LATCHKEY_DATA_DIR: dir, LATCHKEY_DEMO_APP: 'false' };
    const create = (...args: string[]) =>
      expect(cli(['apps', 'create', '--scope', 'data:read', ...args], own).code).toBe(0);
    create('--name', 'A');
    create('--name', 'A much longer name', '--resource-server');
    create('--name', 'Pub', '--public', '--redirect-uri', 'https://spa.example/cb');
    const list = cli(['apps', 'list'], own);
    expect(list.code).toBe(0);
    const lines = list.stdout.trim().split('\n');
    expect(lines).toHaveLength(3);
    const apps = JSON.parse(cli(['apps', 'list', '--json'], own).stdout) as { name: string }[];
    // Each column starts at the same offset on every line.
    for (const column of [(i: number) => (apps[i] as { name: string }).name, () => '[data:read]']) {
      const starts = lines.map((line, i) => line.indexOf(`  ${column(i)}`));
      expect(
        starts.every((start) => start > 0 && start === starts[0]),
        list.stdout,
      ).toBe(true);
    }
    const types = lines.map((line) => line.search(/ (confidential|public) /));
    expect(new Set(types).size).toBe(1);
    const api = lines.find((line) => line.includes('A much longer name'));
    expect(api).toMatch(/\[data:read\] {2}\(resource server\)$/);
  });

  it('rotate-secret says when it cuts short the grace an earlier rotation gave an older secret', () => {
    const app = JSON.parse(
      cli(['apps', 'create', '--name', 'Twice', '--scope', 'data:read', '--json'], env()).stdout,
    );
    const first = JSON.parse(
      cli(['apps', 'rotate-secret', app.client_id, '--grace', '24h', '--json'], env()).stdout,
    );
    expect(first.grace_cut_short).toEqual([]);
    const firstEnd = first.previous_secret_valid_until as string;
    expect(Date.parse(firstEnd) - Date.now()).toBeGreaterThan(23 * 3600 * 1000);
    // A longer grace cuts nothing short: both older secrets keep their own end.
    const longer = JSON.parse(
      cli(['apps', 'rotate-secret', app.client_id, '--grace', '48h', '--json'], env()).stdout,
    );
    expect(longer.grace_cut_short).toEqual([]);
    // A shorter one ends every older grace at its own end, and says which ends it cut.
    const shorter = cli(['apps', 'rotate-secret', app.client_id, '--grace', '1h'], env());
    expect(shorter.code).toBe(0);
    const lines = shorter.stdout.trim().split('\n');
    expect(lines[1]).toMatch(/^The previous secret keeps working for 3600 s, until \S+Z\.$/);
    const until = /until (\S+Z)\.$/.exec(lines[1] as string)?.[1];
    expect(lines[2]).toBe(
      `2 older secrets, whose grace from earlier rotations ran until ${firstEnd}, ${longer.previous_secret_valid_until}, now stop at ${until}: their grace is cut short.`,
    );
    // No grace: every older secret stops now, and the output names the ends it had.
    const none = JSON.parse(cli(['apps', 'rotate-secret', app.client_id, '--json'], env()).stdout);
    expect(none.previous_secret_valid_until).toBeNull();
    expect(none.grace_cut_short).toHaveLength(3);
  });

  it('a bad environment value: exit 2 naming the variable', () => {
    const r = cli(['apps', 'list'], { ...env(), LATCHKEY_ACCESS_TOKEN_TTL: 'forever' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/LATCHKEY_ACCESS_TOKEN_TTL/);
  });
});

describe.each(dialects())('running server with the CLI on %s', (dialect) => {
  let env: Record<string, string>;
  let server: ServerProcess;
  beforeAll(async () => {
    const dir = tempDir();
    env = {
      LATCHKEY_DATA_DIR: dir,
      LATCHKEY_DATABASE_URL: await freshDatabase(dialect, dir),
      LATCHKEY_KEY_RELOAD_INTERVAL: '1',
      LATCHKEY_DEMO_APP: 'false',
      ...kekEnv(dialect),
    };
    server = await startProcess(env);
  });
  afterAll(() => server?.stop());

  /**
   * Resolves once `secret` is refused (401): at once on SQLite (the cache sees the CLI's commit), within
   * a cached registration's age on PostgreSQL (storage/client-cache.ts), never later.
   */
  async function refused(clientId: string, secret: string): Promise<void> {
    const started = Date.now();
    const status = async () => (await fetchToken(server.url, clientId, secret)).status;
    if (dialect === 'sqlite') {
      expect(await status()).toBe(401);
      return;
    }
    await vi.waitFor(async () => expect(await status()).toBe(401), {
      timeout: POSTGRES_CLIENT_CACHE_MAX_AGE_MS + 3_000,
      interval: 50,
    });
    // The request that saw it started within the age (plus its own time).
    expect(Date.now() - started).toBeLessThan(POSTGRES_CLIENT_CACHE_MAX_AGE_MS + 1_000);
  }

  it('rotate-secret --grace keeps the old secret working, then it stops; without grace it stops at once (PostgreSQL: within 2 s)', async () => {
    const app = JSON.parse(
      cli(['apps', 'create', '--name', 'Rot', '--scope', 'data:read', '--json'], env).stdout,
    );
    const first = JSON.parse(
      cli(['apps', 'rotate-secret', app.client_id, '--grace', '2s', '--json'], env).stdout,
    );
    // The CLI read the clock before it returned: the old secret expires by this second + 2.
    const expiresBy = Math.floor(Date.now() / 1000) + 2;
    expect((await fetchToken(server.url, app.client_id, app.client_secret)).status).toBe(200);
    expect((await fetchToken(server.url, app.client_id, first.client_secret)).status).toBe(200);
    await clockReaches(expiresBy);
    expect((await fetchToken(server.url, app.client_id, app.client_secret)).status).toBe(401);
    const second = JSON.parse(cli(['apps', 'rotate-secret', app.client_id, '--json'], env).stdout);
    await refused(app.client_id, first.client_secret);
    expect((await fetchToken(server.url, app.client_id, second.client_secret)).status).toBe(200);
  });

  it('apps delete: its secret stops working at once (PostgreSQL: within 2 s)', async () => {
    const app = JSON.parse(
      cli(['apps', 'create', '--name', 'Del', '--scope', 'data:read', '--json'], env).stdout,
    );
    expect((await fetchToken(server.url, app.client_id, app.client_secret)).status).toBe(200);
    expect(cli(['apps', 'delete', app.client_id], env).code).toBe(0);
    await refused(app.client_id, app.client_secret);
  });

  it('keys rotate: the next key was published before it signs; the retired key stays published', async () => {
    const app = JSON.parse(
      cli(['apps', 'create', '--name', 'Keys', '--scope', 'data:read', '--json'], env).stdout,
    );
    const before = await (await fetch(`${server.url}/.well-known/jwks.json`)).json();
    // An active and a next key for each of the three algorithms.
    expect(before.keys).toHaveLength(6);
    for (const key of before.keys) expect(key.d).toBeUndefined();
    const oldToken = (await fetchToken(server.url, app.client_id, app.client_secret)).body
      .access_token as string;
    const { kid: oldKid, alg } = decodeProtectedHeader(oldToken);
    const nextKid = before.keys
      .filter((k: { alg: string }) => k.alg === alg)
      .map((k: { kid: string }) => k.kid)
      .find((kid: string) => kid !== oldKid);

    const rotated = cli(['keys', 'rotate'], env);
    expect(rotated.code).toBe(0);
    // The server picks the rotation up at its next reload (LATCHKEY_KEY_RELOAD_INTERVAL=1): until
    // then it signs with the old key, from then on with the one it had published.
    let newToken = '';
    const signedWith: unknown[] = [];
    await vi.waitFor(async () => {
      newToken = (await fetchToken(server.url, app.client_id, app.client_secret)).body.access_token as string;
      signedWith.push(decodeProtectedHeader(newToken).kid);
      expect(signedWith.at(-1)).not.toBe(oldKid);
    }, WAIT);
    expect(decodeProtectedHeader(newToken).kid).toBe(nextKid);
    expect(signedWith.slice(0, -1).every((kid) => kid === oldKid)).toBe(true);
    const after = await (await fetch(`${server.url}/.well-known/jwks.json`)).json();
    const kids = after.keys.map((k: { kid: string }) => k.kid);
    expect(kids).toContain(oldKid);
    expect(kids).toContain(nextKid);
    expect(kids).toHaveLength(9);
    const jwks = createRemoteJWKSet(new URL(`${server.url}/.well-known/jwks.json`));
    await expect(jwtVerify(oldToken, jwks)).resolves.toBeTruthy();
    await expect(jwtVerify(newToken, jwks)).resolves.toBeTruthy();
  });

  it('SIGTERM under load: in-flight requests finish, then the process exits 0', async () => {
    const app = JSON.parse(
      cli(['apps', 'create', '--name', 'Drain', '--scope', 'data:read', '--json'], env).stdout,
    );
    const s = await startProcess(env);
    const credentials = `${app.client_id}:${app.client_secret}`;
    const body = 'grant_type=client_credentials';
    const inFlight = Array.from({ length: 40 }, () => heldTokenRequest(s.url, credentials));
    for (const r of inFlight) void r.accepted.then(() => r.req.end(body));
    // A request whose body is still arriving when the signal lands must also complete.
    const slow = heldTokenRequest(s.url, credentials);
    void slow.accepted.then(() => slow.req.write(body.slice(0, 5)));
    // Every request was accepted and its headers read (a connection still in the kernel's backlog when
    // the listener closes is refused, which is not an in-flight request).
    await Promise.all([...inFlight, slow].map((r) => r.accepted));
    const code = s.stop('SIGTERM');
    // The rest of the slow body goes out only once the server has begun draining.
    await vi.waitFor(() => expect(s.output()).toContain('draining in-flight requests'), WAIT);
    slow.req.end(body.slice(5));
    const statuses = await Promise.all(inFlight.map((r) => r.status));
    expect(statuses.every((st) => st === 200)).toBe(true);
    expect(await slow.status).toBe(200);
    expect(await code).toBe(0);
  });
});
