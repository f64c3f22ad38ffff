/** Invariants of every page: values escaped, nonce'd styles only, no script, handler, style attribute or URL. */
import { describe, expect, it } from 'vitest';
import { connectedAppsPage } from './connected-apps.js';
import { consentPage } from './consent.js';
import { errorPage } from './error.js';
import { forgotPasswordPage, resetLinkSentPage } from './forgot-password.js';
import { loginPage } from './login.js';
import { passwordChangedPage, resetPasswordPage } from './reset-password.js';
import { signupPage } from './signup.js';
import { emailVerifiedPage, verifyEmailPage } from './verify-email.js';

const NONCE = 'bm9uY2UtMTIz';
const HOSTILE = [
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  "' onmouseover='alert(1)",
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a literal ${…} is part of the hostile input
  '`${alert(1)}`</style><style>*{}',
];

/** Every page rendered with `s` in each string field it shows or puts in an attribute. */
function renderAll(s: string): Record<string, string> {
  const scopes = [{ name: s, description: s }];
  return {
    login: loginPage({
      nonce: NONCE,
      csrf: s,
      action: '/login',
      email: s,
      error: s,
      appName: s,
      signupHref: '/signup',
      forgotHref: '/forgot-password',
    }),
    signup: signupPage({
      nonce: NONCE,
      csrf: s,
      action: '/signup',
      name: s,
      email: s,
      error: s,
      loginHref: '/login',
    }),
    forgotPassword: forgotPasswordPage({
      nonce: NONCE,
      csrf: s,
      action: '/forgot-password',
      email: s,
      error: s,
      loginHref: '/login',
    }),
    resetLinkSent: resetLinkSentPage({
      nonce: NONCE,
      lifetime: s,
      againHref: '/forgot-password',
      loginHref: '/login',
    }),
    resetPassword: resetPasswordPage({
      nonce: NONCE,
      csrf: s,
      action: '/reset-password',
      token: s,
      email: s,
      error: s,
    }),
    passwordChanged: passwordChangedPage({ nonce: NONCE, loginHref: '/login' }),
    verifyEmail: verifyEmailPage({ nonce: NONCE, csrf: s, action: '/verify-email', token: s, email: s }),
    emailVerified: emailVerifiedPage({ nonce: NONCE, continueHref: '/account/apps' }),
    consent: consentPage({
      nonce: NONCE,
      csrf: s,
      action: '/authorize',
      appName: s,
      userEmail: s,
      scopes,
      redirectHost: s,
      connectedAppsHref: '/account/apps',
      about: { description: s, homepageHost: s, developer: s },
    }),
    error: errorPage({ nonce: NONCE, title: s, message: s, status: 400 }),
    connectedApps: connectedAppsPage({
      nonce: NONCE,
      csrf: s,
      userEmail: s,
      logoutAction: '/logout',
      flash: s,
      error: s,
      emailStatus: { verified: false, resendAction: '/account/verify-email' },
      apps: [{ clientId: s, name: s, scopes, grantedAt: new Date(0), revokeAction: '/apps/1/revoke' }],
    }),
  };
}

interface Tag {
  name: string;
  attrs: Map<string, string>;
}

/** A DOM-less tag scanner: sound here because every attribute value is double-quoted and escaped. */
function tags(doc: string): Tag[] {
  return [...doc.matchAll(/<([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[^\s"'>/=]+(?:="[^"]*")?)*)\s*\/?>/g)].map((m) => ({
    name: m[1]!.toLowerCase(),
    attrs: new Map([...m[2]!.matchAll(/\s+([^\s"'>/=]+)(?:="([^"]*)")?/g)].map((a) => [a[1]!, a[2] ?? ''])),
  }));
}

/** Tag names with attribute names, to compare the structure of two renders. */
const shape = (doc: string) => tags(doc).map((t) => `${t.name}[${[...t.attrs.keys()].join(',')}]`);

/** Every '<' that does not start a tag, comment or doctype the scanner understood. */
function strayAngles(doc: string): number {
  const recognised = doc.match(
    /<([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[^\s"'>/=]+(?:="[^"]*")?)*)\s*\/?>|<\/[a-zA-Z0-9-]+>|<!doctype html>/g,
  );
  return (doc.match(/</g) ?? []).length - (recognised ?? []).length;
}

const benign = renderAll('Acme');

describe.each(Object.keys(benign))('%s page', (name) => {
  const doc = benign[name]!;

  it.each(HOSTILE)('escapes %j everywhere and keeps the same tags and attributes', (hostile) => {
    const out = renderAll(hostile)[name]!;
    expect(out).not.toContain(hostile);
    expect(shape(out)).toEqual(shape(doc));
    expect(strayAngles(out)).toBe(0);
    expect(out).not.toMatch(/<script|<img|<\/style><style/i);
  });

  it('is parsed completely by the tag scanner (so the other checks see every tag)', () => {
    expect(strayAngles(doc)).toBe(0);
  });

  it('has exactly one <style>, carrying the nonce, and no other way to load or run anything', () => {
    const styles = tags(doc).filter((t) => t.name === 'style');
    expect(styles).toHaveLength(1);
    expect(styles[0]!.attrs.get('nonce')).toBe(NONCE);
    for (const t of tags(doc)) {
      expect(['script', 'link', 'img', 'iframe', 'object', 'embed', 'base', 'frame']).not.toContain(t.name);
      for (const attr of t.attrs.keys()) {
        expect(attr, `${t.name} has ${attr}`).not.toMatch(/^(on.*|style|src|srcset|background|formaction)$/i);
      }
    }
    expect(doc).not.toMatch(/https?:|\/\/[a-z]|url\(|@import|javascript:/i);
  });

  it('has a title, an h1, and a Latchkey header', () => {
    expect(doc).toMatch(/<title>[^<]+ · Latchkey<\/title>/);
    expect(tags(doc).filter((t) => t.name === 'h1')).toHaveLength(1);
    expect(doc).toContain('<span>Latchkey</span>');
  });

  it('posts every form with a csrf field, labels every input, types every button', () => {
    const all = tags(doc);
    const ids = new Set(all.filter((t) => t.attrs.has('id')).map((t) => t.attrs.get('id')));
    const labelled = new Set(all.filter((t) => t.name === 'label').map((t) => t.attrs.get('for')));
    for (const t of all) {
      if (t.name === 'form') expect(t.attrs.get('method')).toBe('post');
      if (t.name === 'button') expect(t.attrs.get('type')).toBe('submit');
      if (t.name === 'input' && t.attrs.get('type') !== 'hidden')
        expect(labelled).toContain(t.attrs.get('id'));
      if (t.name === 'label') expect(ids).toContain(t.attrs.get('for'));
      for (const ref of ['aria-describedby', 'aria-labelledby']) {
        for (const id of t.attrs.get(ref)?.split(' ') ?? []) expect(ids, `${ref}=${id}`).toContain(id);
      }
    }
    const forms = doc.match(/<form\b[\s\S]*?<\/form>/g) ?? [];
    for (const form of forms) expect(form).toMatch(/<input type="hidden" name="csrf" value="Acme">/);
  });

  it('uses unique ids', () => {
    const ids = tags(doc).flatMap((t) => (t.attrs.has('id') ? [t.attrs.get('id')] : []));
    expect(new Set(ids).size).toBe(ids.length);
  });
});
