/** kill -9 of the server under a refresh load: after a restart nothing is half-written, and every client that retries keeps its grant. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../src/config.js';
import { registerApp } from '../src/oauth/app-registration.js';
import { ClientRepository } from '../src/storage/clients.js';
import { openDatabase } from '../src/storage/database.js';
import { migrate } from '../src/storage/migrations.js';
import { openRepositories } from '../src/storage/repositories.js';
import { UserRepository } from '../src/storage/users.js';
import { type ServerProcess, startProcess } from './support/process.js';
import { dialects, freshDatabase, kekEnv } from './support/server.js';

const CHAINS = 12;

async function refresh(url: string, basic: string, token: string) {
  const res = await fetch(`${url}/oauth/token`, {
    method: 'POST',
    headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' },
    body: `grant_type=refresh_token&refresh_token=${token}`,
  });
  return { status: res.status, body: (await res.json()) as Record<string, string> };
}

describe.each(dialects())('kill -9 under a refresh load on %s', (dialect) => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('every client that retries with the token it holds keeps its grant; no grant half-written', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'latchkey-crash-'));
    dirs.push(dir);
    const env = {
      LATCHKEY_DATA_DIR: dir,
      LATCHKEY_DATABASE_URL: await freshDatabase(dialect, dir),
      LATCHKEY_DEMO_APP: 'false',
      ...kekEnv(dialect),
    };
    const config = loadConfig(env);
    const db = openDatabase(config.databaseUrl);
    let server: ServerProcess | undefined;
    try {
      await migrate(db);
      const user = await new UserRepository(db).create('crash@example.com', 'a long enough password');
      const { client, clientSecret } = await registerApp(new ClientRepository(db), config.scopes, {
        name: 'Crash test',
        scope: 'data:read',
        redirectUris: ['https://app.example/cb'],
        grants: ['authorization_code', 'refresh_token'],
      });
      const basic = `Basic ${Buffer.from(`${client.id}:${clientSecret}`).toString('base64')}`;
      const { codes } = openRepositories(db);
      server = await startProcess(env);

      // One grant per chain, through the real token endpoint.
      const received: string[] = [];
      for (let i = 0; i < CHAINS; i++) {
        const code = await codes.create(
          {
            clientId: client.id,
            userId: user.id,
            redirectUri: 'https://app.example/cb',
            redirectUriGiven: true,
            scopes: ['data:read'],
            state: undefined,
            codeChallenge: undefined,
          },
          60,
        );
        const res = await fetch(`${server.url}/oauth/token`, {
          method: 'POST',
          headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' },
          body: `grant_type=authorization_code&code=${code}&redirect_uri=https://app.example/cb`,
        });
        received.push(((await res.json()) as Record<string, string>).refresh_token as string);
      }

      // Each chain refreshes as fast as it can, always with the newest token it received.
      let stop = false;
      let completed = 0;
      const perChain = received.map(() => 0);
      const url = server.url;
      const loops = received.map(async (_, i) => {
        while (!stop) {
          try {
            const r = await refresh(url, basic, received[i] as string);
            if (r.status !== 200) return;
            received[i] = r.body.refresh_token as string;
            completed++;
            perChain[i] = (perChain[i] as number) + 1;
          } catch {
            return; // the server died mid-request: the client never got an answer
          }
        }
      });
      // The kill lands once every chain is under way (has rotated twice), however slow the machine.
      await vi.waitFor(() => expect(Math.min(...perChain)).toBeGreaterThanOrEqual(2), {
        timeout: 20_000,
        interval: 20,
      });
      expect(await server.stop('SIGKILL')).toBeNull();
      stop = true;
      await Promise.all(loops);
      expect(completed).toBeGreaterThan(CHAINS);

      server = await startProcess(env);
      let valid = 0;
      let revoked = 0;
      for (const token of received) {
        const r = await refresh(server.url, basic, token);
        if (r.status === 200) {
          valid++;
          continue;
        }
        expect(r.body.error).toBe('invalid_grant');
        const row = await db
          .selectFrom('refresh_tokens')
          .innerJoin('grants', 'grants.id', 'refresh_tokens.grant_id')
          .select(['grants.revoked_at'])
          .where('refresh_tokens.token_hash', '=', (await import('../src/tokens/random.js')).sha256Hex(token))
          .executeTakeFirstOrThrow();
        // Not valid means its whole grant is revoked (the answer to the killed request never arrived).
        expect(row.revoked_at).not.toBeNull();
        revoked++;
      }
      expect(valid + revoked).toBe(CHAINS);
      // No grant is lost: a chain whose last refresh committed but whose answer died with the process
      // presents its older token again, whose successor was never used, within the retry window
      // (LATCHKEY_REFRESH_RETRY_WINDOW): a retry, answered with a new token, not a replay.
      expect({ valid, revoked }).toEqual({ valid: CHAINS, revoked: 0 });

      // Nothing half-written: every grant has at most one live refresh token, every token a grant.
      const heads = await db
        .selectFrom('refresh_tokens')
        .select(['grant_id', (eb) => eb.fn.countAll<number>().as('n')])
        .where('rotated_at', 'is', null)
        .groupBy('grant_id')
        .execute();
      for (const head of heads) expect(Number(head.n)).toBe(1);
      const grantRows = await db.selectFrom('grants').select('id').execute();
      expect(grantRows).toHaveLength(CHAINS);
      const orphans = await db
        .selectFrom('refresh_tokens')
        .leftJoin('grants', 'grants.id', 'refresh_tokens.grant_id')
        .select('refresh_tokens.token_hash')
        .where('grants.id', 'is', null)
        .execute();
      expect(orphans).toHaveLength(0);
    } finally {
      await server?.stop('SIGKILL');
      await db.destroy();
    }
  });
});
