/** Tests of the document shell: head, nonce'd inline styles, header, card, footer. */
import { describe, expect, it } from 'vitest';
import { html } from './html.js';
import { page } from './layout.js';

const doc = page({ title: 'Sign in', body: html`<h1>Hello</h1>`, nonce: 'abc123+/=' });

describe('page', () => {
  it('is a complete English document with a viewport and a title', () => {
    expect(doc.startsWith('<!doctype html>\n<html lang="en">')).toBe(true);
    expect(doc).toContain('<meta charset="utf-8">');
    expect(doc).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
    expect(doc).toContain('<title>Sign in · Latchkey</title>');
    expect(doc.trimEnd().endsWith('</html>')).toBe(true);
  });
  it('puts every style in one <style> carrying the nonce, with no external resource', () => {
    expect(doc.match(/<style\b/g)).toHaveLength(1);
    expect(doc).toMatch(/<style nonce="abc123\+\/=">[^<]*font-family/);
    expect(doc).not.toMatch(/<link\b|@import|url\(|https?:/i);
  });
  it('asks for no-referrer in a meta as a fallback to the header', () => {
    expect(doc).toContain('<meta name="referrer" content="no-referrer">');
  });
  it('has a header with the product name, the body in a centred card, and a footer', () => {
    expect(doc).toMatch(/<header class="site-header">.*<span>Latchkey<\/span><\/div><\/header>/);
    expect(doc).toContain('<main class="main" id="main"><div class="card"><h1>Hello</h1></div></main>');
    expect(doc).toMatch(/<footer class="site-footer">[^<]+<\/footer>/);
  });
  it('uses the wide card on request', () => {
    expect(page({ title: 't', body: html``, nonce: 'n', width: 'wide' })).toContain('class="card card-wide"');
  });
  it('escapes the title', () => {
    const out = page({ title: '</title><script>x</script>', body: html``, nonce: 'n' });
    expect(out).toContain('<title>&lt;/title&gt;&lt;script&gt;x&lt;/script&gt; · Latchkey</title>');
  });
  it('adds the signed-in navigation with the current page marked, only when asked', () => {
    expect(doc).not.toContain('<nav');
    const nav = page({ title: 't', body: html``, nonce: 'n', nav: 'apps' });
    expect(nav).toContain(
      '<nav class="site-nav" aria-label="Your account"><a href="/portal" aria-current="page">My apps</a><a href="/account/apps">Connected apps</a></nav>',
    );
  });
  it('carries a script only when given one, with the page nonce, and refuses one that would end early', () => {
    expect(doc).not.toContain('<script');
    const scripted = page({ title: 't', body: html``, nonce: 'abc', script: 'go();' });
    expect(scripted).toContain('<script nonce="abc">go();</script>');
    expect(() => page({ title: 't', body: html``, nonce: 'abc', script: 'x("</SCRIPT>")' })).toThrow(
      TypeError,
    );
  });
  it('appends a family of pages’ styles to the one <style>', () => {
    const styled = page({ title: 't', body: html``, nonce: 'n', styles: '.extra{color:red}' });
    expect(styled.match(/<style\b/g)).toHaveLength(1);
    expect(styled).toMatch(/\.extra\{color:red\}<\/style>/);
  });
  it.each(['', 'a b', '"><script>', "abc'"])('refuses the nonce %j with a TypeError', (nonce) => {
    expect(() => page({ title: 't', body: html``, nonce })).toThrow(TypeError);
  });
});
