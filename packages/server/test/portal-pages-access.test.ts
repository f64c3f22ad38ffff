/**
 * Who reaches the developer portal's pages (app.inject): a signed-out browser is sent to sign in; the
 * anti-CSRF check on every form (a forged, missing, non-ASCII or cross-origin value is a 403 page); and
 * the 404 rule: a stranger gets the same page as for a missing app, for every portal action.
 */
import { describe, expect, it } from 'vitest';
import { csrfOf, InjectBrowser } from './support/browser.js';
import { clientIdOf, createThroughForm, textOf, usePortal } from './support/portal-pages.js';
import { twoLegged } from './support/two-legged.js';

describe('the developer portal pages', () => {
  const f = usePortal();

  it('sends a signed-out browser to sign in, and back', async () => {
    const anonymous = new InjectBrowser(f.s.app);
    for (const path of ['/portal', '/portal/apps/new', '/portal/apps/lk_x', '/portal/apps/lk_x/delete']) {
      const res = await anonymous.get(path);
      expect(res.statusCode, path).toBe(303);
      expect(res.headers['location']).toBe(`/login?${new URLSearchParams({ return_to: path })}`);
    }
  });

  it('refuses a non-ASCII anti-CSRF value of the right length as a wrong one (403 page), never a 500', async () => {
    const res = await f.owner.browser.post('/portal/apps/new', {
      csrf: `${'a'.repeat(42)}\u00e9`,
      name: 'X',
      type: 'service',
    });
    expect(res.statusCode).toBe(403);
  });

  it('refuses a form from a signed-out browser, and any form without its anti-CSRF value', async () => {
    const anonymous = new InjectBrowser(f.s.app);
    const csrf = csrfOf((await anonymous.get('/login')).body);
    const signedOut = await anonymous.post('/portal/apps/new', { csrf, name: 'X', type: 'service' });
    expect(signedOut.statusCode).toBe(403);
    expect(signedOut.body).toContain('signed_out');
    const before = (await f.s.ctx.clients.list()).length;
    const forged = await f.owner.browser.post('/portal/apps/new', {
      csrf: 'forged',
      name: 'Forged',
      type: 'service',
      'scope.data:read': 'on',
    });
    expect(forged.statusCode).toBe(403);
    expect(forged.body).toContain('form_expired');
    const foreign = await f.owner.browser.post(
      '/portal/apps/new',
      { csrf: csrfOf((await f.owner.get('/portal')).body), name: 'Foreign', type: 'service' },
      { origin: 'https://evil.example' },
    );
    expect(foreign.statusCode).toBe(403);
    expect((await f.s.ctx.clients.list()).length).toBe(before);
  });

  it('answers a stranger the same 404 page as a missing app, for every action, and changes nothing', async () => {
    const created = await createThroughForm(f.owner, {
      name: 'Private',
      type: 'web',
      redirect_uris: 'https://private.example/cb',
    });
    const id = clientIdOf(created.body);
    const secret = textOf(created.body, 'client-secret') as string;
    const actions = (app: string) =>
      [
        ['GET', `/portal/apps/${app}`, {}],
        ['POST', `/portal/apps/${app}`, { name: 'Mine', redirect_uris: 'https://evil.example/cb' }],
        ['POST', `/portal/apps/${app}/secrets`, { grace_seconds: '0' }],
        ['POST', `/portal/apps/${app}/collaborators`, { email: 'stranger@example.com' }],
        ['POST', `/portal/apps/${app}/collaborators/${f.owner.id}/remove`, {}],
        ['GET', `/portal/apps/${app}/delete`, {}],
        ['POST', `/portal/apps/${app}/delete`, { confirm_name: 'Private' }],
      ] as const;
    const normalize = (body: string) => body.replace(/nonce="[^"]+"/g, '');
    for (const [method, path, form] of actions(id)) {
      const hidden = method === 'GET' ? await f.stranger.get(path) : await f.stranger.post(path, form);
      const missingPath = path.replace(id, 'lk_nothing');
      const missing =
        method === 'GET' ? await f.stranger.get(missingPath) : await f.stranger.post(missingPath, form);
      expect(hidden.statusCode, path).toBe(404);
      expect(missing.statusCode, missingPath).toBe(404);
      expect(hidden.body).toContain('App not found');
      expect(hidden.body).toContain('href="/portal">Back to My apps</a>');
      expect(normalize(hidden.body)).toBe(normalize(missing.body));
    }
    expect((await f.stranger.get('/portal')).body).not.toContain('Private');
    // Nothing changed: the secret still authenticates (a web app is refused the grant, 400, not the
    // secret, 401), the app is as it was, no one was added.
    expect((await twoLegged(f.s, id, secret)).statusCode).toBe(400);
    expect(await f.s.ctx.clients.find(id)).toMatchObject({
      name: 'Private',
      redirectUris: ['https://private.example/cb'],
    });
    expect((await f.s.ctx.clients.secrets(id)).length).toBe(1);
    expect(await f.s.ctx.appMembers.collaborators(id)).toEqual([]);
  });
});
