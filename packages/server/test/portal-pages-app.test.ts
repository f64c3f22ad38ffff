/**
 * An app's page in the developer portal (app.inject) and its forms: Settings (saved by the owner,
 * refusals beside their fields), Rotate secret with a grace period, Collaborators (added and removed
 * by the owner; what a collaborator may and may not change), a stored homepage a link may not carry,
 * and Delete app behind its confirmation page.
 */
import { describe, expect, it } from 'vitest';
import {
  clientIdOf,
  createThroughForm,
  expectPortalPage,
  fieldErrorOf,
  markedInvalid,
  textOf,
  usePortal,
} from './support/portal-pages.js';
import { twoLegged } from './support/two-legged.js';

describe('the developer portal pages', () => {
  const f = usePortal();

  it('saves the Settings of the owner, and shows refusals beside their fields', async () => {
    const created = await createThroughForm(f.owner, {
      name: 'Editable',
      type: 'web',
      redirect_uris: 'https://edit.example/cb',
    });
    const id = clientIdOf(created.body);
    const page = await f.owner.get(`/portal/apps/${id}`);
    expectPortalPage(page, true);
    expect(page.body).toMatch(/<h1>Editable <span class="badge">Owner<\/span><\/h1>/);
    expect(page.body).toContain('value="Editable"');
    const saved = await f.owner.post(`/portal/apps/${id}`, {
      name: 'Edited',
      description: 'Now with a description',
      homepage_url: 'https://edit.example/',
      redirect_uris: 'https://edit.example/cb\nhttps://edit.example/cb2',
      'scope.data:read': 'on',
      'scope.manage': 'on',
    });
    expect(saved.statusCode).toBe(303);
    expect(saved.headers['location']).toBe(`/portal/apps/${id}?saved=1`);
    expect(await f.s.ctx.clients.find(id)).toMatchObject({
      name: 'Edited',
      description: 'Now with a description',
      homepageUrl: 'https://edit.example/',
      redirectUris: ['https://edit.example/cb', 'https://edit.example/cb2'],
      scopes: ['data:read', 'manage'],
    });
    const after = await f.owner.get(`/portal/apps/${id}?saved=1`);
    expect(after.body).toContain('Changes saved.');
    expect(textOf(after.body, 'description')?.trim()).toBe('Now with a description');

    const refused = await f.owner.post(`/portal/apps/${id}`, {
      name: 'Not saved',
      homepage_url: 'ftp://edit.example/',
      redirect_uris: 'https://edit.example/cb',
      'scope.data:read': 'on',
    });
    expect(refused.statusCode).toBe(400);
    expect(fieldErrorOf(refused.body, 'homepage-url')).toMatch(/https/);
    expect(markedInvalid(refused.body, 'homepage-url')).toBe(true);
    expect(refused.body).toContain('value="Not saved"');
    expect(refused.body).toContain('value="ftp://edit.example/"');
    expect((await f.s.ctx.clients.find(id))?.name).toBe('Edited');
    // Clearing the description and homepage removes them.
    await f.owner.post(`/portal/apps/${id}`, {
      name: 'Edited',
      redirect_uris: 'https://edit.example/cb',
      'scope.data:read': 'on',
    });
    const cleared = await f.s.ctx.clients.find(id);
    expect(cleared?.description).toBeUndefined();
    expect(cleared?.homepageUrl).toBeUndefined();
  });

  it('rotates with a grace period: the new secret once, the old one working until the time shown', async () => {
    const created = await createThroughForm(f.owner, { name: 'Rotating' });
    const id = clientIdOf(created.body);
    const first = textOf(created.body, 'client-secret') as string;
    const rotated = await f.owner.post(`/portal/apps/${id}/secrets`, { grace_seconds: '3600' });
    expect(rotated.statusCode, rotated.body).toBe(200);
    expectPortalPage(rotated, true);
    const second = textOf(rotated.body, 'client-secret') as string;
    expect(second).toMatch(/^[\w-]{43}$/);
    expect(second).not.toBe(first);
    expect(rotated.body).toContain('keeps working for 1 hour');
    const until = /<time datetime="([^"]+)">/.exec(
      rotated.body.slice(rotated.body.indexOf('keeps working')),
    )?.[1];
    expect(Date.parse(until as string) - Date.now()).toBeGreaterThan(3590_000);
    expect((await twoLegged(f.s, id, first)).statusCode).toBe(200);
    expect((await twoLegged(f.s, id, second)).statusCode).toBe(200);
    const page = await f.owner.get(`/portal/apps/${id}`);
    expect(page.body).not.toContain(second);
    expect(page.body).toContain('Current secret');
    expect(page.body).toContain('Previous secret');
    expect(page.body.match(/<option value="(\d+)"/g)).toEqual([
      '<option value="0"',
      '<option value="3600"',
      '<option value="86400"',
      '<option value="604800"',
    ]);
    const none = await f.owner.post(`/portal/apps/${id}/secrets`, { grace_seconds: '0' });
    expect(none.body).toContain('stopped working at once');
    const third = textOf(none.body, 'client-secret') as string;
    expect((await twoLegged(f.s, id, first)).statusCode).toBe(401);
    expect((await twoLegged(f.s, id, second)).statusCode).toBe(401);
    expect((await twoLegged(f.s, id, third)).statusCode).toBe(200);
    const odd = await f.owner.post(`/portal/apps/${id}/secrets`, { grace_seconds: '60' });
    expect(odd.statusCode).toBe(400);
    expect(fieldErrorOf(odd.body, 'grace-seconds')).toBe('Choose one of the grace periods in the list.');
    expect(markedInvalid(odd.body, 'grace-seconds')).toBe(true);
    expect((await twoLegged(f.s, id, third)).statusCode).toBe(200);
  });

  it('lets the owner add and remove collaborators, who see the app and may change only redirect URIs', async () => {
    const created = await createThroughForm(f.owner, {
      name: 'Shared',
      type: 'web',
      redirect_uris: 'https://shared.example/cb',
    });
    const id = clientIdOf(created.body);
    const unknown = await f.owner.post(`/portal/apps/${id}/collaborators`, { email: 'nobody@example.com' });
    expect(unknown.statusCode).toBe(400);
    expect(fieldErrorOf(unknown.body, 'email')).toMatch(/must sign up first/);
    expect(unknown.body).toContain('value="nobody@example.com"');
    expect(markedInvalid(unknown.body, 'email')).toBe(true);
    const empty = await f.owner.post(`/portal/apps/${id}/collaborators`, {});
    expect(fieldErrorOf(empty.body, 'email')).toBe('Enter the email of the person to add.');

    const added = await f.owner.post(`/portal/apps/${id}/collaborators`, { email: 'Helper@Example.com' });
    expect(added.statusCode).toBe(303);
    expect(added.headers['location']).toBe(`/portal/apps/${id}?added=1#collaborators`);
    const again = await f.owner.post(`/portal/apps/${id}/collaborators`, { email: 'helper@example.com' });
    expect(again.headers['location']).toBe(`/portal/apps/${id}?already=1#collaborators`);
    const ownerPage = await f.owner.get(`/portal/apps/${id}?added=1`);
    expect(ownerPage.body).toContain('Collaborator added.');
    expect(ownerPage.body).toContain('helper@example.com');
    expect(ownerPage.body).toContain(`/portal/apps/${id}/collaborators/${f.helper.id}/remove`);

    const list = await f.helper.get('/portal');
    expect(list.body).toContain('Shared');
    expect(list.body).toMatch(/<span class="badge badge-muted">Collaborator<\/span>/);
    const helperPage = await f.helper.get(`/portal/apps/${id}`);
    expect(helperPage.statusCode).toBe(200);
    expect(helperPage.body).not.toContain('id="name"');
    expect(helperPage.body).toContain('id="redirect-uris"');
    expect(helperPage.body).not.toContain('Delete app');
    expect(helperPage.body).not.toContain('Add a collaborator');
    expect(helperPage.body).not.toContain('/remove"');
    // A collaborator's form changes the redirect URIs; a name sent along is not theirs to change.
    const moved = await f.helper.post(`/portal/apps/${id}`, {
      name: 'Renamed by helper',
      redirect_uris: 'https://shared.example/cb2',
    });
    expect(moved.statusCode).toBe(303);
    expect(await f.s.ctx.clients.find(id)).toMatchObject({
      name: 'Shared',
      redirectUris: ['https://shared.example/cb2'],
    });
    // What a collaborator may not do is a 403 page.
    for (const [method, path, form] of [
      ['GET', `/portal/apps/${id}/delete`, {}],
      ['POST', `/portal/apps/${id}/delete`, { confirm_name: 'Shared' }],
      ['POST', `/portal/apps/${id}/collaborators`, { email: 'stranger@example.com' }],
      ['POST', `/portal/apps/${id}/collaborators/${f.helper.id}/remove`, {}],
    ] as const) {
      const res = method === 'GET' ? await f.helper.get(path) : await f.helper.post(path, form);
      expect(res.statusCode, path).toBe(403);
      expect(res.body).toContain('Not allowed for collaborators');
    }
    expect(await f.s.ctx.clients.find(id)).toBeTruthy();

    const removed = await f.owner.post(`/portal/apps/${id}/collaborators/${f.helper.id}/remove`);
    expect(removed.headers['location']).toBe(`/portal/apps/${id}?removed=1#collaborators`);
    expect((await f.helper.get(`/portal/apps/${id}`)).statusCode).toBe(404);
    // Removing them again (a stale page) changes nothing.
    expect((await f.owner.post(`/portal/apps/${id}/collaborators/${f.helper.id}/remove`)).statusCode).toBe(
      303,
    );
  });

  it('renders an app whose stored homepage a link may not carry (a backslash) as text, so its page still opens', async () => {
    const res = await createThroughForm(f.owner, { name: 'Old homepage' });
    const clientId = clientIdOf(res.body);
    await f.s.ctx.db
      .updateTable('clients')
      .set({ homepage_url: 'https://example.com\\path' })
      .where('id', '=', clientId)
      .execute();
    const page = await f.owner.get(`/portal/apps/${clientId}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).not.toContain('href="https://example.com\\path"');
  });

  it('deletes an app only when its name is typed on the confirmation page', async () => {
    const created = await createThroughForm(f.owner, { name: 'Doomed' });
    const id = clientIdOf(created.body);
    const secret = textOf(created.body, 'client-secret') as string;
    const confirm = await f.owner.get(`/portal/apps/${id}/delete`);
    expect(confirm.statusCode).toBe(200);
    expectPortalPage(confirm, false);
    expect(confirm.body).toContain('<h1>Delete Doomed?</h1>');
    expect(confirm.body).toMatch(
      /<label for="confirm-name">Type the app’s name, Doomed, to confirm<\/label>/,
    );
    const wrong = await f.owner.post(`/portal/apps/${id}/delete`, { confirm_name: 'doomed' });
    expect(wrong.statusCode).toBe(400);
    expect(fieldErrorOf(wrong.body, 'confirm-name')).toMatch(/Type Doomed exactly/);
    expect(wrong.body).toContain('value="doomed"');
    expect(await f.s.ctx.clients.find(id)).toBeTruthy();
    const done = await f.owner.post(`/portal/apps/${id}/delete`, { confirm_name: 'Doomed' });
    expect(done.statusCode).toBe(303);
    expect(done.headers['location']).toBe('/portal?deleted=1');
    expect(await f.s.ctx.clients.find(id)).toBeUndefined();
    expect((await twoLegged(f.s, id, secret)).statusCode).toBe(401);
    expect((await f.owner.get('/portal?deleted=1')).body).toContain('The app was deleted.');
    expect((await f.owner.get(`/portal/apps/${id}`)).statusCode).toBe(404);
  });
});
