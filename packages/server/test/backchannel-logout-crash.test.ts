/**
 * kill -9 of a server while it sends a logout token: the token was queued in the sign-out's own
 * transaction, so it survives, and the next server process sends it once the dead one's claim on it
 * has run out (OIDC Back-Channel Logout 1.0 delivered at least once).
 *
 * The session is started by the repository (as the pages' sign-in does) and the grant by a code
 * issued in that session (its `sid`, as the authorization endpoint records it) and redeemed at the
 * real token endpoint, which carries the `sid` onto the grant.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { registerApp } from '../src/oauth/app-registration.js';
import { ClientRepository } from '../src/storage/clients.js';
import { openDatabase } from '../src/storage/database.js';
import { migrate } from '../src/storage/migrations.js';
import { openRepositories } from '../src/storage/repositories.js';
import { ISSUER } from './support/attacks.js';
import { LogoutReceiver, verifyLogoutToken } from './support/logout-receiver.js';
import { type ServerProcess, startProcess } from './support/process.js';
import { dialects, freshDatabase, kekEnv } from './support/server.js';

describe.each(dialects())('a queued logout token survives kill -9 on %s', (dialect) => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('the next process sends the token the killed one was sending', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'latchkey-logout-crash-'));
    dirs.push(dir);
    const env = {
      LATCHKEY_DATA_DIR: dir,
      LATCHKEY_DATABASE_URL: await freshDatabase(dialect, dir),
      LATCHKEY_DEMO_APP: 'false',
      LATCHKEY_ISSUER: ISSUER,
      // A claimed row stays with its server for the deadline plus 5 s: 8 s after the killed claim.
      LATCHKEY_BACKCHANNEL_LOGOUT_TIMEOUT: '3',
      ...kekEnv(dialect),
    };
    const config = loadConfig(env);
    const db = openDatabase(config.databaseUrl);
    const receiver = await new LogoutReceiver('hang').start();
    let server: ServerProcess | undefined;
    try {
      await migrate(db);
      const { users, codes } = openRepositories(db);
      const user = await users.create('crash@example.com', 'a long enough password');
      const { client, clientSecret } = await registerApp(new ClientRepository(db), config.scopes, {
        name: 'Crash logout',
        scope: 'data:read',
        redirectUris: ['https://app.example/cb'],
        grants: ['authorization_code', 'refresh_token'],
      });
      await new ClientRepository(db).update(client.id, { backchannelLogoutUri: receiver.url });
      const session = await users.createSession(user.id, 3600);
      const { sid } = (await users.session(session)) as NonNullable<
        Awaited<ReturnType<typeof users.session>>
      >;
      server = await startProcess(env);

      const code = await codes.create(
        {
          clientId: client.id,
          userId: user.id,
          redirectUri: 'https://app.example/cb',
          redirectUriGiven: true,
          scopes: ['data:read'],
          state: undefined,
          codeChallenge: undefined,
          sid,
        },
        60,
      );
      const redeemed = await fetch(`${server.url}/oauth/token`, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`${client.id}:${clientSecret}`).toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: `grant_type=authorization_code&code=${code}&redirect_uri=https://app.example/cb`,
      });
      expect(redeemed.status).toBe(200);

      // Sign out through the pages: the account page's form, with its anti-CSRF value.
      const cookie = `lk_session=${session}`;
      const page = await (await fetch(`${server.url}/account/apps`, { headers: { cookie } })).text();
      const csrf = /name="csrf" value="([^"]+)"/.exec(page)?.[1] as string;
      const signedOut = await fetch(`${server.url}/logout`, {
        method: 'POST',
        headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ csrf }).toString(),
        redirect: 'manual',
      });
      expect(signedOut.status).toBe(303);

      // The server is sending (the receiver does not answer) when it dies.
      await receiver.waitFor(1);
      expect(await server.stop('SIGKILL')).toBeNull();
      server = undefined;
      const left = await db.selectFrom('logout_deliveries').selectAll().execute();
      expect(left).toHaveLength(1);
      expect(left[0]).toMatchObject({ client_id: client.id, attempts: 1 });

      receiver.answerFromNowOn(200);
      server = await startProcess(env);
      const [hung, sent] = await receiver.waitFor(2, 20_000);
      expect(sent?.token).toBe(hung?.token);
      const { payload } = await verifyLogoutToken(sent?.token as string, {
        jwksUrl: `${server.url}/.well-known/jwks.json`,
        issuer: ISSUER,
        audience: client.id,
      });
      expect(payload).toMatchObject({ sub: user.id, sid });
      const deadline = Date.now() + 10_000;
      while ((await db.selectFrom('logout_deliveries').select('id').execute()).length > 0) {
        if (Date.now() > deadline) throw new Error('the delivered row is still queued');
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(await server.stop()).toBe(0);
      server = undefined;
      expect(receiver.received).toHaveLength(2);
    } finally {
      await server?.stop('SIGKILL');
      await receiver.stop();
      await db.destroy();
    }
  }, 60_000);
});
