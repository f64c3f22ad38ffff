/**
 * Sign-up with a name and email verification, through a real SMTP server on loopback: the message is
 * read as a mail client would and its link followed over HTTP. `email_verified` is true only after the
 * link was followed, once, while the account still has the address. Without LATCHKEY_SMTP_URL the link
 * is logged once, at warn level; a mail server that cannot be reached is logged without the link.
 * On SQLite and PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Hex } from '../src/tokens/random.js';
import { MAIL_FROM, signUp, startMailingServer } from './support/accounts.js';
import { csrfOf, InjectBrowser } from './support/browser.js';
import { actionOf, HttpBrowser, hiddenField } from './support/http-browser.js';
import { linkIn, Mailbox, tokenOf } from './support/mailbox.js';
import { freePort } from './support/process.js';
import { dialects, startTestServer, type TestServer } from './support/server.js';

const PASSWORD = 'a long enough password';

describe.each(dialects())('email verification on %s', (dialect) => {
  let mailbox: Mailbox;
  let s: TestServer;

  beforeAll(async () => {
    mailbox = await Mailbox.start();
    s = await startMailingServer(dialect, mailbox);
  });
  afterAll(async () => {
    await s?.close();
    await mailbox?.close();
  });

  /** The verification link of the `count`th email to `email`. */
  const verificationLink = async (email: string, count = 1) =>
    linkIn(await mailbox.waitFor(email, count), '/verify-email');

  it('sign-up asks for a name and emails a link; following it verifies the email, once', async () => {
    const browser = new HttpBrowser(s.config.issuer);
    expect((await browser.get('/signup')).body).toContain('<label for="name">Name</label>');
    const signedUp = await signUp(browser, '  Ada Lovelace ', 'Ada@Example.com', PASSWORD);
    expect(signedUp.status).toBe(303);
    const user = await s.ctx.users.findByEmail('ada@example.com');
    expect(user).toMatchObject({ name: 'Ada Lovelace', emailVerified: false });

    const mail = await mailbox.waitFor('ada@example.com');
    // Sent with the login and the From of the configuration.
    expect(mail.user).toBe('latchkey');
    expect(mail.mailFrom).toBe('accounts@example.com');
    expect(mail.headers.get('from')).toBe(MAIL_FROM);
    expect(mail.headers.get('to')).toBe('ada@example.com');
    expect(mail.headers.get('subject')).toBe('Confirm your email address');
    expect(mail.text).toContain('Hello Ada Lovelace,');
    expect(mail.text).toContain('The link works once, for 24 hours.');
    const link = linkIn(mail, '/verify-email');
    expect(link.startsWith(`${s.config.issuer}/verify-email?token=`)).toBe(true);
    expect(mail.html).toContain(`href="${link}"`);
    const token = tokenOf(link);

    // Only the token's SHA-256 is stored, with the address it was sent to.
    const rows = await s.ctx.db
      .selectFrom('email_links')
      .selectAll()
      .where('user_id', '=', user!.id)
      .execute();
    expect(rows).toEqual([
      expect.objectContaining({
        id_hash: sha256Hex(token),
        purpose: 'verify',
        email: 'ada@example.com',
        used_at: null,
      }),
    ]);
    expect(Number(rows[0]!.expires_at) - Number(rows[0]!.created_at)).toBe(24 * 3600);
    expect(JSON.stringify(rows)).not.toContain(token);

    const unverified = await browser.get('/account/apps');
    expect(unverified.body).toContain('Not verified');
    expect(unverified.body).toContain('Send the link again');

    // Opening the link (from any browser) asks first: a mail scanner that opens it changes nothing.
    const elsewhere = new HttpBrowser(s.config.issuer);
    const opened = await elsewhere.get(link);
    expect(opened.status).toBe(200);
    expect(opened.body).toContain('<h1>Confirm your email</h1>');
    expect(opened.body).toContain('<strong>ada@example.com</strong>');
    expect((await s.ctx.users.findByEmail('ada@example.com'))?.emailVerified).toBe(false);
    const form = { csrf: hiddenField(opened.body, 'csrf'), token: hiddenField(opened.body, 'token') };
    const confirmed = await elsewhere.post(actionOf(opened.body), form);
    expect(confirmed.status).toBe(303);
    expect(confirmed.headers.get('location')).toBe('/verify-email?done=1');
    expect((await elsewhere.get('/verify-email?done=1')).body).toContain('<h1>Email confirmed</h1>');

    const verified = await s.ctx.users.findByEmail('ada@example.com');
    expect(verified).toMatchObject({ emailVerified: true, name: 'Ada Lovelace' });
    expect(verified!.updatedAt).toBeGreaterThanOrEqual(verified!.createdAt);
    const events = await s.ctx.audit.list({ limit: 100 });
    expect(events.filter((e) => e.userId === user!.id).map((e) => [e.type, e.actor])).toContainEqual([
      'user.email_verified',
      user!.id,
    ]);
    const account = await browser.get('/account/apps');
    expect(account.body).toContain('<span class="badge badge-ok">Verified</span>');
    expect(account.body).not.toContain('Send the link again');

    // Once: the same link again, opened or posted, is refused and changes nothing.
    const reopened = await elsewhere.get(link);
    expect(reopened.status).toBe(410);
    expect(reopened.body).toContain('This link no longer works');
    expect((await elsewhere.post('/verify-email', form)).status).toBe(410);
    expect(s.logs.text).not.toContain(token);
  });

  it('a link counts only while the account still has the address it was sent to', async () => {
    const browser = new HttpBrowser(s.config.issuer);
    expect((await signUp(browser, 'Grace', 'grace@example.com', PASSWORD)).status).toBe(303);
    const link = await verificationLink('grace@example.com');
    await s.ctx.db
      .updateTable('users')
      .set({ email: 'grace.new@example.com' })
      .where('email', '=', 'grace@example.com')
      .execute();
    expect((await browser.get(link)).status).toBe(410);
    const page = await browser.get('/signup');
    const posted = await browser.post('/verify-email', {
      csrf: hiddenField(page.body, 'csrf'),
      token: tokenOf(link),
    });
    expect(posted.status).toBe(410);
    expect((await s.ctx.users.findByEmail('grace.new@example.com'))?.emailVerified).toBe(false);
  });

  it('refuses tokens of another shape, unknown, or of the other purpose', async () => {
    const browser = new HttpBrowser(s.config.issuer);
    for (const query of ['', '?token=', '?token=short', `?token=${'A'.repeat(43)}`, '?token=a&token=b']) {
      const res = await browser.get(`/verify-email${query}`);
      expect(res.status, query).toBe(410);
      expect(res.body).toContain('link_expired');
    }
    const user = await s.ctx.users.create('hedy@example.com', PASSWORD);
    const reset = await s.ctx.emailLinks.issue(user.id, 'reset', user.email, 600);
    expect((await browser.get(`/verify-email?token=${reset}`)).status).toBe(410);
    const verify = await s.ctx.emailLinks.issue(user.id, 'verify', user.email, 600);
    expect((await browser.get(`/reset-password?token=${verify}`)).status).toBe(410);
  });

  it('"Send the link again": a new link each time, five emails per address per window, then 429', async () => {
    const browser = new HttpBrowser(s.config.issuer);
    expect((await signUp(browser, 'Katherine', 'katherine@example.com', PASSWORD)).status).toBe(303);
    await verificationLink('katherine@example.com');
    for (let sent = 2; sent <= 5; sent++) {
      const page = await browser.get('/account/apps');
      const res = await browser.post('/account/verify-email', { csrf: csrfOf(page.body) });
      expect(res.status).toBe(303);
      expect(res.headers.get('location')).toBe('/account/apps?sent=1');
      expect((await browser.get('/account/apps?sent=1')).body).toContain(
        'We sent a new link to katherine@example.com. It works for 24 hours.',
      );
      await verificationLink('katherine@example.com', sent);
    }
    const page = await browser.get('/account/apps');
    const refused = await browser.post('/account/verify-email', { csrf: csrfOf(page.body) });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(refused.body).toContain('We sent several links to katherine@example.com recently.');
    // Every link sent works (the newest is not the only one), until one is used.
    const first = linkIn(mailbox.to('katherine@example.com')[0]!, '/verify-email');
    expect((await browser.get(first)).status).toBe(200);
    expect(mailbox.to('katherine@example.com')).toHaveLength(5);

    const signedOut = new HttpBrowser(s.config.issuer);
    const form = await signedOut.get('/login');
    const anonymous = await signedOut.post('/account/verify-email', { csrf: hiddenField(form.body, 'csrf') });
    expect(anonymous.status).toBe(403);
    expect(anonymous.body).toContain('signed_out');
  });

  it('keeps a refused form, name included, and refuses a name that cannot be one', async () => {
    const browser = new HttpBrowser(s.config.issuer);
    const page = await browser.get('/signup');
    const post = (name: string, email = 'lin@example.com', password = PASSWORD) =>
      browser.post('/signup', { csrf: hiddenField(page.body, 'csrf'), name, email, password });
    const short = await post('Lin Qiao', 'lin@example.com', 'short');
    expect(short.status).toBe(400);
    expect(short.body).toContain('value="Lin Qiao"');
    expect(short.body).toContain('value="lin@example.com"');
    for (const [name, problem] of [
      ['   ', 'Enter your name.'],
      ['x'.repeat(201), 'Use at most 200 characters for your name.'],
      ['Lin\nQiao', 'Enter your name on one line'],
      ['Lin\u0000Qiao', 'Enter your name on one line'],
    ] as const) {
      const res = await post(name);
      expect(res.status, JSON.stringify(name)).toBe(400);
      expect(res.body).toContain(problem);
    }
    // 200 characters (counted as code points, as PostgreSQL's varchar counts them) fit.
    const longest = '𝒜'.repeat(200);
    expect((await post(longest, 'longest@example.com')).status).toBe(303);
    expect((await s.ctx.users.findByEmail('longest@example.com'))?.name).toBe(longest);
    expect(await s.ctx.users.findByEmail('lin@example.com')).toBeUndefined();
  });
});

