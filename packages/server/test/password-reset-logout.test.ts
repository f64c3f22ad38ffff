/**
 * A password reset ends every session of the account, so every app the user is signed in to hears of
 * it over Back-Channel Logout 1.0: one logout token per app with a `backchannel_logout_uri`, naming
 * `sub` and no `sid` (§2.7: every session of that user at the app), queued in the reset's transaction
 * and posted to a receiver on 127.0.0.1, an app signed in to while the reset runs included. Apps
 * without a receiver, and apps of other users, get nothing; a link that no longer works queues nothing. On SQLite and PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forgotPassword, signIn, startMailingServer } from './support/accounts.js';
import { getTokens, signedInBrowser } from './support/attacks.js';
import { InjectBrowser, registerThreeLeggedApp } from './support/browser.js';
import { actionOf, HttpBrowser, hiddenField } from './support/http-browser.js';
import { LogoutReceiver, verifyLogoutToken } from './support/logout-receiver.js';
import { linkIn, Mailbox } from './support/mailbox.js';
import { OIDC_SCOPES } from './support/oidc.js';
import { dialects, type TestServer } from './support/server.js';

const EVENT = 'http://schemas.openid.net/event/backchannel-logout';
const OLD = 'the old long password';
const NEW = 'a brand new long password';

describe.each(dialects())('a password reset tells the apps on %s', (dialect) => {
  let mailbox: Mailbox;
  let s: TestServer;
  const receivers: LogoutReceiver[] = [];

  beforeAll(async () => {
    mailbox = await Mailbox.start();
    s = await startMailingServer(dialect, mailbox, {
      LATCHKEY_SCOPES: OIDC_SCOPES,
      LATCHKEY_BACKCHANNEL_LOGOUT_RETRY: '1',
    });
  });
  afterAll(async () => {
    for (const receiver of receivers) await receiver.stop();
    expect(s.logs.text).not.toMatch(/eyJ[\w-]+\.eyJ/);
    await s?.close();
    await mailbox?.close();
  });

  const receiver = async () => {
    const r = await new LogoutReceiver(200).start();
    receivers.push(r);
    return r;
  };
  /** An OpenID Connect app the browser signs in to, with a receiver or none. */
  const connectedApp = async (browser: InjectBrowser, host: string, backchannelUri?: string) => {
    const app = await registerThreeLeggedApp(s, {
      name: host,
      redirectUris: [`https://${host}/cb`],
      scope: 'openid offline_access data:read',
    });
    if (backchannelUri) await s.ctx.clients.update(app.client.id, { backchannelLogoutUri: backchannelUri });
    await getTokens(s, browser, app, { scope: 'openid offline_access data:read' });
    return app;
  };
  /** Resets `email`'s password through the mailed link; the reset form's answer. */
  const resetPassword = async (email: string, count = 1) => {
    expect((await forgotPassword(new HttpBrowser(s.config.issuer), email)).status).toBe(303);
    const link = linkIn(await mailbox.waitFor(email, count), '/reset-password');
    const browser = new HttpBrowser(s.config.issuer);
    const page = await browser.get(link);
    return browser.post(actionOf(page.body), {
      csrf: hiddenField(page.body, 'csrf'),
      token: hiddenField(page.body, 'token'),
      password: NEW,
      confirm: NEW,
    });
  };
  const queuedFor = (clientId: string) =>
    s.ctx.db.selectFrom('logout_deliveries').select('id').where('client_id', '=', clientId).execute();

  it('each app of every session gets one logout token naming sub and no sid', async () => {
    const carol = await s.ctx.users.create('carol@example.com', OLD, { name: 'Carol' });
    const dave = await s.ctx.users.create('dave@example.com', OLD, { name: 'Dave' });
    // Carol signed in twice (the form over HTTP, and a second browser), one app in each session.
    const overHttp = new HttpBrowser(s.config.issuer);
    expect((await signIn(overHttp, 'carol@example.com', OLD)).status).toBe(303);
    const laptop = await signedInBrowser(s, new InjectBrowser(s.app), carol.id);
    const phone = await signedInBrowser(s, new InjectBrowser(s.app), carol.id);
    const [first, second, others] = [await receiver(), await receiver(), await receiver()];
    const printer = await connectedApp(laptop, 'printer.example', first.url);
    const viewer = await connectedApp(phone, 'viewer.example', second.url);
    const silent = await connectedApp(phone, 'silent.example');
    // Dave's app has a receiver too: Carol's reset is not his logout.
    const daves = await connectedApp(
      await signedInBrowser(s, new InjectBrowser(s.app), dave.id),
      'daves.example',
      others.url,
    );

    const done = await resetPassword('carol@example.com');
    expect(done.status).toBe(303);
    expect(done.headers.get('location')).toBe('/reset-password?done=1');

    const jwksUrl = `${s.config.issuer}/.well-known/jwks.json`;
    for (const [r, app] of [
      [first, printer],
      [second, viewer],
    ] as const) {
      const [got] = await r.waitFor(1);
      const { payload, protectedHeader } = await verifyLogoutToken(got?.token as string, {
        jwksUrl,
        issuer: s.config.issuer,
        audience: app.client.id,
      });
      expect(protectedHeader.typ).toBe('logout+jwt');
      expect(payload.sub).toBe(carol.id);
      expect(payload).not.toHaveProperty('sid');
      expect(payload['events']).toEqual({ [EVENT]: {} });
    }
    // Once each; nothing for the app without a receiver, nor for Dave's.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(first.received).toHaveLength(1);
    expect(second.received).toHaveLength(1);
    expect(others.received).toHaveLength(0);
    expect(await queuedFor(silent.client.id)).toEqual([]);
    expect(await queuedFor(daves.client.id)).toEqual([]);
  });

  it('an app whose grant was revoked before the reset is still told, if a live session made it', async () => {
    const erin = await s.ctx.users.create('erin@example.com', OLD);
    const browser = await signedInBrowser(s, new InjectBrowser(s.app), erin.id);
    const r = await receiver();
    const app = await connectedApp(browser, 'revoked.example', r.url);
    await s.ctx.db
      .updateTable('grants')
      .set({ revoked_at: Math.floor(Date.now() / 1000) })
      .where('client_id', '=', app.client.id)
      .execute();
    expect((await resetPassword('erin@example.com')).status).toBe(303);
    const [got] = await r.waitFor(1);
    expect(got?.token).toMatch(/^eyJ/);
  });

  it('an app signed in to while the reset is under way is told too', async () => {
    const gina = await s.ctx.users.create('gina@example.com', OLD);
    const [early, late] = [await receiver(), await receiver()];
    await connectedApp(
      await signedInBrowser(s, new InjectBrowser(s.app), gina.id),
      'early.example',
      early.url,
    );
    // Whoever holds the old password signs in to another app after the new password was sent and
    // before the reset's transaction: the reset must still end that app's session.
    const resets = s.ctx.passwordResets;
    const reset = resets.reset.bind(resets);
    resets.reset = async (...args) => {
      const intruder = await signedInBrowser(s, new InjectBrowser(s.app), gina.id);
      await connectedApp(intruder, 'late.example', late.url);
      return reset(...args);
    };
    try {
      expect((await resetPassword('gina@example.com')).status).toBe(303);
    } finally {
      resets.reset = reset;
    }
    expect(await early.waitFor(1)).toHaveLength(1);
    expect(await late.waitFor(1)).toHaveLength(1);
  });

  it('a link that no longer works queues nothing', async () => {
    const frank = await s.ctx.users.create('frank@example.com', OLD);
    const browser = await signedInBrowser(s, new InjectBrowser(s.app), frank.id);
    const r = await receiver();
    const app = await connectedApp(browser, 'frank.example', r.url);
    expect((await forgotPassword(new HttpBrowser(s.config.issuer), 'frank@example.com')).status).toBe(303);
    const link = linkIn(await mailbox.waitFor('frank@example.com'), '/reset-password');
    const resetter = new HttpBrowser(s.config.issuer);
    const page = await resetter.get(link);
    // The link is used up by another reset between opening the form and sending it.
    await s.ctx.db.updateTable('email_links').set({ used_at: 1 }).where('user_id', '=', frank.id).execute();
    const late = await resetter.post(actionOf(page.body), {
      csrf: hiddenField(page.body, 'csrf'),
      token: hiddenField(page.body, 'token'),
      password: NEW,
      confirm: NEW,
    });
    expect(late.status).toBe(410);
    expect(await queuedFor(app.client.id)).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(r.received).toHaveLength(0);
  });
});
