/** The first start's demo app: registered only once its credentials can be saved, undone if the start fails. */
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, relative, sep } from 'node:path';
import type { ServerContext } from '../context.js';
import { TOKEN_PATH } from '../endpoints/token.js';
import { MANAGE_SCOPE } from '../manage/caller.js';
import { registerApp } from '../oauth/app-registration.js';
import { withoutOidcScopes } from '../oidc/scopes.js';
import { SYSTEM_ACTOR } from '../storage/audit.js';
import { prepareDataDir } from './data-dir.js';
import { reason, StartupError } from './startup-error.js';

/** The demo app's redirect URI: loopback, so any port works. */
export const DEMO_REDIRECT_URI = 'http://127.0.0.1/callback';

/** What the first start writes to `<dataDir>/demo-app.json`. */
export interface DemoApp {
  client_id: string;
  client_secret: string;
  scope: string;
  token_endpoint: string;
  redirect_uri: string;
}

/** A demo app just created. */
export interface CreatedDemoApp {
  demo: DemoApp;
  /** Where its credentials were saved (absolute). */
  file: string;
  /** Deletes the app and the file: a start that fails after this leaves the next start a first start. */
  undo(): Promise<void>;
}

/** Writes `text` readable by this user only (0600), replacing any older file whatever its mode. */
function writePrivate(file: string, text: string): void {
  const partial = `${file}.tmp`;
  rmSync(partial, { force: true });
  writeFileSync(partial, text, { mode: 0o600, flag: 'wx' });
  try {
    renameSync(partial, file);
  } catch (error) {
    rmSync(partial, { force: true });
    throw error;
  }
}

/**
 * On first start with an empty database: registers a demo app and saves its credentials (mode 0600)
 * where the README's walkthrough reads them. The data folder is checked first, and an app whose
 * credentials could not be saved is deleted again: its secret exists nowhere else, and the next start,
 * seeing a non-empty database, would not create another.
 */
export async function createDemoApp(ctx: ServerContext): Promise<CreatedDemoApp | undefined> {
  if (!ctx.config.demoApp || (await ctx.clients.count()) > 0) return undefined;
  prepareDataDir(ctx.config.dataDir);
  // The API's scopes: managing the user's apps is for the developer's own tools, asked for explicitly.
  const apiScopes = ctx.config.scopes.filter((scope) => scope !== MANAGE_SCOPE);
  const { client, clientSecret } = await registerApp(ctx.clients, ctx.config.scopes, {
    name: 'Demo app',
    scope: (apiScopes.length > 0 ? apiScopes : ctx.config.scopes).join(' '),
    grants: ['client_credentials', 'authorization_code', 'refresh_token'],
    // A loopback redirect (any port, RFC 8252 §7.3) so local apps can try the three-legged flow.
    redirectUris: [DEMO_REDIRECT_URI],
  });
  const demo: DemoApp = {
    client_id: client.id,
    client_secret: clientSecret as string,
    // The API's scopes, what a token request without `scope` gets; the app may also ask for the
    // OpenID Connect ones (openid profile email offline_access) by name.
    scope: withoutOidcScopes(client.scopes).join(' '),
    token_endpoint: `${ctx.config.issuer}${TOKEN_PATH}`,
    redirect_uri: DEMO_REDIRECT_URI,
  };
  const file = join(ctx.config.dataDir, 'demo-app.json');
  try {
    writePrivate(file, `${JSON.stringify(demo, null, 2)}\n`);
  } catch (error) {
    await ctx.clients.delete(client.id).catch(() => {});
    throw new StartupError(`cannot save the demo app to ${file}: ${reason(error)}`, { cause: error });
  }
  const about = { actor: SYSTEM_ACTOR, clientId: client.id, details: { name: client.name, demo: true } };
  await ctx.audit.record({ ...about, type: 'app.created' });
  const undo = async () => {
    await ctx.clients.delete(client.id);
    rmSync(file, { force: true });
    await ctx.audit.record({ ...about, type: 'app.deleted' });
  };
  return { demo, file, undo };
}

/** `file` as the user should type it: relative to the working folder when inside it, else absolute. */
export function displayPath(file: string, cwd = process.cwd()): string {
  const inside = relative(cwd, file);
  return inside === '..' || inside.startsWith(`..${sep}`) || isAbsolute(inside) ? file : inside;
}
