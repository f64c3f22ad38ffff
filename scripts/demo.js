#!/usr/bin/env node
// `npm run demo`: the Latchkey server, the Projects API, the Blueprint web app, the token proxy and the viewer,
// each a child process on a loopback port; prints the URLs and the demo user; Ctrl-C stops every child by PID.
//
// Environment: DEMO_BASE_PORT (4000: server, +1 API, +2 web app, +3 proxy, +4 viewer), DEMO_DATA_DIR
// (.latchkey/demo), DEMO_EPHEMERAL=1 (free ports, a temporary data directory removed on exit, and one
// `DEMO_READY {json}` line on stdout for tests and scripts).
import { execFile, spawn } from 'node:child_process';
import {
  createWriteStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { OAuthClient } from '@latchkey/client';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const LATCHKEY = join(ROOT, 'packages/server/bin/latchkey.js');
const HOST = '127.0.0.1';
const EPHEMERAL = ['1', 'true'].includes(process.env.DEMO_EPHEMERAL ?? '');
const DEMO_USER = { email: 'demo@latchkey.example', password: 'latchkey-demo-password', name: 'Dana Demo' };
const READY_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 8_000;
const SEED_PROJECTS = ['Harbor Bridge retrofit', 'North Campus library', 'Riverside transit hub'];

/** Every process this script started: `{ name, child, tail, exited }`. */
const children = [];
let stopping = false;

// ---------------------------------------------------------------- ports, folders, environment

/** Free loopback ports; the probes stay open until all are picked so no port is handed out twice. */
async function freePorts(count) {
  const probes = [];
  for (let i = 0; i < count; i++) {
    const probe = createServer();
    await new Promise((resolve, reject) => {
      probe.once('error', reject);
      probe.listen(0, HOST, resolve);
    });
    probes.push(probe);
  }
  const ports = probes.map((p) => p.address().port);
  await Promise.all(probes.map((p) => new Promise((resolve) => p.close(resolve))));
  return ports;
}

function checkPortFree(port) {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', () =>
      reject(new Error(`port ${port} on ${HOST} is in use; stop what uses it or set DEMO_BASE_PORT`)),
    );
    probe.listen(port, HOST, () => probe.close(resolve));
  });
}

async function choosePorts() {
  if (EPHEMERAL) return freePorts(5);
  const base = Number(process.env.DEMO_BASE_PORT || 4000);
  if (!Number.isInteger(base) || base < 1024 || base > 65530) {
    throw new Error(`DEMO_BASE_PORT must be a port from 1024 to 65530, got "${process.env.DEMO_BASE_PORT}"`);
  }
  const ports = [base, base + 1, base + 2, base + 3, base + 4];
  for (const port of ports) await checkPortFree(port);
  return ports;
}

/** Children get a clean environment: nothing of the caller's LATCHKEY_*, PORT, CLIENT_* leaks in. */
function baseEnv() {
  const keep = ['PATH', 'HOME', 'TMPDIR', 'TMP', 'TEMP', 'LANG', 'LC_ALL', 'TZ', 'SYSTEMROOT'];
  return Object.fromEntries(keep.filter((k) => process.env[k] !== undefined).map((k) => [k, process.env[k]]));
}

// ---------------------------------------------------------------- child processes

function start(name, args, env, logDir) {
  // detached: each child leads its own process group, so only this script signals it (once, by PID).
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...baseEnv(), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const log = createWriteStream(join(logDir, `${name}.log`));
  const entry = { name, child, tail: [], exited: false, log };
  const keep = (chunk) => {
    log.write(chunk);
    entry.tail.push(...String(chunk).split('\n').filter(Boolean));
    if (entry.tail.length > 30) entry.tail.splice(0, entry.tail.length - 30);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  entry.exit = new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      entry.exited = true;
      log.end();
      resolve(code ?? signal);
      if (!stopping) {
        process.stderr.write(`\ndemo: ${name} exited unexpectedly (${code ?? signal})\n`);
        for (const line of entry.tail) process.stderr.write(`  ${name} | ${line}\n`);
        void shutdown(1);
      }
    });
  });
  children.push(entry);
  return entry;
}

