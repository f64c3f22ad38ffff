/** Tests of the consent page's content. */
import { describe, expect, it } from 'vitest';
import { consentPage } from './consent.js';

const base = {
  nonce: 'bm9uY2U',
  csrf: 'tok',
  action: '/authorize/decision',
  appName: 'Acme Dashboard',
  userEmail: 'ada@example.com',
  scopes: [
    { name: 'projects:read', description: 'View your projects' },
    { name: 'projects:write', description: 'Change your projects' },
  ],
  redirectHost: 'app.acme.example',
  connectedAppsHref: '/account/apps',
  about: {},
};

describe('consentPage', () => {
  const doc = consentPage(base);

  it('names the app prominently: "{appName} wants to access your account"', () => {
    expect(doc).toContain(
      '<h1><span class="app-name">Acme Dashboard</span> wants to access your account</h1>',
    );
    expect(doc).toContain('<span class="avatar" aria-hidden="true">A</span>');
  });
  it('links "Connected apps", where access is revoked, to that page', () => {
    expect(doc).toContain('revoke access at any time from <a href="/account/apps">Connected apps</a>.');
  });
  it('says who is signed in and where the answer goes', () => {
    expect(doc).toContain('Signed in as <strong>ada@example.com</strong>');
    expect(doc).toContain('You will be sent to <strong>app.acme.example</strong>');
  });
  it('lists each scope with its description and its name in monospace', () => {
    expect(doc.match(/<li>/g)).toHaveLength(2);
    expect(doc).toContain(
      '<span class="scope-description">View your projects</span><code class="scope-name">projects:read</code>',
    );
    expect(doc).toContain('<code class="scope-name">projects:write</code>');
  });
  it('falls back to the scope name when a scope has no description', () => {
    const out = consentPage({ ...base, scopes: [{ name: 'legacy', description: '' }] });
    expect(out).toContain(
      '<span class="scope-description">legacy</span><code class="scope-name">legacy</code>',
    );
  });
  it('says so when no scope is requested', () => {
    const out = consentPage({ ...base, scopes: [] });
    expect(out).not.toContain('<ul');
    expect(out).toContain('Nothing else is shared.');
  });
  it('has one post form with csrf and Deny then Allow submit buttons, Allow primary', () => {
    expect(doc.match(/<form\b/g)).toHaveLength(1);
    const form = doc.match(/<form method="post" action="\/authorize\/decision">[\s\S]*<\/form>/)?.[0] ?? '';
    expect(form).toContain('<input type="hidden" name="csrf" value="tok">');
    const deny = form.indexOf(
      '<button class="button button-secondary" type="submit" name="decision" value="deny">Deny</button>',
    );
    const allow = form.indexOf(
      '<button class="button button-primary" type="submit" name="decision" value="allow">Allow</button>',
    );
    expect(deny).toBeGreaterThan(0);
    expect(allow).toBeGreaterThan(deny);
  });
  it('uses the first character of the app name, even outside the BMP, for the avatar', () => {
    expect(consentPage({ ...base, appName: '🔑 Keys' })).toContain('aria-hidden="true">🔑</span>');
    expect(consentPage({ ...base, appName: '<b>' })).toContain('aria-hidden="true">&lt;</span>');
  });
  it('shows what the developer entered, and says plainly that nobody verified it', () => {
    const known = consentPage({
      ...base,
      about: {
        description: 'Dashboards for Acme',
        homepageHost: 'acme.example',
        developer: 'dev@acme.example',
      },
    });
    expect(known).toContain('<p class="about-description">Dashboards for Acme</p>');
    expect(known).toContain('<dt>Developer</dt><dd>dev@acme.example</dd>');
    expect(known).toContain('<strong>acme.example</strong> <span class="unverified">not verified</span>');
    expect(doc).toContain('<dd>None given: this app has no verified homepage</dd>');
    expect(doc).toContain('<dd>Registered by the operator of this service</dd>');
    expect(doc).not.toContain('<p class="about-description">');
  });
});
