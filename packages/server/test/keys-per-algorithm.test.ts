/**
 * One active and one next key per algorithm (migration 014): ID tokens are signed with the algorithm
 * each app registered (OIDC Core §3.1.3.7), access tokens with LATCHKEY_SIGNING_ALG, every key is in
 * the JWKS, and a rotation moves every algorithm at once.
 */
import { createLocalJWKSet, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SIGNING_ALGORITHMS } from '../src/keys/signing-key.js';
import { resolveKeyring } from '../src/startup/key-encryption.js';
import { SigningKeyRepository } from '../src/storage/signing-keys.js';
import { signJwt, verifyOwnJwt } from '../src/tokens/jwt.js';
import { claimsOf } from './support/attacks.js';
import { dialects, startTestServer, type TestServer } from './support/server.js';

describe.each(dialects())('signing keys per algorithm on %s', (dialect) => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer(dialect, { LATCHKEY_SIGNING_ALG: 'EdDSA' });
  });
  afterAll(async () => {
    await s?.close();
  });

  it('has an active key for every algorithm, each in the JWKS, and signs access tokens with the configured one', async () => {
    const jwks = JSON.parse(s.ctx.keys.jwksJson) as { keys: { kid: string; alg: string }[] };
    for (const alg of SIGNING_ALGORITHMS) {
      const key = s.ctx.keys.activeFor(alg);
      expect(key.alg).toBe(alg);
      expect(jwks.keys.filter((k) => k.alg === alg)).toHaveLength(2);
      expect(jwks.keys.map((k) => k.kid)).toContain(key.kid);
    }
    expect(s.ctx.keys.active.alg).toBe('EdDSA');
    const res = await s.app.inject({
      method: 'POST',
      url: '/oauth/token',
      headers: { authorization: s.basic(), 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'grant_type=client_credentials&scope=data:read',
    });
    const header = JSON.parse(Buffer.from(res.json().access_token.split('.')[0], 'base64url').toString());
    expect(header).toMatchObject({ alg: 'EdDSA', typ: 'at+jwt', kid: s.ctx.keys.active.kid });
    expect(claimsOf(res.json().access_token)['client_id']).toBeDefined();
  });

  it.each(SIGNING_ALGORITHMS)(
    'signJwt with %s verifies against the published JWKS (jose) and verifyOwnJwt',
    async (alg) => {
      const key = s.ctx.keys.activeFor(alg);
      const token = await signJwt(s.ctx.signer, key, 'JWT', { sub: 'usr_1', aud: 'lk_x' });
      const { payload, protectedHeader } = await jwtVerify(
        token,
        createLocalJWKSet(JSON.parse(s.ctx.keys.jwksJson)),
        { algorithms: [alg] },
      );
      expect(payload).toEqual({ sub: 'usr_1', aud: 'lk_x' });
      expect(protectedHeader).toEqual({ alg, kid: key.kid, typ: 'JWT' });
      expect(verifyOwnJwt(s.ctx.keys, token, ['JWT'])?.claims).toEqual({ sub: 'usr_1', aud: 'lk_x' });
      // RFC 8725 §3.11: a token of another type is not taken for this one.
      expect(verifyOwnJwt(s.ctx.keys, token, ['at+jwt'])).toBeUndefined();
      // Tampered payload, foreign signature, another key's kid: refused.
      const [h, p, sig] = token.split('.') as [string, string, string];
      const forged = Buffer.from(JSON.stringify({ sub: 'usr_2', aud: 'lk_x' })).toString('base64url');
      expect(verifyOwnJwt(s.ctx.keys, `${h}.${forged}.${sig}`, ['JWT'])).toBeUndefined();
      const other = SIGNING_ALGORITHMS.find((a) => a !== alg) ?? 'ES256';
      const otherToken = await signJwt(s.ctx.signer, s.ctx.keys.activeFor(other), 'JWT', { sub: 'usr_1' });
      expect(verifyOwnJwt(s.ctx.keys, `${h}.${p}.${otherToken.split('.')[2]}`, ['JWT'])).toBeUndefined();
      // An `alg` in the header other than the key's (RFC 8725 §3.1).
      const relabelled = Buffer.from(JSON.stringify({ alg: other, kid: key.kid, typ: 'JWT' })).toString(
        'base64url',
      );
      expect(verifyOwnJwt(s.ctx.keys, `${relabelled}.${p}.${sig}`, ['JWT'])).toBeUndefined();
    },
  );

  it('a rotation moves every algorithm: each next key becomes active, each active key is retired and stays published', async () => {
    const before = Object.fromEntries(SIGNING_ALGORITHMS.map((alg) => [alg, s.ctx.keys.activeFor(alg).kid]));
    const repository = new SigningKeyRepository(s.ctx.db, resolveKeyring(s.config).keyring);
    await repository.rotate('EdDSA', 3600);
    await s.ctx.keys.reload();
    const rows = await s.ctx.db.selectFrom('signing_keys').select(['kid', 'alg', 'state']).execute();
    for (const alg of SIGNING_ALGORITHMS) {
      const mine = rows.filter((row) => row.alg === alg);
      expect(mine.map((row) => row.state).sort()).toEqual(['active', 'next', 'retired']);
      expect(mine.find((row) => row.state === 'retired')?.kid).toBe(before[alg]);
      expect(s.ctx.keys.activeFor(alg).kid).not.toBe(before[alg]);
      expect(s.ctx.keys.find(before[alg] as string)).toBeDefined();
    }
  });
});
