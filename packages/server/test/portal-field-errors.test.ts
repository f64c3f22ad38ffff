/**
 * A refused portal form shows every field's error at once, each beside its field: its message between
 * the label and the control, the control pointing at it (`aria-describedby`) and marked
 * `aria-invalid`, the summary at the top linking to each, and everything typed kept. Create app and the
 * app page's Settings, in-process (app.inject).
 */
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedInBrowser } from './support/attacks.js';
import { csrfOf, InjectBrowser } from './support/browser.js';
import { startTestServer, type TestServer } from './support/server.js';

/** Posts portal forms as one signed-in user. */
async function poster(s: TestServer, email: string) {
  const user = await s.ctx.users.create(email, 'a long enough password');
  const browser = await signedInBrowser(s, new InjectBrowser(s.app), user.id);
  const csrf = csrfOf((await browser.get('/portal')).body);
  return (url: string, form: Record<string, string>) => browser.post(url, { csrf, ...form });
}

/**
 * The error shown beside the text control `id`: the message between the control's label and the
 * control itself, in the one `.field` block, with the control described by it and marked invalid.
 */
function besideControl(body: string, id: string): string | undefined {
  const field = new RegExp(
    `<div class="field">\\s*<label for="${id}">[\\s\\S]*?</label>\\s*<p class="field-error" id="${id}-error">([\\s\\S]*?)</p>(?:<div class="control-row">)?<(?:input|textarea)([^>]*)>`,
  ).exec(body);
  if (!field) return undefined;
  const control = field[2] as string;
  expect(control, id).toContain(` id="${id}"`);
  expect(control, id).toMatch(new RegExp(`aria-describedby="${id}-error(?: ${id}-hint)?"`));
  expect(control, id).toContain('aria-invalid="true"');
  return textOf(field[1] as string);
}

/** The error shown in the fieldset of a choice (`type`, `scope`), right after its legend and hint. */
function besideChoices(body: string, name: 'type' | 'scope'): string | undefined {
  const fieldset = new RegExp(
    `<fieldset class="field invalid"[^>]*aria-describedby="${name}-error[^"]*" aria-invalid="true">\\s*<legend>[^<]*</legend>\\s*(?:<p class="hint"[^>]*>[^<]*</p>\\s*)?<p class="field-error" id="${name}-error">([\\s\\S]*?)</p><div class="choices`,
  ).exec(body);
  return fieldset ? textOf(fieldset[1] as string) : undefined;
}

/** Text without tags or the hidden "Error:" prefix. */
function textOf(html: string): string {
  return html
    .replace(/<span class="visually-hidden">Error:<\/span>/, '')
    .replace(/<[^>]+>/g, '')
    .replaceAll('&#39;', "'")
    .replaceAll('&quot;', '"')
    .trim();
}

/** The links of the error summary at the top: each error, to its control. */
function summaryLinks(body: string): string[] {
  const summary =
    /<div class="alert" role="alert" id="form-error">([\s\S]*?)<\/div><\/div>/.exec(body)?.[1] ?? '';
  return [...summary.matchAll(/<li><a href="#([\w-]+)">/g)].map((m) => m[1] as string);
}

/** The number of error messages on the page. */
const errorCount = (res: LightMyRequestResponse) => res.body.match(/<p class="field-error"/g)?.length ?? 0;

