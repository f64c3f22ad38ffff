import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KeyManager } from '../keys/key-manager.js';
import { generateSigningKey, type SigningAlgorithm, type SigningKey } from '../keys/signing-key.js';
import { signJwt } from '../tokens/jwt.js';
import { InlineSigner } from '../tokens/signer.js';
import { verifyIdTokenHint } from './id-token-hint.js';

const ISSUER = 'https://login.example';
const signer = new InlineSigner();

describe('verifyIdTokenHint', () => {
  let keys: KeyManager;
  const active: Partial<Record<SigningAlgorithm, SigningKey>> = {};
  const retired = generateSigningKey('RS256').key;
  beforeAll(async () => {
    for (const alg of ['RS256', 'ES256', 'EdDSA'] as const) active[alg] = generateSigningKey(alg).key;
    const published = Object.values(active) as SigningKey[];
    keys = await KeyManager.start(
      { load: async () => ({ active, published }), fingerprint: async () => 'fixed' },
      60_000,
    );
  });
  afterAll(() => keys.stop());

  const claims = { iss: ISSUER, sub: 'usr_1', aud: 'lk_app', sid: 'sid-1', exp: 1 };
  const sign = (key: SigningKey, typ = 'JWT', c: Record<string, unknown> = claims) =>
    signJwt(signer, key, typ, c);

  it.each(['RS256', 'ES256', 'EdDSA'] as const)(
    'takes an ID token of ours signed with %s, expired or not',
    async (alg) => {
      const hint = verifyIdTokenHint(keys, ISSUER, await sign(active[alg] as SigningKey));
      expect(hint).toEqual({ sub: 'usr_1', aud: ['lk_app'], sid: 'sid-1' });
    },
  );

  it('reads aud as a list, and leaves out a sid it does not have', async () => {
    const hint = verifyIdTokenHint(
      keys,
      ISSUER,
      await sign(active.RS256 as SigningKey, 'JWT', { iss: ISSUER, sub: 'usr_1', aud: ['a', 7, 'b'] }),
    );
    expect(hint).toEqual({ sub: 'usr_1', aud: ['a', 'b'] });
  });

  it('refuses what is not an ID token of ours: another issuer, no sub or aud, another typ, a key we do not publish, a changed signature or alg, none, oversized', async () => {
    const rs = active.RS256 as SigningKey;
    const refused = [
      await sign(rs, 'JWT', { ...claims, iss: 'https://evil.example' }),
      await sign(rs, 'JWT', { ...claims, sub: 42 }),
      await sign(rs, 'JWT', { ...claims, aud: [] }),
      await sign(rs, 'at+jwt'),
      await sign(rs, 'logout+jwt'),
      await sign(retired),
    ];
    const good = await sign(rs);
    const [header, payload, signature] = good.split('.') as [string, string, string];
    const reheader = (h: Record<string, unknown>) => Buffer.from(JSON.stringify(h)).toString('base64url');
    refused.push(
      `${header}.${payload}.${signature.slice(0, -4)}AAAA`,
      `${reheader({ alg: 'none', typ: 'JWT', kid: rs.kid })}.${payload}.`,
      // alg confusion: the RSA key's kid with an ECDSA alg.
      `${reheader({ alg: 'ES256', typ: 'JWT', kid: rs.kid })}.${payload}.${signature}`,
      `${header}.${Buffer.from(JSON.stringify({ ...claims, sub: 'usr_2' })).toString('base64url')}.${signature}`,
      'not.a.jwt',
      `${good}${'A'.repeat(9000)}`,
    );
    for (const token of refused)
      expect(verifyIdTokenHint(keys, ISSUER, token), token.slice(0, 60)).toBeUndefined();
  });
});
