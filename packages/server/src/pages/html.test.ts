/** Tests of the escaping `html` template, escapeHtml and safeUrl. */
import { describe, expect, it } from 'vitest';
import { escapeHtml, html, SafeHtml, safeUrl } from './html.js';

describe('escapeHtml', () => {
  it('escapes & < > " \' and `', () => {
    expect(escapeHtml(`&<>"'\``)).toBe('&amp;&lt;&gt;&quot;&#39;&#96;');
  });
  it('escapes & so text that looks like an entity stays text', () => {
    expect(escapeHtml('&lt;')).toBe('&amp;lt;');
  });
  it('leaves other text, unicode included, unchanged', () => {
    expect(escapeHtml('Zoë – 東京 🔑')).toBe('Zoë – 東京 🔑');
  });
});

describe('html', () => {
  it('escapes every interpolated value and keeps the template text', () => {
    const out = html`<p title="${'"><img src=x onerror=alert(1)>'}">${'<script>alert(1)</script>'}</p>`;
    expect(out).toBeInstanceOf(SafeHtml);
    expect(out.value).toBe(
      '<p title="&quot;&gt;&lt;img src=x onerror=alert(1)&gt;">&lt;script&gt;alert(1)&lt;/script&gt;</p>',
    );
  });
  it('passes SafeHtml through, so nested templates are escaped once', () => {
    const inner = html`<b>${'<i>'}</b>`;
    expect(html`<p>${inner}</p>`.value).toBe('<p><b>&lt;i&gt;</b></p>');
  });
  it('joins arrays without separator, escaping each item', () => {
    expect(html`<ul>${['<a>', html`<li>ok</li>`, ['&']]}</ul>`.value).toBe(
      '<ul>&lt;a&gt;<li>ok</li>&amp;</ul>',
    );
  });
  it('renders null, undefined and false as nothing, but 0 and true as text', () => {
    expect(html`[${null}${undefined}${false}]`.value).toBe('[]');
    expect(html`[${0}|${true}|${''}]`.value).toBe('[0|true|]');
  });
  it('escapes objects through their string form', () => {
    const hostile = { toString: () => '<x>' };
    expect(html`${hostile}`.value).toBe('&lt;x&gt;');
  });
  it('SafeHtml stringifies to its value', () => {
    expect(`${new SafeHtml('<b>')}`).toBe('<b>');
  });
});

describe('safeUrl', () => {
  it.each([
    '/login',
    '/authorize?client_id=a&state=%20x',
    'revoke',
    '?page=2',
    'https://auth.example/login',
    'HTTP://x/',
  ])('accepts %s', (url) => {
    expect(safeUrl(url, 'action')).toBe(url);
  });
  it.each([
    'javascript:alert(1)',
    'JavaScript:alert(1)',
    'java\nscript:alert(1)',
    'java\tscript:alert(1)',
    ' javascript:alert(1)',
    'data:text/html,<script>',
    'vbscript:x',
    '//evil.example/',
    '/\\evil.example/',
    '\\\\evil.example',
    '',
    '/a b',
  ])('refuses %j with a TypeError naming the argument', (url) => {
    expect(() => safeUrl(url, 'signupHref')).toThrow(/signupHref/);
    expect(() => safeUrl(url, 'signupHref')).toThrow(TypeError);
  });
});
