/**
 * OIDC Back-Channel Logout 1.0 to real receivers on 127.0.0.1: a sign-out sends each app its session
 * signed in to a logout token (§2.4, §2.5), verified with jose against the server's JWKS; failed
 * attempts are retried with backoff up to a bound, a hung receiver is timed out, apps without a
 * `backchannel_logout_uri` get nothing, and servers sharing a database send each token once.
 *
 * The sessions and grants come from the real sign-in and consent pages and the token endpoint, whose
 * code redemption records the session's `sid` on the grant (OIDC Core §2).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../src/logger.js';
import { signLogoutToken } from '../src/logout/logout-token.js';
import { subjectFor } from '../src/oidc/subject.js';
import { createServer, type RunningServer } from '../src/server.js';
import { LogoutDeliveryRepository } from '../src/storage/logout-deliveries.js';
import { getTokens, ISSUER, refresh } from './support/attacks.js';
import { csrfOf, InjectBrowser, registerThreeLeggedApp, signIn } from './support/browser.js';
import { idTokenHint, liveSession } from './support/logout.js';
import { LogoutReceiver, verifyLogoutToken } from './support/logout-receiver.js';
import { dialects, LogCapture, startTestServer, type TestServer } from './support/server.js';

const EVENT = 'http://schemas.openid.net/event/backchannel-logout';
const PASSWORD = 'correct horse battery';

describe.each(dialects())('Back-Channel Logout on %s', (dialect) => {
  let s: TestServer;
  let jwksUrl: string;
  const receivers: LogoutReceiver[] = [];
  let users = 0;

  beforeAll(async () => {
    s = await startTestServer(dialect, {
      LATCHKEY_BACKCHANNEL_LOGOUT_TIMEOUT: '1',
      LATCHKEY_BACKCHANNEL_LOGOUT_ATTEMPTS: '3',
      LATCHKEY_BACKCHANNEL_LOGOUT_RETRY: '1',
    });
    await s.app.listen({ port: 0, host: '127.0.0.1' });
    const address = s.app.server.address();
    jwksUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/.well-known/jwks.json`;
  });
  afterAll(async () => {
    for (const receiver of receivers) await receiver.stop();
    // Never a token in the logs: not the logout tokens, nor the ID tokens used as hints.
    expect(s.logs.text).not.toMatch(/eyJ[\w-]+\.eyJ/);
    await s?.close();
  });

  const receiver = async (fallback: number | 'hang' = 200) => {
    const r = await new LogoutReceiver(fallback).start();
    receivers.push(r);
    return r;
  };
  /** A signed-in browser of a fresh user, through the sign-in form. */
  async function signedInUser() {
    const email = `user${++users}@example.com`;
    const user = await s.ctx.users.create(email, PASSWORD);
    const browser = new InjectBrowser(s.app);
    expect((await signIn(browser, email, PASSWORD)).statusCode).toBe(303);
    return { user, browser };
  }
  /** An app with a back-channel receiver (or none), and a grant of the browser's session to it. */
  async function connectedApp(browser: InjectBrowser, name: string, backchannelUri: string | undefined) {
    const n = ++users;
    const app = await registerThreeLeggedApp(s, { name, redirectUris: [`https://app${n}.example/cb`] });
    if (backchannelUri) await s.ctx.clients.update(app.client.id, { backchannelLogoutUri: backchannelUri });
    const tokens = await getTokens(s, browser, app, { scope: 'data:read' });
    return { ...app, tokens };
  }
  /** Signs out through the pages' Sign out button. */
  async function signOut(browser: InjectBrowser) {
    const page = await browser.get('/account/apps');
    const res = await browser.post('/logout', { csrf: csrfOf(page.body) });
    expect(res.statusCode).toBe(303);
    expect(res.headers['location']).toBe('/login');
  }
  const queued = async (clientId?: string) =>
    s.ctx.db
      .selectFrom('logout_deliveries')
      .selectAll()
      .$if(clientId !== undefined, (q) => q.where('client_id', '=', clientId as string))
      .execute();
  const waitUntilEmpty = async (clientId: string) => {
    const deadline = Date.now() + 15_000;
    while ((await queued(clientId)).length > 0) {
      if (Date.now() > deadline) throw new Error('the delivery row is still queued');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };

  it('Sign out sends each app of the session a logout token that verifies (typ, events, sid, aud, no nonce)', async () => {
    const { user, browser } = await signedInUser();
    const first = await receiver(200);
    const second = await receiver(204);
    const printer = await connectedApp(browser, 'Printer', first.url);
    const viewer = await connectedApp(browser, 'Viewer', second.url);
    const { sid } = await liveSession(s, browser);
    await signOut(browser);

    for (const [r, app] of [
      [first, printer],
      [second, viewer],
    ] as const) {
      const [got] = await r.waitFor(1);
      expect(got?.method).toBe('POST');
      expect(got?.contentType).toBe('application/x-www-form-urlencoded');
      expect(got?.names).toEqual(['logout_token']);
      const { payload, protectedHeader } = await verifyLogoutToken(got?.token as string, {
        jwksUrl,
        issuer: ISSUER,
        audience: app.client.id,
      });
      expect(protectedHeader).toMatchObject({ typ: 'logout+jwt', alg: 'RS256' });
      expect(payload.sub).toBe(user.id);
      expect(payload['sid']).toBe(sid);
      expect(payload['events']).toEqual({ [EVENT]: {} });
      expect(payload).not.toHaveProperty('nonce');
      expect((payload.exp as number) - (payload.iat as number)).toBeLessThanOrEqual(120);
      expect(payload.jti).toMatch(/^[\w-]{20,}$/);
      await waitUntilEmpty(app.client.id);
    }
    // Each got one token, once.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(first.received).toHaveLength(1);
    expect(second.received).toHaveLength(1);
    // The grants stay: Back-Channel Logout 1.0 §2.7 leaves it to the app (logout/end-session.ts).
    expect((await refresh(s.app, printer.basic, printer.tokens.refresh_token)).statusCode).toBe(200);
  });

  it('nothing is sent to, or queued for, apps without a backchannel_logout_uri', async () => {
    const { browser } = await signedInUser();
    const r = await receiver(200);
    const silent = await connectedApp(browser, 'No receiver', undefined);
    const told = await connectedApp(browser, 'Receiver', r.url);
    await signOut(browser);
    await r.waitFor(1);
    expect(await queued(silent.client.id)).toEqual([]);
    await waitUntilEmpty(told.client.id);
    expect(r.received).toHaveLength(1);
  });

  it('names the user as each app knows them: a pairwise sub, signed with the app ES256 key', async () => {
    const { user, browser } = await signedInUser();
    const r = await receiver(200);
    const app = await connectedApp(browser, 'Pairwise', r.url);
    await s.ctx.clients.update(app.client.id, { subjectType: 'pairwise', idTokenSignedResponseAlg: 'ES256' });
    await signOut(browser);
    const [got] = await r.waitFor(1);
    const { payload, protectedHeader } = await verifyLogoutToken(got?.token as string, {
      jwksUrl,
      issuer: ISSUER,
      audience: app.client.id,
      algorithms: ['ES256'],
    });
    expect(protectedHeader.alg).toBe('ES256');
    const client = await s.ctx.clients.find(app.client.id);
    expect(payload.sub).toBe(subjectFor(client as NonNullable<typeof client>, user.id, s.ctx.pairwiseKey));
    expect(payload.sub).not.toBe(user.id);
  });

  it('RP-Initiated Logout with a valid hint tells the apps too', async () => {
    const { user, browser } = await signedInUser();
    const r = await receiver(200);
    const app = await connectedApp(browser, 'Hinted', r.url);
    const { sid } = await liveSession(s, browser);
    const hint = await idTokenHint(s, { sub: user.id, aud: app.client.id, sid });
    const res = await browser.get(`/oauth/logout?${new URLSearchParams({ id_token_hint: hint })}`);
    expect(res.body).toContain('You are signed out');
    const [got] = await r.waitFor(1);
    const { payload } = await verifyLogoutToken(got?.token as string, {
      jwksUrl,
      issuer: ISSUER,
      audience: app.client.id,
    });
    expect(payload['sid']).toBe(sid);
  });

  it('retries a receiver that answers 500, with backoff, until it answers 200', async () => {
    const { browser } = await signedInUser();
    const r = await receiver(200);
    r.answerNext(500, 500);
    const app = await connectedApp(browser, 'Flaky', r.url);
    await signOut(browser);
    const got = await r.waitFor(3);
    await waitUntilEmpty(app.client.id);
    // The same token each time: it is still valid.
    expect(new Set(got.map((g) => g.token)).size).toBe(1);
    // Retries after the first delay (1 s), then twice it: next attempts are kept in whole seconds.
    expect(got[1]!.at - got[0]!.at).toBeGreaterThanOrEqual(900);
    expect(got[2]!.at - got[1]!.at).toBeGreaterThanOrEqual(1_900);
    expect(s.logs.text).toMatch(/back-channel logout attempt failed; retrying/);
  });

  it('gives up after the last attempt, logs it at warn without the token, and sends no more', async () => {
    const { browser } = await signedInUser();
    const r = await receiver(500);
    const app = await connectedApp(browser, 'Down', r.url);
    await signOut(browser);
    await r.waitFor(3);
    await waitUntilEmpty(app.client.id);
    await new Promise((resolve) => setTimeout(resolve, 4_500));
    expect(r.received).toHaveLength(3);
    const gaveUp = s.logs.lines
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .find((line) => line['client_id'] === app.client.id && /given up/.test(String(line['msg'])));
    expect(gaveUp).toMatchObject({ level: 40, attempt: 3, reason: 'HTTP 500' });
    expect(JSON.stringify(gaveUp)).not.toContain(r.received[0]?.token as string);
  });

  it('times out a receiver that never answers, then tries again', async () => {
    const { browser } = await signedInUser();
    const r = await receiver(200);
    r.answerNext('hang');
    const app = await connectedApp(browser, 'Hangs', r.url);
    await signOut(browser);
    const got = await r.waitFor(2);
    await waitUntilEmpty(app.client.id);
    // The hung request was abandoned after the 1 s deadline, not left open.
    const hung = got[0] as NonNullable<(typeof got)[0]>;
    expect(hung.closedAt).toBeDefined();
    expect((hung.closedAt as number) - hung.at).toBeGreaterThanOrEqual(900);
    expect((hung.closedAt as number) - hung.at).toBeLessThan(3_000);
    expect(s.logs.text).toContain('timed out after 1 s');
  });

  it('two sign-outs of one session at once queue one token per app', async () => {
    const { browser } = await signedInUser();
    const r = await receiver(200);
    const app = await connectedApp(browser, 'Once', r.url);
    const token = browser.cookies.get('lk_session') as string;
    const results = await Promise.all([s.ctx.logout.endSession(token), s.ctx.logout.endSession(token)]);
    expect(results.filter(Boolean)).toHaveLength(1);
    await r.waitFor(1);
    await waitUntilEmpty(app.client.id);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(r.received).toHaveLength(1);
  });

  it('a session from before sessions had a sid: the apps of its sid-less grants get a token naming sub only', async () => {
    const { user, browser } = await signedInUser();
    const r = await receiver(200);
    const app = await connectedApp(browser, 'Legacy', r.url);
    const token = browser.cookies.get('lk_session') as string;
    // As migration 014 left rows from before it: no sid on the session, none on its grants.
    await s.ctx.db.updateTable('sessions').set({ sid: null }).where('user_id', '=', user.id).execute();
    await s.ctx.db.updateTable('grants').set({ sid: null }).where('client_id', '=', app.client.id).execute();
    expect(await s.ctx.logout.endSession(token)).toMatchObject({ notified: [app.client.id] });
    const [got] = await r.waitFor(1);
    const { payload } = await verifyLogoutToken(got?.token as string, {
      jwksUrl,
      issuer: ISSUER,
      audience: app.client.id,
    });
    expect(payload.sub).toBe(user.id);
    expect(payload).not.toHaveProperty('sid');
  });

  it('an app that dropped its receiver after the sign-out gets nothing; its row is dropped', async () => {
    const { browser } = await signedInUser();
    const r = await receiver('hang');
    const app = await connectedApp(browser, 'Dropped', r.url);
    await s.ctx.clients.update(app.client.id, { backchannelLogoutUri: null });
    const token = browser.cookies.get('lk_session') as string;
    // Queued while it still had one (as if it changed right after the sign-out).
    const deliveries = new LogoutDeliveryRepository(s.ctx.db);
    const session = await deliveries.sessionToEnd(token);
    const client = await s.ctx.clients.find(app.client.id);
    const logoutToken = await signLogoutToken(
      { issuer: ISSUER, keys: s.ctx.keys, signer: s.ctx.signer, pairwiseKey: s.ctx.pairwiseKey },
      client as NonNullable<typeof client>,
      session?.userId as string,
      undefined,
    );
    await deliveries.endSession(session?.idHash as string, [{ clientId: app.client.id, logoutToken }]);
    await waitUntilEmpty(app.client.id);
    expect(r.received).toHaveLength(0);
  });

  it('servers sharing the database send each queued token once', async () => {
    // Three servers of their own on a fresh database, with a deadline no busy test machine overruns:
    // a timed-out attempt is sent again by design, which is not what this test is about.
    const first = await startTestServer(dialect, { LATCHKEY_BACKCHANNEL_LOGOUT_TIMEOUT: '20' });
    const servers: RunningServer[] = [first];
    const r = new LogoutReceiver(200, 30);
    await r.start();
    receivers.push(r);
    try {
      for (let i = 0; i < 2; i++) {
        // The same configuration: the same database, data folder and key-encryption key.
        servers.push(await createServer(first.config, createLogger('warn', new LogCapture())));
      }
      const app = await registerThreeLeggedApp(first, {
        name: 'Busy',
        redirectUris: ['https://busy.example/cb'],
      });
      await first.ctx.clients.update(app.client.id, { backchannelLogoutUri: r.url });
      const client = await first.ctx.clients.find(app.client.id);
      const signing = {
        issuer: ISSUER,
        keys: first.ctx.keys,
        signer: first.ctx.signer,
        pairwiseKey: first.ctx.pairwiseKey,
      };
      const tokens = await Promise.all(
        Array.from({ length: 60 }, (_, i) =>
          signLogoutToken(signing, client as NonNullable<typeof client>, `usr_${i}`, undefined),
        ),
      );
      // Queued behind the servers' backs: each finds rows on its next look at the queue.
      await first.ctx.db
        .insertInto('logout_deliveries')
        .values(
          tokens.map((logoutToken) => ({
            client_id: app.client.id,
            logout_token: logoutToken,
            next_attempt_at: 0,
            created_at: 0,
          })),
        )
        .execute();
      await r.waitFor(60, 30_000);
      const deadline = Date.now() + 15_000;
      while ((await first.ctx.db.selectFrom('logout_deliveries').select('id').execute()).length > 0) {
        if (Date.now() > deadline) throw new Error('rows are still queued');
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
      const subs = r.received.map(
        (got) =>
          JSON.parse(Buffer.from((got.token as string).split('.')[1] as string, 'base64url').toString()).sub,
      );
      expect(subs).toHaveLength(60);
      expect(new Set(subs).size).toBe(60);
    } finally {
      for (const server of servers.reverse()) await server.close();
    }
  });
});
