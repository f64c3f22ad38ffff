/**
 * The demo end to end: `node scripts/demo.js` (ephemeral ports, temporary data) starts every process;
 * headless Chromium signs in to the web app through Latchkey, allows, creates a project, then opens the
 * viewer, which lists its app's projects through the token proxy; SIGTERM stops every child.
 * Screenshots land in test-artifacts/screenshots/demo-*.png.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, requireChromium } from '../packages/server/test/support/chromium.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SCREENSHOTS = join(ROOT, 'test-artifacts', 'screenshots');

/** The `DEMO_READY` line of scripts/demo.js. */
interface DemoReady {
  issuer: string;
  api: string;
  webApp: string;
  proxy: string;
  tokenUrl: string;
  viewer: string;
  email: string;
  password: string;
  dataDir: string;
  pids: Record<string, number>;
  seededProjects: string[];
}

interface RunningDemo {
  child: ChildProcess;
  ready: DemoReady;
  exit: Promise<number | null>;
  output(): string;
}

function startDemo(): Promise<RunningDemo> {
  const child = spawn(process.execPath, [join(ROOT, 'scripts/demo.js')], {
    cwd: ROOT,
    env: { ...process.env, DEMO_EPHEMERAL: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let stdout = '';
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGTERM');
      reject(new Error(`the demo was not ready within 50 s:\n${output}`));
    }, 50_000);
    child.stderr?.on('data', (d) => {
      output += d;
    });
    child.stdout?.on('data', (d) => {
      output += d;
      stdout += d;
      const line = stdout.split('\n').find((l) => l.startsWith('DEMO_READY '));
      if (line === undefined) return;
      clearTimeout(timer);
      resolve({ child, ready: JSON.parse(line.slice('DEMO_READY '.length)), exit, output: () => output });
    });
    void exit.then((code) => {
      clearTimeout(timer);
      reject(new Error(`the demo exited (${code}) before it was ready:\n${output}`));
    });
  });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const hasChromium = requireChromium('demo end-to-end');