describe('account emails without a working mail server (SQLite)', () => {
  it('without LATCHKEY_SMTP_URL, writes each link to the log once, at warn level, saying no SMTP is set', async () => {
    const s = await startTestServer('sqlite');
    try {
      const browser = new InjectBrowser(s.app);
      const page = await browser.get('/signup');
      const form = { csrf: csrfOf(page.body), name: 'Mary', email: 'mary@example.com', password: PASSWORD };
      expect((await browser.post('/signup', form)).statusCode).toBe(303);
      const forgot = await browser.get('/forgot-password');
      for (const email of ['mary@example.com', 'nobody@example.com'])
        await browser.post('/forgot-password', { csrf: csrfOf(forgot.body), email });
      await s.ctx.accountMail.idle();

      const withLinks = s.logs.lines.filter((line) => /token=/.test(line));
      expect(withLinks).toHaveLength(2);
      const entries = withLinks.map((line) => JSON.parse(line) as { level: number; msg: string; to: string });
      for (const entry of entries) {
        expect(entry.level).toBe(40);
        expect(entry.to).toBe('mary@example.com');
        expect(entry.msg).toMatch(
          /^no SMTP server is set \(LATCHKEY_SMTP_URL\), so this (email verification|password reset) link for mary@example\.com was not emailed: http:\/\/localhost:4000\//,
        );
      }
      const paths = entries.map(
        (e) => /http:\/\/localhost:4000(\/[\w-]+\?token=[\w-]{43})$/.exec(e.msg)?.[1],
      );
      expect(paths.map((path) => path?.split('?')[0]).sort()).toEqual(['/reset-password', '/verify-email']);
      // Each logged once, and it works.
      for (const path of paths as string[]) {
        const token = new URL(path, 'http://x').searchParams.get('token')!;
        expect(s.logs.lines.filter((line) => line.includes(token))).toHaveLength(1);
        expect((await browser.get(path)).statusCode).toBe(200);
      }
    } finally {
      await s.close();
    }
  });

  it('a mail server that cannot be reached: the same answer, and an error logged without the link', async () => {
    const closed = await freePort();
    const s = await startTestServer('sqlite', { LATCHKEY_SMTP_URL: `smtp://127.0.0.1:${closed}` });
    try {
      await s.ctx.users.create('ida@example.com', PASSWORD);
      const browser = new InjectBrowser(s.app);
      const page = await browser.get('/forgot-password');
      const res = await browser.post('/forgot-password', {
        csrf: csrfOf(page.body),
        email: 'ida@example.com',
      });
      expect(res.statusCode).toBe(303);
      expect(res.headers['location']).toBe('/forgot-password?sent=1');
      await s.ctx.accountMail.idle();
      const failures = s.logs.lines
        .map((line) => JSON.parse(line))
        .filter((e) => e.msg === 'could not send an account email');
      expect(failures).toHaveLength(1);
      expect(failures[0]).toMatchObject({ level: 50, purpose: 'reset' });
      expect(s.logs.text).not.toMatch(/token=|reset-password\?/);
      // The link was stored (hashed) all the same: it is the email that failed.
      expect(await s.ctx.db.selectFrom('email_links').select('purpose').execute()).toEqual([
        { purpose: 'reset' },
      ]);
    } finally {
      await s.close();
    }
  });
});
