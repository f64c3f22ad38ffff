/**
 * LATCHKEY_BACKCHANNEL_PRIVATE_NETWORKS at delivery (Back-Channel Logout 1.0 §2.5): with `deny`, a
 * logout token is not POSTed to a receiver whose host is, or resolves to, a private or loopback
 * address; the attempt fails with a reason saying so, and the address checked is the one connected to
 * (one resolution: no DNS rebinding between the check and the connection). The receivers are real, on
 * 127.0.0.1, reached through `localhost` or through a resolver the test gives.
 */
import type { LookupAddress } from 'node:dns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Resolver } from '../src/http/public-lookup.js';
import { signLogoutToken } from '../src/logout/logout-token.js';
import { postLogoutToken } from '../src/logout/post-logout-token.js';
import { registerThreeLeggedApp } from './support/browser.js';
import { LogoutReceiver } from './support/logout-receiver.js';
import { startTestServer, type TestServer } from './support/server.js';

const TOKEN = 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ0ZXN0In0.sig';

/** A resolver answering every name with `answers` (one list per call, the last repeated); counts calls. */
function resolverOf(...answers: string[][]) {
  const calls: string[] = [];
  const resolve: Resolver = (hostname, _options, callback) => {
    calls.push(hostname);
    const addresses = answers[Math.min(calls.length, answers.length) - 1] ?? [];
    const entries: LookupAddress[] = addresses.map((address) => ({
      address,
      family: address.includes(':') ? 6 : 4,
    }));
    setImmediate(() => callback(null, entries));
  };
  return { resolve, calls };
}

describe('postLogoutToken and private addresses', () => {
  const receivers: LogoutReceiver[] = [];
  const never = new AbortController().signal;
  const receiver = async (answer: number | 'hang' = 200) => {
    const r = await new LogoutReceiver(answer).start();
    receivers.push(r);
    return r;
  };
  /** The receiver's URL with its host replaced by `host`. */
  const via = (r: LogoutReceiver, host: string) => {
    const url = new URL(r.url);
    url.hostname = host;
    return url.toString();
  };
  afterAll(async () => {
    for (const r of receivers) await r.stop();
  });

  it('denied: a name resolving to 127.0.0.1 is not posted to; the reason says the address is private', async () => {
    const r = await receiver();
    const { resolve, calls } = resolverOf(['127.0.0.1']);
    const outcome = await postLogoutToken(via(r, 'receiver.test'), TOKEN, 2_000, never, {
      privateNetworks: 'deny',
      resolve,
    });
    expect(outcome).toEqual({
      delivered: false,
      reason: 'receiver.test resolves to a private or loopback address (127.0.0.1): not sent',
      interrupted: false,
    });
    expect(calls).toEqual(['receiver.test']);
    expect(r.received).toHaveLength(0);
  });

  it('allowed: the same name is delivered to', async () => {
    const r = await receiver(204);
    const { resolve } = resolverOf(['127.0.0.1']);
    const outcome = await postLogoutToken(via(r, 'receiver.test'), TOKEN, 2_000, never, {
      privateNetworks: 'allow',
      resolve,
    });
    expect(outcome).toEqual({ delivered: true, status: 204 });
    expect(r.received.map((got) => got.token)).toEqual([TOKEN]);
  });

  it('denied: refused when ANY address of the name is private, even behind a public one', async () => {
    const r = await receiver();
    const { resolve } = resolverOf(['93.184.215.14', '::ffff:127.0.0.1']);
    const outcome = await postLogoutToken(via(r, 'mixed.test'), TOKEN, 2_000, never, {
      privateNetworks: 'deny',
      resolve,
    });
    expect(outcome).toMatchObject({
      delivered: false,
      reason: expect.stringContaining('(::ffff:127.0.0.1)'),
    });
    expect(r.received).toHaveLength(0);
  });

  it('denied: the address checked is the address connected to (a rebinding name gets one resolution)', async () => {
    const r = await receiver();
    // Public when first asked (192.0.2.1, TEST-NET-1: nothing answers), loopback from then on: a check
    // and a connection resolving apart would post to the receiver.
    const { resolve, calls } = resolverOf(['192.0.2.1'], ['127.0.0.1']);
    const outcome = await postLogoutToken(via(r, 'rebind.test'), TOKEN, 1_000, never, {
      privateNetworks: 'deny',
      resolve,
    });
    expect(outcome.delivered).toBe(false);
    expect(calls).toEqual(['rebind.test']);
    expect(r.received).toHaveLength(0);
  });

  it.each([
    ['127.0.0.1', '127.0.0.1'],
    ['0x7f.1', '127.0.0.1'],
    ['2130706433', '127.0.0.1'],
    ['[::ffff:127.0.0.1]', '::ffff:7f00:1'],
    ['localhost', 'localhost'],
  ])('denied: the literal host %s is refused without resolving it', async (host, named) => {
    const r = await receiver();
    const { resolve, calls } = resolverOf(['127.0.0.1']);
    const outcome = await postLogoutToken(via(r, host), TOKEN, 2_000, never, {
      privateNetworks: 'deny',
      resolve,
    });
    expect(outcome).toEqual({
      delivered: false,
      reason: `${named} is a private or loopback address: not sent`,
      interrupted: false,
    });
    expect(calls).toEqual([]);
    expect(r.received).toHaveLength(0);
  });

  it('keeps its ways: a redirect is not followed, a shutdown interrupts, a closed port is named', async () => {
    const r = await receiver(302);
    const allow = { privateNetworks: 'allow' as const };
    expect(await postLogoutToken(r.url, TOKEN, 2_000, never, allow)).toEqual({
      delivered: false,
      reason: 'HTTP 302',
      interrupted: false,
    });
    expect(r.received).toHaveLength(1);
    r.answerFromNowOn('hang');
    const stop = new AbortController();
    setTimeout(() => stop.abort(), 100);
    expect(await postLogoutToken(r.url, TOKEN, 5_000, stop.signal, allow)).toEqual({
      delivered: false,
      reason: 'server shutting down',
      interrupted: true,
    });
    expect(await postLogoutToken(r.url, TOKEN, 300, never, allow)).toEqual({
      delivered: false,
      reason: 'timed out after 0.3 s',
      interrupted: false,
    });
    const closed = await receiver();
    const url = closed.url;
    await closed.stop();
    expect(await postLogoutToken(url, TOKEN, 2_000, never, allow)).toMatchObject({
      delivered: false,
      reason: 'ECONNREFUSED',
    });
  });
});

