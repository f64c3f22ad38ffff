/**
 * "Forgot password?" through a real SMTP server on loopback, the link followed over HTTP: a reset sets
 * the new password, ends every session and revokes every grant (refresh tokens answer invalid_grant);
 * the link works once and expires. The page answers an unknown email exactly as a registered one, before
 * anything is looked up; it is throttled per network, and each address gets a few emails per window.
 * On SQLite and PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { EMAILS_PER_ADDRESS } from '../src/accounts/account-mail.js';
import { sha256Hex } from '../src/tokens/random.js';
import { forgotPassword, signIn, startMailingServer } from './support/accounts.js';
import {
  expectInactive,
  expectInvalidGrant,
  getTokens,
  introspect,
  nowSeconds,
  refresh,
  signedInBrowser,
} from './support/attacks.js';
import { csrfOf, InjectBrowser, registerThreeLeggedApp } from './support/browser.js';
import { actionOf, HttpBrowser, hiddenField } from './support/http-browser.js';
import { linkIn, Mailbox, tokenOf } from './support/mailbox.js';
import { dialects, type TestServer } from './support/server.js';

const OLD = 'the old long password';
const NEW = 'a brand new long password';

describe.each(dialects())('password reset on %s', (dialect) => {
  let mailbox: Mailbox;
  let s: TestServer;

  beforeAll(async () => {
    mailbox = await Mailbox.start();
    s = await startMailingServer(dialect, mailbox, { LATCHKEY_SIGNUP_MAX_PER_IP: '8' });
  });
  afterAll(async () => {
    await s?.close();
    await mailbox?.close();
  });

  /** Asks for a reset of `email` from a fresh browser; the link of the `count`th email it gets. */
  const resetLink = async (email: string, count = 1) => {
    const asked = await forgotPassword(new HttpBrowser(s.config.issuer), email);
    expect(asked.status).toBe(303);
    return linkIn(await mailbox.waitFor(email, count), '/reset-password');
  };
  /** Posts the reset form a link opens. */
  const setPassword = async (browser: HttpBrowser, link: string, password: string, confirm = password) => {
    const page = await browser.get(link);
    expect(page.status).toBe(200);
    return browser.post(actionOf(page.body), {
      csrf: hiddenField(page.body, 'csrf'),
      token: hiddenField(page.body, 'token'),
      password,
      confirm,
    });
  };
  const passwordIs = async (email: string, password: string) =>
    (await s.ctx.users.verify(email, password)) !== undefined;

  it('Forgot password? → email → new password: sessions end, refresh tokens die, the new password works', async () => {
    const bob = await s.ctx.users.create('bob@example.com', OLD, { name: 'Bob' });
    // Two sessions (one signed in over HTTP), and a grant with a refresh token.
    const signedIn = new HttpBrowser(s.config.issuer);
    expect((await signIn(signedIn, 'bob@example.com', OLD)).status).toBe(303);
    const other = await signedInBrowser(s, new InjectBrowser(s.app), bob.id);
    const app = await registerThreeLeggedApp(s);
    const tokens = await getTokens(s, other, app);

    const browser = new HttpBrowser(s.config.issuer);
    const login = await browser.get('/login');
    expect(login.body).toContain('<a href="/forgot-password">Forgot password?</a>');
    const form = await browser.get('/forgot-password');
    expect(form.body).toContain('<h1>Reset your password</h1>');
    const asked = await browser.post('/forgot-password', {
      csrf: hiddenField(form.body, 'csrf'),
      email: 'Bob@Example.com',
    });
    expect(asked.status).toBe(303);
    expect(asked.headers.get('location')).toBe('/forgot-password?sent=1');
    expect((await browser.get('/forgot-password?sent=1')).body).toContain(
      'If an account exists for that email, we sent it a link to choose a new password. The link works for 30 minutes.',
    );

    const mail = await mailbox.waitFor('bob@example.com');
    expect(mail.headers.get('subject')).toBe('Reset your password');
    expect(mail.text).toContain('Hello Bob,');
    const link = linkIn(mail, '/reset-password');
    const token = tokenOf(link);
    const row = await s.ctx.db
      .selectFrom('email_links')
      .selectAll()
      .where('id_hash', '=', sha256Hex(token))
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ user_id: bob.id, purpose: 'reset', email: 'bob@example.com', used_at: null });
    expect(Number(row.expires_at) - Number(row.created_at)).toBe(30 * 60);

    const resetter = new HttpBrowser(s.config.issuer);
    const opened = await resetter.get(link);
    expect(opened.body).toContain('<h1>Choose a new password</h1>');
    expect(opened.body).toContain('<strong>bob@example.com</strong>');
    // The password rules of sign-up, typed twice; a refusal uses nothing up.
    const differ = await setPassword(resetter, link, NEW, `${NEW}!`);
    expect(differ.status).toBe(400);
    expect(differ.body).toContain('The two passwords differ.');
    const short = await setPassword(resetter, link, 'short');
    expect(short.status).toBe(400);
    expect(short.body).toContain('Use at least 10 characters.');
    expect(await passwordIs('bob@example.com', OLD)).toBe(true);

    const done = await setPassword(resetter, link, NEW);
    expect(done.status).toBe(303);
    expect(done.headers.get('location')).toBe('/reset-password?done=1');
    expect((await resetter.get('/reset-password?done=1')).body).toContain('<h1>Password changed</h1>');

    // Every session ended; every grant revoked: the refresh token is refused, the access token inactive.
    expect((await signedIn.get('/account/apps')).headers.get('location')).toMatch(/^\/login\?/);
    expect((await other.get('/account/apps')).headers['location']).toMatch(/^\/login\?/);
    const sessions = await s.ctx.db
      .selectFrom('sessions')
      .select('id_hash')
      .where('user_id', '=', bob.id)
      .execute();
    expect(sessions).toEqual([]);
    expectInvalidGrant(await refresh(s.app, app.basic, tokens.refresh_token));
    expectInactive(await introspect(s.app, app.basic, tokens.access_token));
    const events = (await s.ctx.audit.list({ limit: 100 })).filter((e) => e.userId === bob.id);
    expect(events).toContainEqual(
      expect.objectContaining({
        type: 'user.password_reset',
        actor: bob.id,
        details: { sessions_ended: 2, grants_revoked: 1 },
      }),
    );
    expect(events).toContainEqual(
      expect.objectContaining({
        type: 'grant.revoked',
        clientId: app.client.id,
        details: expect.objectContaining({ reason: 'password_reset' }),
      }),
    );

    // The new password signs in; the old one does not.
    expect(await passwordIs('bob@example.com', OLD)).toBe(false);
    const fresh = new HttpBrowser(s.config.issuer);
    expect((await signIn(fresh, 'bob@example.com', OLD)).status).toBe(401);
    const back = await signIn(fresh, 'bob@example.com', NEW);
    expect(back.status).toBe(303);
    expect((await fresh.get('/account/apps')).status).toBe(200);

    // The link works once.
    const reused = await resetter.get(link);
    expect(reused.status).toBe(410);
    expect(reused.body).toContain('This link no longer works');
    expect(reused.body).toContain('href="/forgot-password"');
    const replay = await resetter.post('/reset-password', {
      csrf: hiddenField(opened.body, 'csrf'),
      token,
      password: 'yet another long password',
      confirm: 'yet another long password',
    });
    expect(replay.status).toBe(410);
    expect(await passwordIs('bob@example.com', NEW)).toBe(true);
    expect(s.logs.text).not.toContain(token);
  });

  it('an expired link is refused and changes nothing; a newer link retires the older ones once used', async () => {
    await s.ctx.users.create('carol@example.com', OLD);
    const expired = await resetLink('carol@example.com');
    await s.ctx.db
      .updateTable('email_links')
      .set({ expires_at: nowSeconds() - 1 })
      .where('id_hash', '=', sha256Hex(tokenOf(expired)))
      .execute();
    const browser = new HttpBrowser(s.config.issuer);
    expect((await browser.get(expired)).status).toBe(410);
    const page = await browser.get('/forgot-password');
    const posted = await browser.post('/reset-password', {
      csrf: hiddenField(page.body, 'csrf'),
      token: tokenOf(expired),
      password: NEW,
      confirm: NEW,
    });
    expect(posted.status).toBe(410);
    expect(await passwordIs('carol@example.com', OLD)).toBe(true);

    const older = await resetLink('carol@example.com', 2);
    const newer = await resetLink('carol@example.com', 3);
    expect((await setPassword(browser, newer, NEW)).status).toBe(303);
    expect((await browser.get(older)).status).toBe(410);
  });

  it('one link used twice at once: exactly one reset happens', async () => {
    await s.ctx.users.create('dave@example.com', OLD);
    const link = await resetLink('dave@example.com');
    const [a, b] = [new HttpBrowser(s.config.issuer), new HttpBrowser(s.config.issuer)];
    const [pageA, pageB] = await Promise.all([a.get(link), b.get(link)]);
    const form = (page: string, password: string) => ({
      csrf: hiddenField(page, 'csrf'),
      token: tokenOf(link),
      password,
      confirm: password,
    });
    const answers = await Promise.all([
      a.post('/reset-password', form(pageA.body, 'first long password')),
      b.post('/reset-password', form(pageB.body, 'second long password')),
    ]);
    expect(answers.map((r) => r.status).sort()).toEqual([303, 410]);
    const first = await passwordIs('dave@example.com', 'first long password');
    const second = await passwordIs('dave@example.com', 'second long password');
    expect([first, second].filter(Boolean)).toHaveLength(1);
    const resets = (await s.ctx.audit.list({ limit: 200 })).filter((e) => e.type === 'user.password_reset');
    const dave = await s.ctx.users.findByEmail('dave@example.com');
    expect(resets.filter((e) => e.userId === dave!.id)).toHaveLength(1);
  });

  it('an unknown email gets the same answer as a registered one, sent before anything is looked up', async () => {
    await s.ctx.users.create('erin@example.com', OLD);
    // A look-up that takes 1.5 s: an answer that waited for it would take as long.
    const findByEmail = s.ctx.users.findByEmail.bind(s.ctx.users);
    const slow = vi.spyOn(s.ctx.users, 'findByEmail').mockImplementation(async (email) => {
      await new Promise((resolve) => setTimeout(resolve, 1500));
      return findByEmail(email);
    });
    try {
      const answers = [];
      for (const email of ['erin@example.com', 'nobody@example.com']) {
        const browser = new HttpBrowser(s.config.issuer);
        const form = await browser.get('/forgot-password');
        const started = performance.now();
        const res = await browser.post('/forgot-password', { csrf: hiddenField(form.body, 'csrf'), email });
        const ms = performance.now() - started;
        const sent = await browser.get(res.headers.get('location') ?? '');
        answers.push({
          ms,
          status: res.status,
          location: res.headers.get('location'),
          headers: [...res.headers.keys()].filter((h) => h !== 'date').sort(),
          body: res.body,
          page: sent.body.replace(/nonce="[^"]+"/g, ''),
        });
      }
      const [registered, unknown] = answers;
      expect(registered!.ms).toBeLessThan(1000);
      expect(unknown!.ms).toBeLessThan(1000);
      expect({ ...registered, ms: 0 }).toEqual({ ...unknown, ms: 0 });
      expect(registered!.status).toBe(303);
      await s.ctx.accountMail.idle();
      expect(slow).toHaveBeenCalledTimes(2);
    } finally {
      slow.mockRestore();
    }
    expect(mailbox.to('erin@example.com')).toHaveLength(1);
    expect(mailbox.to('nobody@example.com')).toHaveLength(0);
  });

  it('hostile input never reaches a query: a NUL or an overlong value in the email or the token', async () => {
    const browser = new InjectBrowser(s.app, '10.63.0.1');
    const page = await browser.get('/forgot-password');
    for (const email of ['a\u0000b@example.com', `${'a'.repeat(400)}@example.com`]) {
      const res = await browser.post('/forgot-password', { csrf: csrfOf(page.body), email });
      expect(res.statusCode).toBe(400);
      expect(res.body).toContain('Enter a valid email address.');
    }
    for (const token of ['\u0000'.repeat(43), 'x'.repeat(5000), `${'A'.repeat(42)}\u0000`]) {
      expect((await browser.get(`/reset-password?${new URLSearchParams({ token })}`)).statusCode).toBe(410);
      const res = await browser.post('/reset-password', {
        csrf: csrfOf(page.body),
        token,
        password: NEW,
        confirm: NEW,
      });
      expect(res.statusCode).toBe(410);
      expect((await browser.post('/verify-email', { csrf: csrfOf(page.body), token })).statusCode).toBe(410);
    }
  });

  it('throttled per network like sign-up (429 with Retry-After); each address gets five emails per window', async () => {
    const network = new InjectBrowser(s.app, '10.61.0.1');
    const page = await network.get('/forgot-password');
    const ask = (browser: InjectBrowser, email: string) =>
      browser.post('/forgot-password', { csrf: csrfOf(page.body), email });
    for (let i = 0; i < 8; i++) expect((await ask(network, `nobody${i}@example.com`)).statusCode).toBe(303);
    const refused = await ask(network, 'nobody@example.com');
    expect(refused.statusCode).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(refused.body).toContain('Too many requests from your network.');
    expect(refused.body).toContain('value="nobody@example.com"');

    await s.ctx.users.create('flood@example.com', OLD);
    for (let i = 0; i < EMAILS_PER_ADDRESS + 3; i++) {
      const elsewhere = new InjectBrowser(s.app, `10.62.${i}.1`);
      const form = await elsewhere.get('/forgot-password');
      const res = await elsewhere.post('/forgot-password', {
        csrf: csrfOf(form.body),
        email: 'flood@example.com',
      });
      expect(res.statusCode).toBe(303);
    }
    await s.ctx.accountMail.idle();
    await mailbox.waitFor('flood@example.com', EMAILS_PER_ADDRESS);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(mailbox.to('flood@example.com')).toHaveLength(EMAILS_PER_ADDRESS);
  });
});
