/** /favicon.ico: the mark the pages show, as an image with the headers of the other static answers. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { html } from '../src/pages/html.js';
import { page } from '../src/pages/layout.js';
import { startTestServer, type TestServer } from './support/server.js';

describe('GET /favicon.ico', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer('sqlite');
  });
  afterAll(async () => {
    await s?.close();
  });

  it('answers the key icon as SVG, cacheable, with nosniff and a CSP that lets it run nothing', async () => {
    const res = await s.app.inject({ url: '/favicon.ico' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('image/svg+xml');
    expect(res.headers['cache-control']).toBe('public, max-age=86400');
    expect(res.headers['pragma']).toBeUndefined();
    expect(res.headers['content-security-policy']).toBe("default-src 'none'");
    // The header every answer carries, as on the JWKS and the metadata.
    const jwks = await s.app.inject({ url: '/.well-known/jwks.json' });
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(jwks.headers['x-content-type-options']).toBe('nosniff');
    expect(res.body).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" viewBox="0 0 28 28"/);
    expect(res.body).not.toMatch(/<script|<style|href=|on\w+=/i);
  });

  it('draws the same key as the mark in the header of every page', async () => {
    const doc = page({ title: 't', body: html``, nonce: 'bm9uY2U' });
    const header = /<svg class="logo".*?<\/svg>/s.exec(doc)?.[0] ?? '';
    const shapes = (svg: string) =>
      [...svg.matchAll(/<(rect|circle|path)\b([^>]*)\/>/g)].map(([, tag, attrs]) => [
        tag,
        (attrs ?? '').match(/\b(width|height|rx|cx|cy|r|d)="[^"]*"/g),
      ]);
    const res = await s.app.inject({ url: '/favicon.ico' });
    expect(shapes(res.body)).toEqual(shapes(header));
    expect(shapes(header)).toHaveLength(3);
  });

  it('answers HEAD too', async () => {
    const res = await s.app.inject({ method: 'HEAD', url: '/favicon.ico' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('image/svg+xml');
  });
});