describe.each(['deny', 'allow'] as const)('the delivery worker with private networks %s', (setting) => {
  let s: TestServer;
  let receiver: LogoutReceiver;
  beforeAll(async () => {
    s = await startTestServer('sqlite', {
      LATCHKEY_BACKCHANNEL_PRIVATE_NETWORKS: setting,
      LATCHKEY_BACKCHANNEL_LOGOUT_TIMEOUT: '2',
      LATCHKEY_BACKCHANNEL_LOGOUT_ATTEMPTS: '1',
    });
    receiver = await new LogoutReceiver(200).start();
  });
  afterAll(async () => {
    await receiver?.stop();
    // Never a token in the logs.
    expect(s.logs.text).not.toMatch(/eyJ[\w-]+\.eyJ/);
    await s?.close();
  });

  it(`a receiver at localhost (registered before the setting) is ${setting === 'deny' ? 'not ' : ''}sent the token`, async () => {
    const app = await registerThreeLeggedApp(s, {
      name: 'Loopback',
      redirectUris: ['https://lb.example/cb'],
    });
    const url = new URL(receiver.url);
    url.hostname = 'localhost';
    // Stored directly, as a registration from before private networks were denied left it.
    await s.ctx.clients.update(app.client.id, { backchannelLogoutUri: url.toString() });
    const client = await s.ctx.clients.find(app.client.id);
    const signing = {
      issuer: s.config.issuer,
      keys: s.ctx.keys,
      signer: s.ctx.signer,
      pairwiseKey: s.ctx.pairwiseKey,
    };
    const logoutToken = await signLogoutToken(
      signing,
      client as NonNullable<typeof client>,
      'usr_1',
      undefined,
    );
    await s.ctx.db
      .insertInto('logout_deliveries')
      .values({ client_id: app.client.id, logout_token: logoutToken, next_attempt_at: 0, created_at: 0 })
      .execute();
    s.ctx.logout.start();
    const deadline = Date.now() + 15_000;
    while ((await s.ctx.db.selectFrom('logout_deliveries').select('id').execute()).length > 0) {
      if (Date.now() > deadline) throw new Error('the delivery row is still queued');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const lines = s.logs.lines
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((line) => line['client_id'] === app.client.id);
    if (setting === 'deny') {
      expect(receiver.received).toHaveLength(0);
      const gaveUp = lines.find((line) => /given up/.test(String(line['msg'])));
      expect(gaveUp).toMatchObject({
        level: 40,
        reason: expect.stringMatching(/^localhost is a private or loopback address: not sent$/),
      });
    } else {
      expect(receiver.received.map((got) => got.token)).toEqual([logoutToken]);
      expect(lines.some((line) => line['msg'] === 'back-channel logout delivered')).toBe(true);
    }
  });
});
