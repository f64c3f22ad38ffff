/**
 * What a refresh costs PostgreSQL: a head presented on the rule's terms rotates in one statement (one
 * round trip in autocommit); every other case keeps its locking transaction and its answers.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getTokens, hashOf, refresh, signedInBrowser, type ThreeLeggedApp } from './support/attacks.js';
import { InjectBrowser, registerThreeLeggedApp } from './support/browser.js';
import { dialects, startTestServer, type TestServer } from './support/server.js';

/** Every statement the `pg` driver sends while `run` runs (each `query` call is one round trip). */
async function statementsDuring(run: () => Promise<unknown>): Promise<string[]> {
  const sent: string[] = [];
  const original = pg.Client.prototype.query;
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    const first = args[0] as string | { text: string };
    sent.push((typeof first === 'string' ? first : first.text).replace(/\s+/g, ' ').trim());
    return (original as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof original;
  try {
    await run();
  } finally {
    pg.Client.prototype.query = original;
  }
  return sent;
}

describe.runIf(dialects().includes('postgres'))('refresh round trips on PostgreSQL', () => {
  let s: TestServer;
  let app: ThreeLeggedApp;
  let browser: InjectBrowser;
  beforeAll(async () => {
    s = await startTestServer('postgres');
    const user = await s.ctx.users.create('ada@example.com', 'correct horse battery');
    app = await registerThreeLeggedApp(s);
    browser = await signedInBrowser(s, new InjectBrowser(s.app), user.id);
  });
  afterAll(async () => {
    await s?.close();
  });

  async function freshGrant() {
    return getTokens(s, browser, app);
  }

  it('rotates a head in one statement, the ID pool refilled once per batch', async () => {
    const tokens = await freshGrant();
    let current = tokens.refresh_token as string;
    // The first refresh may fill the pool of row IDs: one round trip for the batch.
    const first = await statementsDuring(async () => {
      const res = await refresh(s.app, app.basic, current);
      expect(res.statusCode).toBe(200);
      current = res.json().refresh_token;
    });
    expect(first.filter((q) => q.startsWith('with grant_row'))).toHaveLength(1);
    for (let i = 0; i < 5; i += 1) {
      const sent = await statementsDuring(async () => {
        const res = await refresh(s.app, app.basic, current);
        expect(res.statusCode).toBe(200);
        current = res.json().refresh_token;
      });
      // Besides authenticating the app (its registration unless cached, its shared throttle counts:
      // throttle/postgres.ts), the refresh is one statement.
      const rotation = sent.filter((q) => !/ from (clients c|throttle_counters) /.test(q));
      expect(rotation, JSON.stringify(sent)).toHaveLength(1);
      expect(rotation[0]).toMatch(/^with grant_row as materialized/);
    }
  });

  it('a rotated token goes to the locking transaction, which still tells a retry from a replay', async () => {
    const tokens = await freshGrant();
    const first = (await refresh(s.app, app.basic, tokens.refresh_token)).json();
    // Presented again while its successor is unused: a retry (default window), decided under lock.
    const sent = await statementsDuring(async () => {
      const retry = await refresh(s.app, app.basic, tokens.refresh_token);
      expect(retry.statusCode).toBe(200);
      // The successor the retry retired is now a replay, and the whole grant goes.
      expect((await refresh(s.app, app.basic, first.refresh_token)).json().error).toBe('invalid_grant');
      const last = retry.json().refresh_token;
      expect((await refresh(s.app, app.basic, last)).json().error).toBe('invalid_grant');
    });
    expect(sent).toContain('begin');
  });

  it('a head that fails its terms writes nothing and gets the rule answer', async () => {
    const tokens = await freshGrant();
    const widened = await refresh(s.app, app.basic, tokens.refresh_token, 'data:read data:write admin');
    expect(widened.json().error).toBe('invalid_scope');
    const ok = await refresh(s.app, app.basic, tokens.refresh_token);
    expect(ok.statusCode).toBe(200);
  });

  it('parallel presentations of one head: one chain stays, whichever path each took', async () => {
    const tokens = await freshGrant();
    const answers = await Promise.all(
      Array.from({ length: 10 }, () => refresh(s.app, app.basic, tokens.refresh_token)),
    );
    // Default settings: the first rotates, the rest are retries of a token whose successor is unused.
    expect(answers.map((a) => a.statusCode)).toEqual(Array(10).fill(200));
    const { grant_id } = await s.ctx.db
      .selectFrom('refresh_tokens')
      .select('grant_id')
      .where('token_hash', '=', hashOf(tokens.refresh_token))
      .executeTakeFirstOrThrow();
    const heads = await s.ctx.db
      .selectFrom('refresh_tokens')
      .select('token_hash')
      .where('grant_id', '=', grant_id)
      .where('rotated_at', 'is', null)
      .execute();
    expect(heads).toHaveLength(1);
    const live = answers
      .map((a) => a.json().refresh_token as string)
      .filter((t) => hashOf(t) === heads[0]?.token_hash);
    expect(live).toHaveLength(1);
  });
});
