#!/usr/bin/env node
// `npm run demo`: the Latchkey server, the Projects API, the Blueprint web app, the token proxy and the viewer,
// each a child process on a loopback port; prints the URLs and the demo user; Ctrl-C stops every child by PID.
// The children are managed in scripts/demo/processes.js, the user and apps registered in
// scripts/demo/registration.js.
//
// Environment: DEMO_BASE_PORT (4000: server, +1 API, +2 web app, +3 proxy, +4 viewer), DEMO_DATA_DIR
// (.latchkey/demo), DEMO_EPHEMERAL=1 (free ports, a temporary data directory removed on exit, and one
// `DEMO_READY {json}` line on stdout for tests and scripts).
import { mkdirSync, mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import {
  children,
  HOST,
  isStopping,
  LATCHKEY,
  ROOT,
  removeOnExit,
  shutdown,
  start,
  waitReady,
} from './demo/processes.js';
import { DEMO_USER, ensureApps, ensureUser, SEED_PROJECTS, seedViewerProjects } from './demo/registration.js';

const EPHEMERAL = ['1', 'true'].includes(process.env.DEMO_EPHEMERAL ?? '');

// ---------------------------------------------------------------- ports

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
    removeOnExit(dataDir);
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
  if (isStopping()) return;
  process.stderr.write(`demo: ${error instanceof Error ? error.message : String(error)}\n`);
  void shutdown(1);
});
