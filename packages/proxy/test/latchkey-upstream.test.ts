/** The proxy against the real Latchkey server (child process on loopback), and the env runner. */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { providers } from '@latchkey/client';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { cli, type ServerProcess, startProcess } from '../../server/test/support/process.js';
import { type RunningProxy, runProxyFromEnv } from '../src/cli.js';
import { createTokenProxy, type TokenProxy } from '../src/index.js';
import { captureLogger, get, listen, type TestServer } from './support.js';

const BIN = fileURLToPath(new URL('../bin/latchkey-proxy.js', import.meta.url));
const ORIGIN = 'https://viewer.example';

function claims(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString('utf8'));
}

describe('against a real Latchkey server', () => {
  let dir: string;
  let server: ServerProcess;
  let app: { client_id: string; client_secret: string };
  let proxy: TokenProxy;
  let host: TestServer;
  const logger = captureLogger();

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'latchkey-proxy-'));
    const env = { LATCHKEY_DATA_DIR: dir, LATCHKEY_DEMO_APP: 'false' };
    server = await startProcess(env);
    const created = cli(
      ['apps', 'create', '--name', 'Viewer', '--scope', 'data:read data:write', '--json'],
      env,
    );
    if (created.code !== 0) throw new Error(created.stderr);
    app = JSON.parse(created.stdout);
    proxy = createTokenProxy({
      ...providers.latchkey(server.url),
      clientId: app.client_id,
      clientSecret: app.client_secret,
      allowedScopes: ['data:read', 'data:write'],
      defaultScope: 'data:read',
      allowedOrigins: [ORIGIN],
      authorize: (req) => req.headers.cookie === 'session=ok',
      logger,
    });
    host = await listen(proxy.handler);
  });
  afterAll(async () => {
    await host?.close();
    await server?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  const session = { cookie: 'session=ok', origin: ORIGIN };

  it('hands out a Latchkey JWT for the scope asked; expires_in counts down on the cached token', async () => {
    // The test moves the proxy's clock (Date only) instead of sleeping, so the countdown is exact.
    vi.useFakeTimers({ toFake: ['Date'] });
    const first = await get(`${host.url}/token?scope=data:read`, session);
    expect(first.status).toBe(200);
    expect(first.headers.get('cache-control')).toBe('no-store');
    const body = first.json();
    expect(Object.keys(body).sort()).toEqual(['access_token', 'expires_in', 'token_type']);
    expect(body.token_type).toBe('Bearer');
    expect(Number.isInteger(body.expires_in)).toBe(true);
    expect(body.expires_in).toBeGreaterThan(3500);
    const jwt = claims(body.access_token);
    expect(jwt).toMatchObject({ iss: server.url, client_id: app.client_id, scope: 'data:read' });
    vi.setSystemTime(Date.now() + 1100);
    const second = (await get(`${host.url}/token?scope=data:read`, session)).json();
    expect(second.access_token).toBe(body.access_token);
    // 1.1 s later; expires_in is in whole seconds rounded down, so it is one or two less.
    expect([body.expires_in - 1, body.expires_in - 2]).toContain(second.expires_in);
  });

  it('the default scope and a normalised scope set reuse cached tokens', async () => {
    const dflt = (await get(`${host.url}/token`, session)).json();
    const read = (await get(`${host.url}/token?scope=data:read`, session)).json();
    expect(dflt.access_token).toBe(read.access_token);
    const both = (await get(`${host.url}/token?scope=data:write+data:read`, session)).json();
    const again = (await get(`${host.url}/token?scope=data:read%20data:write%20data:write`, session)).json();
    expect(both.access_token).toBe(again.access_token);
    expect(claims(both.access_token).scope).toBe('data:read data:write');
  });

  it('scopes outside allowedScopes → 400 and no upstream token', async () => {
    const answer = await get(`${host.url}/token?scope=data:read+admin`, session);
    expect(answer.status).toBe(400);
    expect(answer.json().error).toBe('invalid_scope');
    expect(answer.text).not.toContain('eyJ');
  });

  it('CORS allow-list: allowed origin gets ACAO, others 403 without CORS headers', async () => {
    const ok = await get(`${host.url}/token`, session);
    expect(ok.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect(ok.headers.get('vary')).toBe('Origin');
    const evil = await get(`${host.url}/token`, { cookie: 'session=ok', origin: 'https://evil.example' });
    expect(evil.status).toBe(403);
    expect(evil.headers.get('access-control-allow-origin')).toBeNull();
    expect(evil.text).not.toContain('eyJ');
  });

  it('authorize hook: no session → 401, no token', async () => {
    const answer = await get(`${host.url}/token`, { origin: ORIGIN });
    expect(answer.status).toBe(401);
    expect(answer.json().error).toBe('unauthorized');
    expect(answer.text).not.toContain('eyJ');
  });

  it('a wrong secret at Latchkey (invalid_client) → 502 generic, logged without the secret', async () => {
    const bad = createTokenProxy({
      issuer: server.url,
      clientId: app.client_id,
      clientSecret: 'not-the-secret-value-123',
      allowedScopes: 'data:read',
      defaultScope: 'data:read',
      logger,
    });
    const badHost = await listen(bad.handler);
    try {
      const answer = await get(`${badHost.url}/token`);
      expect(answer.status).toBe(502);
      expect(answer.json().error).toBe('upstream_unavailable');
      expect(answer.text).not.toContain('invalid_client');
      expect(logger.lines.join()).toContain('invalid_client');
      expect(logger.lines.join()).not.toContain('not-the-secret-value-123');
    } finally {
      await badHost.close();
    }
  });

  it('runProxyFromEnv serves the proxy on 127.0.0.1 from CLIENT_ID / CLIENT_SECRET / LATCHKEY_ISSUER', async () => {
    let running: RunningProxy | undefined;
    try {
      running = await runProxyFromEnv({
        CLIENT_ID: app.client_id,
        CLIENT_SECRET: app.client_secret,
        LATCHKEY_ISSUER: server.url,
        ALLOWED_SCOPES: 'data:read,data:write',
        DEFAULT_SCOPE: 'data:read',
        ALLOWED_ORIGINS: ORIGIN,
        PORT: '0',
      });
      expect(running.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const answer = await get(`${running.tokenUrl}?scope=data:write`, { origin: ORIGIN });
      expect(answer.status).toBe(200);
      expect(claims(answer.json().access_token).scope).toBe('data:write');
    } finally {
      await running?.close();
    }
  });

  it('the latchkey-proxy bin starts, answers, and stops on SIGTERM', async () => {
    const child = spawn(process.execPath, [BIN], {
      env: {
        PATH: process.env['PATH'],
        CLIENT_ID: app.client_id,
        CLIENT_SECRET: app.client_secret,
        TOKEN_ENDPOINT: `${server.url}/oauth/token`,
        ALLOWED_SCOPES: 'data:read',
        PORT: '0',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d) => {
      output += d;
    });
    child.stderr.on('data', (d) => {
      output += d;
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    try {
      const deadline = Date.now() + 10_000;
      while (!/listening on (\S+)/.test(output) && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 20));
      const url = /listening on (\S+)/.exec(output)?.[1];
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/token$/);
      const answer = await get(`${url}?scope=data:read`);
      expect(answer.status).toBe(200);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    expect(output).not.toContain(app.client_secret);
  });
});

describe('runProxyFromEnv configuration errors name the variable', () => {
  const good = {
    CLIENT_ID: 'id',
    CLIENT_SECRET: 'secret',
    LATCHKEY_ISSUER: 'http://127.0.0.1:1',
    ALLOWED_SCOPES: 'data:read',
    PORT: '0',
  };
  it.each([
    [{ CLIENT_ID: '' }, /^CLIENT_ID is required/],
    [{ CLIENT_SECRET: undefined }, /^CLIENT_SECRET is required/],
    [{ LATCHKEY_ISSUER: undefined }, /^LATCHKEY_ISSUER or TOKEN_ENDPOINT/],
    [{ LATCHKEY_ISSUER: 'not a url' }, /^LATCHKEY_ISSUER must be an http\(s\) URL/],
    [{ TOKEN_ENDPOINT: 'ftp://x' }, /^TOKEN_ENDPOINT must be/],
    [{ ALLOWED_SCOPES: ' ' }, /^ALLOWED_SCOPES is required/],
    [{ DEFAULT_SCOPE: 'data:write' }, /^DEFAULT_SCOPE has "data:write"/],
    [{ ALLOWED_ORIGINS: 'https://a.example/path' }, /^ALLOWED_ORIGINS has an invalid origin/],
    [{ PORT: 'eighty' }, /^PORT must be an integer/],
    [{ PORT: '70000' }, /^PORT must be an integer/],
    [{ PROVIDER: 'nope' }, /^PROVIDER must be one of/],
  ])('%o', async (override, message) => {
    await expect(runProxyFromEnv({ ...good, ...override })).rejects.toThrow(message);
  });

  it('the bin exits 1 with the message on stderr', async () => {
    const child = spawn(process.execPath, [BIN], {
      env: { PATH: process.env['PATH'], CLIENT_ID: 'x' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(1);
    expect(stderr).toBe('latchkey-proxy: CLIENT_SECRET is required\n');
  });

  it('PROVIDER=autodesk needs no endpoint', async () => {
    const running = await runProxyFromEnv({ ...good, LATCHKEY_ISSUER: undefined, PROVIDER: 'autodesk' });
    await running.close();
  });
});
