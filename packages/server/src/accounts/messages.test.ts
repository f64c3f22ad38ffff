/** The account emails: the link on a line of its own, names escaped in HTML, the lifetimes said. */
import { describe, expect, it } from 'vitest';
import { resetEmail, verificationEmail } from './messages.js';

const LINK = 'https://id.example/verify-email?token=abc_DEF-123';

describe('account emails', () => {
  it('the verification email greets by name and carries the link alone on its line', () => {
    const email = verificationEmail({ email: 'ada@example.com', name: 'Ada' }, LINK);
    expect(email).toMatchObject({
      purpose: 'verify',
      to: 'ada@example.com',
      subject: 'Confirm your email address',
    });
    expect(email.text.split('\n')).toContain(LINK);
    expect(email.text).toMatch(/^Hello Ada,\n/);
    expect(email.text).toContain('works once, for 24 hours');
    expect(email.html).toContain(`href="${LINK}"`);
  });
  it('the reset email says the link lasts 30 minutes and that a new password signs out everywhere', () => {
    const email = resetEmail({ email: 'bob@example.com' }, LINK);
    expect(email).toMatchObject({ purpose: 'reset', subject: 'Reset your password', link: LINK });
    expect(email.text).toMatch(/^Hello,\n/);
    expect(email.text).toContain('works once, for 30 minutes');
    expect(email.text).toContain('signs you out everywhere');
  });
  it('escapes a hostile name and address in the HTML', () => {
    const email = verificationEmail({ email: 'a"<b>@example.com', name: '<script>alert(1)</script>' }, LINK);
    expect(email.html).not.toContain('<script>');
    expect(email.html).toContain('Hello &lt;script&gt;alert(1)&lt;/script&gt;,');
    expect(email.html).toContain('a&quot;&lt;b&gt;@example.com');
  });
});
