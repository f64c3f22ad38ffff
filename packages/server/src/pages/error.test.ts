/** Tests of the no-redirect error page. */
import { describe, expect, it } from 'vitest';
import { errorPage } from './error.js';

describe('errorPage', () => {
  const doc = errorPage({
    nonce: 'bm9uY2U',
    title: 'This link doesn’t work',
    message: 'The redirect address is not registered for this app.',
    status: 400,
  });

  it('shows the title, the message and the status', () => {
    expect(doc).toContain('<title>This link doesn’t work · Latchkey</title>');
    expect(doc).toContain('<h1>This link doesn’t work</h1>');
    expect(doc).toContain('<p class="lead">The redirect address is not registered for this app.</p>');
    expect(doc).toContain('<p class="status">Error 400</p>');
  });
  it('explains the link is broken and nothing was sent back to the app', () => {
    expect(doc).toContain('The link that brought you here is broken');
    expect(doc).toContain('nothing was sent back to the app');
  });
  it('never redirects: no refresh, no link, no form', () => {
    expect(doc).not.toMatch(/http-equiv|<a\b|<form\b|href=/i);
  });
  it('shows the catalogue code beside the status, so a developer can search for it', () => {
    const coded = errorPage({
      nonce: 'n',
      title: 't',
      message: 'm',
      status: 400,
      code: 'redirect_uri_mismatch',
    });
    expect(coded).toContain('<p class="status">Error 400 · redirect_uri_mismatch</p>');
  });
  it('offers a signed-in user a way on instead of the broken-link note, when given one', () => {
    const portal = errorPage({
      nonce: 'n',
      title: 't',
      message: 'm',
      back: { href: '/portal', label: 'Back to My apps' },
    });
    expect(portal).toContain('<a class="button button-secondary" href="/portal">Back to My apps</a>');
    expect(portal).not.toContain('The link that brought you here is broken');
    expect(() =>
      errorPage({ nonce: 'n', title: 't', message: 'm', back: { href: 'javascript:x', label: 'x' } }),
    ).toThrow(TypeError);
  });
  it('leaves the status out when none is given', () => {
    expect(errorPage({ nonce: 'n', title: 't', message: 'm' })).not.toContain('class="status"');
  });
});
