/**
 * The fixture of the authorization endpoint's fuzz tests (RFC 6749 §4.1.1): a SQLite server with four
 * apps whose answers differ (consented, two redirect URIs, public with loopback URIs, no code grant),
 * the redirect URIs each client registered, and a signed-in browser of the user who consented.
 */
import { signedInBrowser, type ThreeLeggedApp } from './attacks.js';
import { InjectBrowser, registerThreeLeggedApp } from './browser.js';
import { startTestServer, type TestServer } from './server.js';

/** The server, its apps and the signed-in browser the authorization fuzz tests draw on. */
export interface AuthorizeFuzzFixture {
  s: TestServer;
  /** Consented (a signed-in request gets a code at once). */
  consented: ThreeLeggedApp;
  /** Two redirect URIs, never consented (a signed-in request gets the consent page). */
  twoUris: ThreeLeggedApp;
  /** Public, loopback redirect URIs (any port, RFC 8252 §7.3). */
  loopback: ThreeLeggedApp;
  /** A redirect URI but not the code grant (unauthorized_client). */
  machine: ThreeLeggedApp;
  browser: InjectBrowser;
  /** Every registered redirect URI by client ID. */
  registered: Map<string, string[]>;
}

/** Starts the server, registers the four apps, records the consent and signs the user in. */
export async function startAuthorizeFuzzServer(): Promise<AuthorizeFuzzFixture> {
  const registered = new Map<string, string[]>();
  const s = await startTestServer('sqlite');
  const user = await s.ctx.users.create('ada@example.com', 'correct horse battery');
  const consented = await registerThreeLeggedApp(s, {
    name: 'Consented',
    redirectUris: ['https://app.example/cb'],
  });
  const twoUris = await registerThreeLeggedApp(s, {
    name: 'Two URIs',
    redirectUris: ['https://b.example/cb', 'https://b.example/other'],
  });
  const loopback = await registerThreeLeggedApp(s, {
    name: 'Desktop',
    redirectUris: ['http://127.0.0.1/cb', 'http://[::1]:8080/cb'],
    isPublic: true,
  });
  const machine = await registerThreeLeggedApp(s, {
    name: 'Machine',
    redirectUris: ['https://m.example/cb'],
    grants: ['client_credentials'],
  });
  await s.ctx.consents.save(user.id, consented.client.id, ['data:read', 'data:write']);
  for (const app of [consented, twoUris, loopback, machine])
    registered.set(app.client.id, app.client.redirectUris);
  registered.set(s.credentials.clientId, []);
  const browser = await signedInBrowser(s, new InjectBrowser(s.app), user.id);
  return { s, consented, twoUris, loopback, machine, browser, registered };
}
