/** Tests of the sign-up page's content. */
import { describe, expect, it } from 'vitest';
import { MIN_PASSWORD_LENGTH, signupPage } from './signup.js';

const base = { nonce: 'bm9uY2U', csrf: 'tok', action: '/signup', loginHref: '/login' };

describe('signupPage', () => {
  const doc = signupPage(base);

  it('posts to the action with the csrf token', () => {
    expect(doc).toContain('<form class="form" method="post" action="/signup">');
    expect(doc).toContain('<input type="hidden" name="csrf" value="tok">');
  });
  it('has Email and a new Password of at least 10 characters, labelled and described', () => {
    expect(MIN_PASSWORD_LENGTH).toBe(10);
    expect(doc).toContain('<label for="email">Email</label>');
    expect(doc).toMatch(/<input id="email" name="email" type="email" autocomplete="username" required\b/);
    expect(doc).toContain('<label for="password">Password</label>');
    expect(doc).toMatch(
      /<input id="password" name="password" type="password" autocomplete="new-password" required minlength="10"[^>]* aria-describedby="password-hint"/,
    );
    expect(doc).toContain('<p class="hint" id="password-hint">At least 10 characters.</p>');
  });
  it('has a Create account submit button and a link back to sign-in', () => {
    expect(doc).toMatch(/<button class="[^"]*" type="submit">Create account<\/button>/);
    expect(doc).toContain('Already have an account? <a href="/login">Sign in</a>');
  });
  it('shows the error in a role="alert" box and keeps the email', () => {
    const out = signupPage({ ...base, error: 'That email is already registered.', email: 'ada@example.com' });
    expect(out).toContain(
      '<div class="alert" role="alert" id="form-error">That email is already registered.</div>',
    );
    expect(out).toContain('value="ada@example.com"');
    expect(out).toContain('aria-describedby="password-hint form-error" aria-invalid="true"');
    expect(doc).not.toContain('role="alert"');
  });
  it('refuses a javascript: sign-in link', () => {
    expect(() => signupPage({ ...base, loginHref: 'javascript:alert(1)' })).toThrow(/loginHref/);
  });
});