describe('every error of a refused portal form, each beside its field', () => {
  let s: TestServer;
  let post: Awaited<ReturnType<typeof poster>>;
  beforeAll(async () => {
    s = await startTestServer('sqlite', {
      LATCHKEY_SCOPES: 'data:read data:write manage',
      LATCHKEY_RESTRICTED_SCOPES: 'data:write',
    });
    post = await poster(s, 'dev@example.com');
  });
  afterAll(async () => {
    await s?.close();
  });

  it('Create app: three bad fields are three messages, each beside its field, with everything typed kept', async () => {
    const before = (await s.ctx.clients.list()).length;
    const res = await post('/portal/apps/new', {
      name: '\u202eevil',
      description: 'Kept description',
      homepage_url: 'http://kept.example/',
      type: 'web',
      redirect_uris: 'http://kept.example/cb',
      'scope.data:read': 'on',
    });
    expect(res.statusCode).toBe(400);
    expect(errorCount(res)).toBe(3);
    expect(besideControl(res.body, 'name')).toMatch(/must not contain control or invisible formatting/);
    expect(besideControl(res.body, 'homepage-url')).toMatch(/Homepage URL must use https/);
    expect(besideControl(res.body, 'redirect-uris')).toMatch(/http:\/\/kept\.example\/cb.*must use https/);
    expect(summaryLinks(res.body)).toEqual(['name', 'homepage-url', 'redirect-uris']);
    // The first field in error has the focus; everything typed is there.
    expect(res.body).toMatch(/<input type="text" id="name" name="name" required maxlength="100" autofocus/);
    expect(res.body.match(/ autofocus/g)).toHaveLength(1);
    expect(res.body).toContain('value="http://kept.example/"');
    expect(res.body).toMatch(/<textarea [^>]*id="description"[^>]*>\nKept description<\/textarea>/);
    expect(res.body).toMatch(
      /<textarea [^>]*id="redirect-uris"[^>]*>\nhttp:\/\/kept\.example\/cb<\/textarea>/,
    );
    expect(res.body).toMatch(/name="scope.data:read" value="on" checked/);
    expect((await s.ctx.clients.list()).length).toBe(before);
  });

  it('Create app: the choices too (type, scopes), and a long description, at once', async () => {
    const res = await post('/portal/apps/new', {
      name: 'Fine name',
      description: 'x'.repeat(501),
      type: 'robot',
    });
    expect(res.statusCode).toBe(400);
    expect(errorCount(res)).toBe(3);
    expect(besideControl(res.body, 'description')).toMatch(/at most 500 characters/);
    expect(besideChoices(res.body, 'type')).toBe('Choose one of the app types.');
    expect(besideChoices(res.body, 'scope')).toBe('Scope must name at least one scope.');
    expect(summaryLinks(res.body)).toEqual(['description', 'type-web', 'scopes']);
    expect(res.body).toContain('value="Fine name"');
  });

  it('Create app: a scope only an admin may give is refused beside the others (400, not 403)', async () => {
    const res = await post('/portal/apps/new', {
      name: '',
      type: 'service',
      'scope.data:write': 'on',
    });
    expect(res.statusCode).toBe(400);
    expect(besideControl(res.body, 'name')).toMatch(/1 to 100 characters/);
    expect(besideChoices(res.body, 'scope')).toMatch(/only an admin may give an app the scope data:write/i);
    // Alone, it is what it was: 403.
    const alone = await post('/portal/apps/new', {
      name: 'Writer',
      type: 'service',
      'scope.data:write': 'on',
    });
    expect(alone.statusCode).toBe(403);
    expect(errorCount(alone)).toBe(1);
  });

  it('Create app: two bad redirect URIs are both told, beside the one field', async () => {
    const res = await post('/portal/apps/new', {
      name: 'Two',
      type: 'web',
      redirect_uris: 'http://one.example/cb\nhttps://two.example/cb#frag',
      'scope.data:read': 'on',
    });
    expect(res.statusCode).toBe(400);
    expect(errorCount(res)).toBe(1);
    const message = besideControl(res.body, 'redirect-uris') as string;
    expect(message).toContain('"http://one.example/cb" must use https');
    expect(message).toContain('"https://two.example/cb#frag" must not contain a fragment');
  });

  it('Settings: three bad fields are three messages beside their fields, and nothing is saved', async () => {
    const created = await post('/portal/apps/new', {
      name: 'Editable',
      type: 'web',
      redirect_uris: 'https://edit.example/cb',
      'scope.data:read': 'on',
    });
    expect(created.statusCode).toBe(201);
    const id = /id="client-id"[^>]*>([^<]+)</.exec(created.body)?.[1] as string;
    const res = await post(`/portal/apps/${id}`, {
      name: '',
      description: 'Kept',
      homepage_url: 'ftp://edit.example/',
      'scope.data:read': 'on',
    });
    expect(res.statusCode).toBe(400);
    expect(errorCount(res)).toBe(3);
    expect(besideControl(res.body, 'name')).toMatch(/1 to 100 characters/);
    expect(besideControl(res.body, 'homepage-url')).toMatch(/https/);
    expect(besideControl(res.body, 'redirect-uris')).toMatch(/at least one redirect URI/);
    expect(summaryLinks(res.body)).toEqual(['name', 'homepage-url', 'redirect-uris']);
    expect(res.body).toContain('value="ftp://edit.example/"');
    expect(await s.ctx.clients.find(id)).toMatchObject({
      name: 'Editable',
      redirectUris: ['https://edit.example/cb'],
    });
    expect((await s.ctx.clients.find(id))?.homepageUrl).toBeUndefined();
  });
});