describe('npm run demo', () => {
  let demo: RunningDemo;
  let browser: Browser | undefined;
  let context: BrowserContext | undefined;

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    demo = await startDemo();
    if (hasChromium) {
      browser = await launchChromium();
      context = await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: 'light' });
    }
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    if (demo && demo.child.exitCode === null && demo.child.signalCode === null) {
      demo.child.kill('SIGTERM');
      await demo.exit;
    }
    for (const pid of Object.values(demo?.ready.pids ?? {})) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
  });

  it('starts five processes and the API and proxy answer as documented', async () => {
    const { ready } = demo;
    expect(Object.keys(ready.pids).sort()).toEqual([
      'latchkey',
      'projects-api',
      'proxy',
      'viewer',
      'web-app',
    ]);
    for (const pid of Object.values(ready.pids)) expect(isAlive(pid)).toBe(true);

    const bare = await fetch(`${ready.api}/api/projects`);
    expect(bare.status).toBe(401);
    expect(bare.headers.get('www-authenticate')).toContain(
      `resource_metadata="${ready.api}/.well-known/oauth-protected-resource"`,
    );
    const metadata = await (await fetch(`${ready.api}/.well-known/oauth-protected-resource`)).json();
    expect(metadata).toMatchObject({ resource: ready.api, authorization_servers: [ready.issuer] });

    // The proxy hands the viewer's origin data:read only, and nothing to other origins.
    const write = await fetch(`${ready.proxy}/token?scope=data:write`, { headers: { origin: ready.viewer } });
    expect(write.status).toBe(400);
    const stranger = await fetch(ready.tokenUrl, { headers: { origin: 'http://127.0.0.1:1' } });
    expect(stranger.status).toBe(403);
    const token = await fetch(ready.tokenUrl, { headers: { origin: ready.viewer } });
    expect(token.status).toBe(200);
    expect(token.headers.get('access-control-allow-origin')).toBe(ready.viewer);
    const { access_token } = (await token.json()) as { access_token: string };
    // A data:read token cannot create projects.
    const denied = await fetch(`${ready.api}/api/projects`, {
      method: 'POST',
      headers: { authorization: `Bearer ${access_token}`, 'content-type': 'application/json' },
      body: '{"name":"nope"}',
    });
    expect(denied.status).toBe(403);
    expect(denied.headers.get('www-authenticate')).toContain('insufficient_scope');
  });

  it.runIf(hasChromium)(
    'web app: Sign in with Latchkey (OpenID Connect), allow, greeted by name, create a project, sign out of both',
    async () => {
      const { ready } = demo;
      const page = await context!.newPage();
      await page.goto(ready.webApp);
      const signIn = page.getByRole('button', { name: 'Sign in with Latchkey' });
      await signIn.waitFor();
      await page.screenshot({ path: join(SCREENSHOTS, 'demo-web-app-home.png'), fullPage: true });

      await Promise.all([page.waitForURL(`${ready.issuer}/**`), signIn.click()]);
      await page.getByLabel('Email').waitFor();
      expect(await page.content()).toContain('Blueprint');
      await page.screenshot({ path: join(SCREENSHOTS, 'demo-sign-in.png'), fullPage: true });
      await page.getByLabel('Email').fill(ready.email);
      await page.getByLabel('Password').fill(ready.password);
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();

      const allow = page.getByRole('button', { name: 'Allow' });
      await allow.waitFor();
      expect(await page.content()).toContain('data:read');
      // offline_access (OIDC Core §11) is asked for, and said plainly on the consent page.
      expect(await page.content()).toContain('offline_access');
      await page.screenshot({ path: join(SCREENSHOTS, 'demo-consent.png'), fullPage: true });
      await Promise.all([page.waitForURL(`${ready.webApp}/`), allow.click()]);

      // The name comes from the ID token the web app validated (profile scope).
      await page.getByRole('heading', { name: 'Dana Demo’s projects' }).waitFor();
      expect(await page.getByRole('status').textContent()).toContain('Welcome, Dana Demo');
      expect(await page.getByText('No projects yet').isVisible()).toBe(true);

      await page.getByLabel('Project name').fill('Apollo launch site');
      await Promise.all([
        page.waitForURL(`${ready.webApp}/`),
        page.getByRole('button', { name: 'Create project' }).click(),
      ]);
      const projects = page.getByRole('list', { name: 'Projects' });
      await projects.getByText('Apollo launch site').waitFor();
      expect(await projects.getByRole('listitem').count()).toBe(1);
      expect(await page.getByRole('status').textContent()).toContain('Created “Apollo launch site”');
      // The user sees only their own projects, not the viewer app's.
      expect(await page.content()).not.toContain(ready.seededProjects[0]);
      await page.screenshot({ path: join(SCREENSHOTS, 'demo-web-app-projects.png'), fullPage: true });

      // The session cookie is HttpOnly: no token or session id is reachable from page scripts.
      expect(await page.evaluate(() => document.cookie)).not.toContain('blueprint_session');

      // Sign out revokes the grant, ends the web app's session and, through Latchkey's
      // end_session_endpoint with the ID token as hint, Latchkey's own: back to the Sign in button.
      const visited: string[] = [];
      page.on('framenavigated', (frame) => {
        if (frame === page.mainFrame()) visited.push(frame.url());
      });
      await Promise.all([
        page.waitForURL(`${ready.webApp}/`),
        page.getByRole('button', { name: 'Sign out' }).click(),
      ]);
      await page.getByRole('button', { name: 'Sign in with Latchkey' }).waitFor();
      // The ID token was a valid hint: Latchkey asked nothing (no confirmation page was shown).
      expect(visited.filter((url) => url.startsWith(ready.issuer))).toEqual([]);
      // Latchkey's session has ended: signing in again asks for the password.
      await Promise.all([
        page.waitForURL(`${ready.issuer}/**`),
        page.getByRole('button', { name: 'Sign in with Latchkey' }).click(),
      ]);
      await page.getByLabel('Password').waitFor();
      await page.close();
    },
    60_000,
  );

  it.runIf(hasChromium)(
    "viewer: lists its app's projects with a token from the proxy",
    async () => {
      const { ready } = demo;
      const page = await context!.newPage();
      const errors: string[] = [];
      page.on('console', (message) => {
        if (message.type() === 'error') errors.push(message.text());
      });
      await page.goto(ready.viewer);
      const projects = page.getByRole('list', { name: 'Projects' });
      await projects.getByText(ready.seededProjects[0] as string).waitFor();
      expect(await projects.getByRole('listitem').count()).toBe(ready.seededProjects.length);
      expect(await page.locator('#token-detail').textContent()).toMatch(/^data:read · expires in \d+ min$/);
      expect(await page.locator('#api-detail').textContent()).toContain('3 projects');
      expect(await page.content()).not.toContain('Apollo launch site');
      expect(errors).toEqual([]);
      await page.screenshot({ path: join(SCREENSHOTS, 'demo-viewer.png'), fullPage: true });
      await page.close();
    },
    60_000,
  );

  it.runIf(hasChromium)(
    'web app: a new user signs up on the way, then Deny brings them back signed out',
    async () => {
      // The demo user's consent is remembered since the first test, so a new account sees the consent page.
      const { ready } = demo;
      const fresh = await browser!.newContext({
        viewport: { width: 1280, height: 800 },
        colorScheme: 'light',
      });
      const page = await fresh.newPage();
      await page.goto(ready.webApp);
      await Promise.all([
        page.waitForURL(`${ready.issuer}/**`),
        page.getByRole('button', { name: 'Sign in with Latchkey' }).click(),
      ]);
      await Promise.all([
        page.waitForURL(`${ready.issuer}/signup**`),
        page.getByRole('link', { name: 'Create one' }).click(),
      ]);
      await page.getByLabel('Name').fill('Grace Hopper');
      await page.getByLabel('Email').fill(`new-${Date.now()}@example.com`);
      await page.getByLabel('Password').fill('another long password');
      await page.screenshot({ path: join(SCREENSHOTS, 'demo-sign-up.png'), fullPage: true });
      await page.getByRole('button', { name: 'Create account' }).click();
      const deny = page.getByRole('button', { name: 'Deny' });
      await deny.waitFor();
      await Promise.all([page.waitForURL(`${ready.webApp}/`), deny.click()]);
      expect(await page.getByRole('alert').textContent()).toContain('You did not allow Blueprint');
      await page.getByRole('button', { name: 'Sign in with Latchkey' }).waitFor();
      await page.screenshot({ path: join(SCREENSHOTS, 'demo-web-app-denied.png'), fullPage: true });
      await fresh.close();
    },
    60_000,
  );

  it('SIGTERM stops every child it started', async () => {
    await context?.close();
    await browser?.close();
    context = undefined;
    browser = undefined;
    demo.child.kill('SIGTERM');
    expect(await demo.exit).toBe(0);
    for (const [name, pid] of Object.entries(demo.ready.pids))
      expect({ name, alive: isAlive(pid) }).toEqual({ name, alive: false });
    expect(demo.output()).toContain('all 5 processes stopped');
  }, 30_000);
});