/** Polls `url` until `accept(status)`, the child exits, or the time is up. */
async function waitReady(entry, url, { method = 'GET', accept = (s) => s === 200 } = {}) {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (entry.exited) throw new Error(`${entry.name} exited before it was ready`);
    try {
      const response = await fetch(url, { method, signal: AbortSignal.timeout(2000) });
      await response.body?.cancel();
      if (accept(response.status)) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${entry.name} was not ready at ${url} within ${READY_TIMEOUT_MS / 1000} s`);
}

/** Runs one `latchkey` CLI command (tracked like the other children until it ends). */
function latchkey(args, env) {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [LATCHKEY, ...args],
      { cwd: ROOT, env: { ...baseEnv(), ...env }, timeout: 30_000 },
      (error, stdout, stderr) => {
        const index = children.indexOf(entry);
        if (index !== -1) children.splice(index, 1);
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
      },
    );
    const entry = { name: `latchkey ${args[0]}`, child, tail: [], exited: false, cli: true };
    entry.exit = new Promise((r) => child.once('exit', (code) => r(code)));
    child.once('exit', () => {
      entry.exited = true;
    });
    children.push(entry);
  });
}

async function stopChild(entry) {
  if (entry.exited) return;
  try {
    process.kill(entry.child.pid, 'SIGTERM');
  } catch {
    // already gone
  }
  const timer = new Promise((r) => setTimeout(() => r('timeout'), STOP_TIMEOUT_MS));
  if ((await Promise.race([entry.exit, timer])) === 'timeout' && !entry.exited) {
    process.stderr.write(`demo: ${entry.name} (pid ${entry.child.pid}) did not stop; killing it\n`);
    try {
      process.kill(entry.child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
    await entry.exit;
  }
}

let dataDirToRemove;

async function shutdown(code) {
  if (stopping) return;
  stopping = true;
  const running = children.filter((c) => !c.exited);
  if (running.length > 0) process.stderr.write(`\ndemo: stopping ${running.map((c) => c.name).join(', ')}\n`);
  await Promise.all(running.map(stopChild));
  if (dataDirToRemove) rmSync(dataDirToRemove, { recursive: true, force: true });
  if (children.length > 0) process.stderr.write(`demo: all ${children.length} processes stopped\n`);
  process.exit(code);
}

// A second Ctrl-C does not wait: every child still running is killed at once.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    if (!stopping) return void shutdown(0);
    for (const c of children) if (!c.exited) c.child.kill('SIGKILL');
  });
}
// Last resort when this process ends some other way: no child outlives it.
process.on('exit', () => {
  for (const c of children) if (!c.exited) c.child.kill('SIGKILL');
});

// ---------------------------------------------------------------- registration

function parseJson(result, what) {
  if (result.code !== 0) throw new Error(`${what} failed (exit ${result.code}): ${result.stderr.trim()}`);
  return JSON.parse(result.stdout);
}

async function ensureUser(env) {
  const result = await latchkey(
    [
      ...['users', 'create', '--email', DEMO_USER.email, '--password', DEMO_USER.password],
      ...['--name', DEMO_USER.name, '--json'],
    ],
    env,
  );
  if (result.code === 0) return 'created';
  if (/exists/.test(result.stderr)) return 'exists';
  throw new Error(`latchkey users create failed (exit ${result.code}): ${result.stderr.trim()}`);
}

/** Registers the two apps, or reuses the ones saved in the data folder when they still exist and fit. */
async function ensureApps(env, dataDir, webAppRedirect) {
  const file = join(dataDir, 'demo-apps.json');
  const saved = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
  const stillThere = async (app, redirectUri) => {
    if (!app?.client_id || !app.client_secret) return false;
    const shown = await latchkey(['apps', 'show', app.client_id, '--json'], env);
    if (shown.code !== 0) return false;
    if (redirectUri === undefined) return true;
    // A web app saved by an earlier demo, before it signed users in with OpenID Connect, is replaced.
    const registered = JSON.parse(shown.stdout);
    return registered.redirect_uris.includes(redirectUri) && registered.scope.split(' ').includes('openid');
  };
  const apps = {};
  apps.webApp = (await stillThere(saved.webApp, webAppRedirect))
    ? saved.webApp
    : parseJson(
        await latchkey(
          [
            ...['apps', 'create', '--name', 'Blueprint'],
            // OpenID Connect sign-in (the user's name in the ID token, a refresh token with offline_access)
            // and the Projects API; sign-out through end_session_endpoint returns to the home page.
            ...['--scope', 'openid profile offline_access data:read data:write'],
            ...['--post-logout-redirect-uri', new URL('/', webAppRedirect).href],
            ...[
              '--redirect-uri',
              webAppRedirect,
              '--grant',
              'authorization_code',
              '--grant',
              'refresh_token',
            ],
            '--json',
          ],
          env,
        ),
        'latchkey apps create (web app)',
      );
  // The viewer's app: two-legged only. The proxy hands browsers data:read; data:write is used here to seed.
  apps.viewer = (await stillThere(saved.viewer))
    ? saved.viewer
    : parseJson(
        await latchkey(
          [
            ...['apps', 'create', '--name', 'Projects Viewer', '--scope', 'data:read data:write'],
            ...['--grant', 'client_credentials', '--json'],
          ],
          env,
        ),
        'latchkey apps create (viewer)',
      );
  writeFileSync(file, `${JSON.stringify(apps, null, 2)}\n`, { mode: 0o600 });
  return apps;
}

/** Gives the viewer's app a few projects of its own, with its own two-legged data:write token. */
async function seedViewerProjects(issuer, apiUrl, app) {
  const client = await OAuthClient.discover(issuer, {
    clientId: app.client_id,
    clientSecret: app.client_secret,
  });
  const { accessToken } = await client.clientCredentials({ scope: 'data:write' });
  for (const name of SEED_PROJECTS) {
    const response = await fetch(`${apiUrl}/api/projects`, {
      method: 'POST',
      headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name }),
    });
    if (response.status !== 201) throw new Error(`seeding projects: the API answered ${response.status}`);
  }
}

// ---------------------------------------------------------------- main

async function main() {
  const [serverPort, apiPort, webPort, proxyPort, viewerPort] = await choosePorts();
  const url = (port) => `http://${HOST}:${port}`;
  const issuer = url(serverPort);
  const apiUrl = url(apiPort);
  const webAppUrl = url(webPort);
  const proxyUrl = url(proxyPort);
  const viewerUrl = url(viewerPort);

  let dataDir;
  if (EPHEMERAL) {
    dataDir = mkdtempSync(join(tmpdir(), 'latchkey-demo-'));
    dataDirToRemove = dataDir;
  } else {
    dataDir = process.env.DEMO_DATA_DIR || join(ROOT, '.latchkey', 'demo');
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  }
  const logDir = join(dataDir, 'logs');
  mkdirSync(logDir, { recursive: true });

  const serverEnv = {
    PORT: String(serverPort),
    HOST,
    LATCHKEY_ISSUER: issuer,
    // Access tokens are issued for the Projects API: their `aud` is its URL, which it checks.
    LATCHKEY_AUDIENCE: apiUrl,
    LATCHKEY_DATA_DIR: dataDir,
    LATCHKEY_DEMO_APP: 'false',
    LATCHKEY_SHUTDOWN_GRACE: '3',
  };
  const server = start('latchkey', [LATCHKEY, 'start'], serverEnv, logDir);
  await waitReady(server, `${issuer}/readyz`);

  const user = await ensureUser(serverEnv);
  const apps = await ensureApps(serverEnv, dataDir, `${webAppUrl}/callback`);

  const api = start(
    'projects-api',
    ['examples/projects-api/server.js'],
    { PORT: String(apiPort), HOST, API_URL: apiUrl, LATCHKEY_ISSUER: issuer, ALLOWED_ORIGINS: viewerUrl },
    logDir,
  );
  const web = start(
    'web-app',
    ['examples/web-app/server.js'],
    {
      PORT: String(webPort),
      HOST,
      APP_URL: webAppUrl,
      LATCHKEY_ISSUER: issuer,
      API_URL: apiUrl,
      CLIENT_ID: apps.webApp.client_id,
      CLIENT_SECRET: apps.webApp.client_secret,
    },
    logDir,
  );
  const proxy = start(
    'proxy',
    [LATCHKEY, 'proxy'],
    {
      PORT: String(proxyPort),
      HOST,
      LATCHKEY_ISSUER: issuer,
      CLIENT_ID: apps.viewer.client_id,
      CLIENT_SECRET: apps.viewer.client_secret,
      ALLOWED_SCOPES: 'data:read',
      DEFAULT_SCOPE: 'data:read',
      ALLOWED_ORIGINS: viewerUrl,
    },
    logDir,
  );
  const viewer = start(
    'viewer',
    ['examples/viewer/server.js'],
    { PORT: String(viewerPort), HOST, PROXY_URL: proxyUrl, API_URL: apiUrl },
    logDir,
  );
  await Promise.all([
    waitReady(api, `${apiUrl}/healthz`),
    waitReady(web, `${webAppUrl}/healthz`),
    waitReady(proxy, `${proxyUrl}/token`, { method: 'OPTIONS', accept: (s) => s === 204 }),
    waitReady(viewer, `${viewerUrl}/healthz`),
  ]);
  await seedViewerProjects(issuer, apiUrl, apps.viewer);

  const shown = (path) => (path.startsWith(ROOT) ? relative(ROOT, path) || '.' : path);
  const rows = [
    ['Latchkey server', issuer, 'sign-in, consent, /account/apps'],
    ['Projects API', `${apiUrl}/api/projects`, 'data:read to list, data:write to create'],
    ['Web app', webAppUrl, 'open this: Sign in with Latchkey'],
    ['Token proxy', `${proxyUrl}/token?scope=data:read`, 'two-legged tokens for the viewer'],
    ['Viewer', viewerUrl, "browser page: the viewer app's projects"],
  ];
  const out = [
    '',
    'Latchkey demo is running. Ctrl-C stops every process.',
    '',
    ...rows.map(([name, link, note]) => `  ${name.padEnd(17)} ${link.padEnd(46)} ${note}`),
    '',
    `  Demo user         ${DEMO_USER.email}`,
    `  Password          ${DEMO_USER.password}${user === 'exists' ? '   (existing user)' : ''}`,
    '',
    `  Data and logs     ${shown(dataDir)}${EPHEMERAL ? ' (temporary, removed on exit)' : ''}`,
    '',
  ];
  // With DEMO_EPHEMERAL the table goes to stderr and stdout carries only the DEMO_READY line.
  (EPHEMERAL ? process.stderr : process.stdout).write(`${out.join('\n')}\n`);
  if (EPHEMERAL) {
    const ready = {
      issuer,
      api: apiUrl,
      webApp: webAppUrl,
      proxy: proxyUrl,
      tokenUrl: `${proxyUrl}/token?scope=data:read`,
      viewer: viewerUrl,
      email: DEMO_USER.email,
      password: DEMO_USER.password,
      dataDir,
      pids: Object.fromEntries(children.filter((c) => !c.cli).map((c) => [c.name, c.child.pid])),
      seededProjects: SEED_PROJECTS,
    };
    process.stdout.write(`DEMO_READY ${JSON.stringify(ready)}\n`);
  }
}

main().catch((error) => {
  if (stopping) return;
  process.stderr.write(`demo: ${error instanceof Error ? error.message : String(error)}\n`);
  void shutdown(1);
});
