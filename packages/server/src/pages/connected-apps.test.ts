/** Tests of the Connected apps page's content. */
import { describe, expect, it } from 'vitest';
import { connectedAppsPage } from './connected-apps.js';

const apps = [
  {
    clientId: 'acme',
    name: 'Acme Dashboard',
    scopes: [{ name: 'projects:read', description: 'View your projects' }],
    grantedAt: new Date('2025-03-12T23:30:00Z'),
    revokeAction: '/account/apps/acme/revoke',
  },
  {
    clientId: 'cli',
    name: 'Tiny CLI',
    scopes: [],
    grantedAt: new Date('2024-12-01T00:00:00Z'),
    revokeAction: '/account/apps/cli/revoke',
  },
];
const base = { nonce: 'bm9uY2U', csrf: 'tok', userEmail: 'ada@example.com', logoutAction: '/logout', apps };

describe('connectedAppsPage', () => {
  const doc = connectedAppsPage(base);

  it('has the heading and the signed-in user, in the wide card', () => {
    expect(doc).toContain('<h1>Connected apps</h1>');
    expect(doc).toContain('Signed in as <strong>ada@example.com</strong>');
    expect(doc).toContain('class="card card-wide"');
  });
  it('shows each app in a card with its name, scopes and UTC grant date', () => {
    expect(doc.match(/<li class="app" data-client-id="[^"]+">/g)).toHaveLength(2);
    expect(doc).toContain('<h2 id="app-0-name">Acme Dashboard</h2>');
    expect(doc).toContain('Allowed on <time datetime="2025-03-12T23:30:00.000Z">March 12, 2025</time>');
    expect(doc).toContain('<code class="scope-name">projects:read</code>');
    expect(doc).toContain('<h2 id="app-1-name">Tiny CLI</h2>');
    expect(doc).toContain('Allowed on <time datetime="2024-12-01T00:00:00.000Z">December 1, 2024</time>');
  });
  it('has one Revoke access form per app, with csrf, described by the app name', () => {
    for (const [i, app] of apps.entries()) {
      const form = doc.match(
        new RegExp(`<form class="app-actions" method="post" action="${app.revokeAction}">[\\s\\S]*?</form>`),
      );
      expect(form?.[0]).toContain('<input type="hidden" name="csrf" value="tok">');
      expect(form?.[0]).toMatch(
        new RegExp(
          `<button class="[^"]*" type="submit" aria-describedby="app-${i}-name">Revoke access</button>`,
        ),
      );
    }
  });
  it('has a Sign out form posting to logoutAction with csrf', () => {
    expect(doc).toMatch(
      /<form method="post" action="\/logout">\s*<input type="hidden" name="csrf" value="tok">\s*<button class="[^"]*" type="submit">Sign out<\/button>/,
    );
  });
  it('shows an empty state without apps, and still offers Sign out', () => {
    const out = connectedAppsPage({ ...base, apps: [] });
    expect(out).toContain('No connected apps');
    expect(out).not.toContain('Revoke access');
    expect(out).toContain('>Sign out</button>');
  });
  it('shows the flash in a role="status" box only when given', () => {
    expect(doc).not.toContain('role="status"');
    expect(connectedAppsPage({ ...base, flash: 'Access for Acme was revoked.' })).toContain(
      '<div class="flash" role="status">Access for Acme was revoked.</div>',
    );
  });
  it('survives an invalid date', () => {
    const out = connectedAppsPage({ ...base, apps: [{ ...apps[0]!, grantedAt: new Date('nope') }] });
    expect(out).toContain('Allowed earlier');
  });
  it('refuses a javascript: revoke or logout action', () => {
    expect(() => connectedAppsPage({ ...base, logoutAction: 'javascript:x' })).toThrow(/logoutAction/);
    expect(() => connectedAppsPage({ ...base, apps: [{ ...apps[0]!, revokeAction: 'data:x' }] })).toThrow(
      /revokeAction/,
    );
  });
});
