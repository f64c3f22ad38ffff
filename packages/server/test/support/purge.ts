/**
 * The purge tests' fixture: a server with a user, a three-legged app and a signed-in browser, and
 * helpers to purge its database, expire a grant's refresh tokens and see whether a grant is left.
 */
import { PURGED_TABLES, type PurgeCounts, purgeExpired } from '../../src/storage/purge.js';
import { hashOf, nowSeconds, signedInBrowser, type ThreeLeggedApp } from './attacks.js';
import { InjectBrowser, registerThreeLeggedApp } from './browser.js';
import { type DialectName, startTestServer, type TestServer } from './server.js';
import { closingOnFailure, serverSuiteFixture } from './suite-fixture.js';

/** Counts of a purge that deleted nothing. */
export const none = (): PurgeCounts => Object.fromEntries(PURGED_TABLES.map((t) => [t, 0])) as PurgeCounts;

/** The server of the purge tests, its user, app and the user's signed-in browser. */
export interface PurgeFixture {
  s: TestServer;
  app: ThreeLeggedApp;
  browser: InjectBrowser;
  userId: string;
}

/** Starts a server on `dialect` with a user signed in and a three-legged app; the caller closes `s`. */
export async function startPurgeServer(dialect: DialectName): Promise<PurgeFixture> {
  const s = await startTestServer(dialect);
  return closingOnFailure(s, async () => {
    const userId = (await s.ctx.users.create('ada@example.com', 'correct horse battery')).id;
    const app = await registerThreeLeggedApp(s);
    const browser = await signedInBrowser(s, new InjectBrowser(s.app), userId);
    return { s, app, browser, userId };
  });
}

/** The purge tests' fixture with its server's purge, grant expiry and grant lookup at hand. */
export interface PurgeSuite extends PurgeFixture {
  /** Purges the server's database as its periodic purge does, with these options. */
  purge(options?: { batchSize?: number; now?: number }): Promise<PurgeCounts>;
  /** `expireGrantOf` on the server. */
  expireGrant(refreshToken: string, accessTokensExpired?: boolean): Promise<string>;
  /** `grantExistsIn` on the server. */
  grantExists(grantId: string): Promise<boolean>;
}

/**
 * Starts the server of `startPurgeServer` in the calling describe block's `beforeAll` and closes it in
 * its `afterAll`; returns getters over what started, with its purge helpers.
 */
export function usePurgeServer(dialect: DialectName): PurgeSuite {
  return serverSuiteFixture(async () => {
    const started = await startPurgeServer(dialect);
    const { s } = started;
    return {
      ...started,
      purge: (options = {}) => purgeServer(s, options),
      expireGrant: (refreshToken, accessTokensExpired = true) =>
        expireGrantOf(s, refreshToken, accessTokensExpired),
      grantExists: (grantId) => grantExistsIn(s, grantId),
    } satisfies PurgeSuite;
  });
}

/** Purges the server's database as its periodic purge does, with these options. */
export const purgeServer = (s: TestServer, options: { batchSize?: number; now?: number } = {}) =>
  purgeExpired(s.ctx.db, { accessTokenTtl: s.config.accessTokenTtl, ...options });

/**
 * Makes every refresh token of a grant expired, issued long enough ago that its access tokens are
 * too; the grant was created no later than its tokens, as in real life.
 */
export const expireGrantOf = async (s: TestServer, refreshToken: string, accessTokensExpired = true) => {
  const { grant_id } = await s.ctx.db
    .selectFrom('refresh_tokens')
    .select('grant_id')
    .where('token_hash', '=', hashOf(refreshToken))
    .executeTakeFirstOrThrow();
  const issued = accessTokensExpired ? nowSeconds() - s.config.accessTokenTtl - 3600 : nowSeconds() - 5;
  await s.ctx.db
    .updateTable('refresh_tokens')
    .set({ expires_at: nowSeconds() - 10, created_at: issued })
    .where('grant_id', '=', grant_id)
    .execute();
  await s.ctx.db.updateTable('grants').set({ created_at: issued }).where('id', '=', grant_id).execute();
  return grant_id;
};

/** Whether the grant `grantId` is still stored. */
export const grantExistsIn = async (s: TestServer, grantId: string) =>
  (await s.ctx.db.selectFrom('grants').select('id').where('id', '=', grantId).executeTakeFirst()) !==
  undefined;
