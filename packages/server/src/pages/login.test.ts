/** Tests of the sign-in page's content. */
import { describe, expect, it } from 'vitest';
import { loginPage } from './login.js';

const base = { nonce: 'bm9uY2U', csrf: 'tok', action: '/login?return_to=%2Fauthorize' };

describe('loginPage', () => {
  const doc = loginPage(base);

  it('posts to the action with the csrf token', () => {
    expect(doc).toContain('<form class="form" method="post" action="/login?return_to=%2Fauthorize">');
    expect(doc).toContain('<input type="hidden" name="csrf" value="tok">');
  });
  it('has an Email field and a Password field, each tied to its label', () => {
    expect(doc).toContain('<label for="email">Email</label>');
    expect(doc).toMatch(/<input id="email" name="email" type="email" autocomplete="username" required\b/);
    expect(doc).toContain('<label for="password">Password</label>');
    expect(doc).toMatch(
      /<input id="password" name="password" type="password" autocomplete="current-password" required\b/,
    );
  });
  it('has a Sign in submit button', () => {
    expect(doc).toMatch(/<button class="[^"]*" type="submit">Sign in<\/button>/);
  });
  it('without an app name, error or sign-up link shows none of them', () => {
    expect(doc).toContain('<h1>Sign in</h1>');
    expect(doc).not.toContain('role="alert"');
    expect(doc).not.toContain('Create one');
    expect(doc).not.toMatch(/<input[^>]*aria-invalid/);
  });
  it('names the app: "Sign in to continue to {appName}"', () => {
    const out = loginPage({ ...base, appName: 'Acme & Co' });
    expect(out).toContain('<h1>Sign in to continue to <span class="app-name">Acme &amp; Co</span></h1>');
  });
  it('shows the error in a role="alert" box the fields point at, and keeps the email', () => {
    const out = loginPage({ ...base, error: 'Wrong email or password.', email: 'ada@example.com' });
    expect(out).toContain('<div class="alert" role="alert" id="form-error">Wrong email or password.</div>');
    expect(out).toContain('value="ada@example.com"');
    expect(out.match(/aria-invalid="true" aria-describedby="form-error"/g)).toHaveLength(2);
    expect(out).toMatch(/<input id="password"[^>]* autofocus/);
  });
  it('focuses the email field when it is empty', () => {
    expect(doc).toMatch(/<input id="email"[^>]* autofocus/);
    expect(doc).not.toMatch(/<input id="password"[^>]* autofocus/);
  });
  it('links to sign-up: "No account? Create one"', () => {
    const out = loginPage({ ...base, signupHref: '/signup?return_to=%2Fx' });
    expect(out).toContain('No account? <a href="/signup?return_to=%2Fx">Create one</a>');
  });
  it('refuses a javascript: sign-up link or action', () => {
    expect(() => loginPage({ ...base, signupHref: 'javascript:alert(1)' })).toThrow(/signupHref/);
    expect(() => loginPage({ ...base, action: '//evil.example/' })).toThrow(/action/);
  });
});
