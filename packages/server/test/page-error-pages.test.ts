/**
 * Failures on the browser pages that are not the pages' own errors (a body over the limit, the
 * database down, a bug) are HTML pages with the page security headers, never raw JSON; the JSON
 * endpoints keep their JSON answers.
 */
import type { LightMyRequestResponse } from 'fastify';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { csrfOf, InjectBrowser } from './browser.js';
import { FORM, startTestServer, type TestServer } from './support.js';

/** An HTML page as every page must be (RFC 9700 §4.15): CSP, no framing, no referrer, no-store. */
function expectHtmlPage(res: LightMyRequestResponse, status: number, title: string) {
  expect(res.statusCode).toBe(status);
  expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
  expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
  expect(res.headers['x-frame-options']).toBe('DENY');
  expect(res.headers['referrer-policy']).toBe('no-referrer');
  expect(res.headers['cache-control']).toBe('no-store');
  expect(res.body).toContain(title);
  expect(res.body).not.toContain('"error"');
}

describe('error pages for failures on the browser pages', () => {
  let s: TestServer;
  beforeEach(async () => {
    s = await startTestServer('sqlite');
  });
  afterEach(async () => {
    vi.restoreAllMocks();
    await s.close();
  });

  it('a sign-in POST over the body limit is a 413 page', async () => {
    const res = await s.app.inject({
      method: 'POST',
      url: '/login',
      headers: FORM,
      payload: `email=a%40b.example&password=${'x'.repeat(70 * 1024)}`,
    });
    expectHtmlPage(res, 413, 'This request was not understood');
  });

  it('the database down during sign-in is a 503 page with Retry-After, logged as an outage', async () => {
    const browser = new InjectBrowser(s.app);
    const csrf = csrfOf((await browser.get('/login')).body);
    vi.spyOn(s.ctx.users, 'verify').mockRejectedValue(
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }),
    );
    const res = await browser.post('/login', { csrf, email: 'a@b.example', password: 'hunter2-hunter2' });
    expectHtmlPage(res, 503, 'Temporarily unavailable');
    expect(res.headers['retry-after']).toBe('1');
    expect(s.logs.text).toContain('database unavailable');
    expect(s.logs.text).not.toContain('hunter2');
  });

  it('a bug on a page is a 500 page; the stack goes to the log, not to the browser', async () => {
    const browser = new InjectBrowser(s.app);
    const csrf = csrfOf((await browser.get('/signup')).body);
    vi.spyOn(s.ctx.users, 'create').mockRejectedValue(new TypeError('boom in create'));
    const res = await browser.post('/signup', {
      csrf,
      email: 'new@b.example',
      password: 'a long password 123',
    });
    expectHtmlPage(res, 500, 'Something went wrong');
    expect(res.body).not.toContain('boom');
    expect(s.logs.text).toContain('boom in create');
  });

  it('the JSON endpoints keep JSON errors', async () => {
    const res = await s.app.inject({
      method: 'POST',
      url: '/oauth/token',
      headers: { ...FORM, authorization: s.basic() },
      payload: `grant_type=client_credentials&pad=${'x'.repeat(70 * 1024)}`,
    });
    expect(res.statusCode).toBe(413);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(res.json()).toEqual({ error: 'invalid_request', error_description: 'request body is too large' });
    const missing = await s.app.inject({ method: 'GET', url: '/no/such/page' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ error: 'not_found' });
  });
});
