// The demo's registrations (scripts/demo.js), through the `latchkey` CLI: the demo user, the web app and the
// viewer's app (reused from the data folder while they still exist and fit), and the viewer's seed projects.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { OAuthClient } from '@latchkey/client';
import { latchkey } from './processes.js';

/** The user the demo signs in as. */
export const DEMO_USER = {
  email: 'demo@latchkey.example',
  password: 'latchkey-demo-password',
  name: 'Dana Demo',
};
/** The projects the viewer's app starts with. */
export const SEED_PROJECTS = ['Harbor Bridge retrofit', 'North Campus library', 'Riverside transit hub'];

function parseJson(result, what) {
  if (result.code !== 0) throw new Error(`${what} failed (exit ${result.code}): ${result.stderr.trim()}`);
  return JSON.parse(result.stdout);
}

/** Creates the demo user: `created`, or `exists` from an earlier run. */
export async function ensureUser(env) {
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
export async function ensureApps(env, dataDir, webAppRedirect) {
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
export async function seedViewerProjects(issuer, apiUrl, app) {
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
