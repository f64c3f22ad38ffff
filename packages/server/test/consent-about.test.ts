/** The consent page shows what the developer portal knows about the app, and that nobody verified it. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/manage/app-actions.js';
import { signedInBrowser } from './support/attacks.js';
import { InjectBrowser, pkce, registerThreeLeggedApp } from './support/browser.js';
import { startTestServer, type TestServer } from './support/server.js';

describe('the consent page tells the user about the app', () => {
  let s: TestServer;
  let browser: InjectBrowser;
  beforeAll(async () => {
    s = await startTestServer('sqlite');
    const user = await s.ctx.users.create('ada@example.com', 'correct horse battery');
    browser = await signedInBrowser(s, new InjectBrowser(s.app), user.id);
  });
  afterAll(async () => {
    await s?.close();
  });

  const consentFor = (clientId: string, redirectUri: string) =>
    browser.get(
      `/oauth/authorize?${new URLSearchParams({
        response_type: 'code',
        client_id: clientId,
        redirect_uri: redirectUri,
        scope: 'data:read',
        state: 's',
        code_challenge: pkce().challenge,
        code_challenge_method: 'S256',
      })}`,
    );

  it("shows a portal app's description, its developer and its homepage host, marked not verified", async () => {
    const developer = await s.ctx.users.create('dev@photos.example', 'a long password');
    const { app } = await createApp(
      s.ctx,
      { user: developer, via: 'session' },
      {
        name: 'Photo Printer',
        type: 'web',
        scope: 'data:read',
        redirectUris: ['https://photos.example/cb'],
        description: 'Prints the photos of your projects',
        homepageUrl: 'https://www.photos.example/about',
      },
    );
    const res = await consentFor(app.id, 'https://photos.example/cb');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('<p class="about-description">Prints the photos of your projects</p>');
    expect(res.body).toContain('<dt>Developer</dt><dd>dev@photos.example</dd>');
    expect(res.body).toContain(
      '<strong>www.photos.example</strong> <span class="unverified">not verified</span>',
    );
  });

  it('says plainly when an app has no homepage and was registered by the operator', async () => {
    const app = await registerThreeLeggedApp(s, { scope: 'data:read' });
    const res = await consentFor(app.client.id, app.redirectUri);
    expect(res.body).toContain('<dd>None given: this app has no verified homepage</dd>');
    expect(res.body).toContain('<dd>Registered by the operator of this service</dd>');
  });
});
