// Unit tests of a refreshed ID token (OpenID Connect Core §12.2), through refresh() and TokenManager.

import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { OpenIdError } from '../errors.js';
import { json } from '../test-support/mock-fetch.js';
import {
  atHash,
  CLIENT_ID,
  claimsFor,
  oidcClient,
  type ProviderState,
  type SigningKey,
  signingKey,
  signJwt,
} from '../test-support/oidc-fixture.js';
import { TokenManager } from '../token-manager.js';

let key: SigningKey;
let state: ProviderState;
/** The ID token of the original authentication: nonce n-1, auth_time fixed, azp absent. */
let original: string;
const AUTH_TIME = Math.floor(Date.now() / 1000) - 3600;

beforeAll(async () => {
  key = await signingKey('RS256');
  original = await signJwt(key, claimsFor({ nonce: 'n-1', auth_time: AUTH_TIME }));
});

beforeEach(() => {
  state = { jwks: [key.publicJwk], token: {}, userinfo: () => json({}) };
});

/** Makes the next token response a refresh answer whose ID token has valid claims plus `overrides`. */
async function answerRefresh(overrides: Record<string, unknown> = {}, signer = key): Promise<void> {
  const claims = claimsFor({ auth_time: AUTH_TIME, at_hash: await atHash('at-2'), ...overrides });
  state.token = {
    access_token: 'at-2',
    refresh_token: 'rt-2',
    token_type: 'Bearer',
    expires_in: 600,
    id_token: await signJwt(signer, JSON.parse(JSON.stringify(claims))),
  };
}

async function refusal(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(OpenIdError);
  return (error as OpenIdError).code;
}

describe('refresh with a new ID token (§12.2)', () => {
  it('validates it and exposes its claims; no nonce is required', async () => {
    const { client } = oidcClient(state);
    await answerRefresh({ name: 'Ada' });
    const tokens = await client.refresh('rt-1', { idToken: original });
    expect(tokens.idTokenClaims).toMatchObject({ sub: 'user-1', name: 'Ada', auth_time: AUTH_TIME });
    expect(tokens.idTokenClaims?.nonce).toBeUndefined();
  });

  it('validates it even without the original ID token (signature, iss, aud, exp...)', async () => {
    const { client } = oidcClient(state);
    await answerRefresh({ nonce: 'anything' });
    expect((await client.refresh('rt-1')).idTokenClaims?.nonce).toBe('anything');
    await answerRefresh({ iss: 'https://evil.example' });
    expect(await refusal(client.refresh('rt-1'))).toBe('OIDC_ID_TOKEN_ISSUER_MISMATCH');
    await answerRefresh({}, await signingKey('RS256', key.publicJwk.kid));
    expect(await refusal(client.refresh('rt-1'))).toBe('OIDC_ID_TOKEN_SIGNATURE_INVALID');
  });

  it.each([
    [{ sub: 'user-2' }, 'OIDC_ID_TOKEN_SUBJECT_MISMATCH'],
    [{ aud: [CLIENT_ID, 'api'], azp: CLIENT_ID }, 'OIDC_ID_TOKEN_AUDIENCE_MISMATCH'],
    [{ azp: CLIENT_ID }, 'OIDC_ID_TOKEN_AZP_MISMATCH'],
    [{ auth_time: AUTH_TIME + 5 }, 'OIDC_ID_TOKEN_AUTH_TIME_MISMATCH'],
    [{ nonce: 'n-2' }, 'OIDC_ID_TOKEN_NONCE_MISMATCH'],
    [{ at_hash: 'AAAAAAAAAAAAAAAAAAAAAA' }, 'OIDC_ID_TOKEN_AT_HASH_MISMATCH'],
  ])('refuses %j against the original', async (overrides, code) => {
    const { client } = oidcClient(state);
    await answerRefresh(overrides);
    expect(await refusal(client.refresh('rt-1', { idToken: original }))).toBe(code);
  });

  it('accepts the original nonce repeated, and no auth_time', async () => {
    const { client } = oidcClient(state);
    await answerRefresh({ nonce: 'n-1', auth_time: undefined });
    expect((await client.refresh('rt-1', { idToken: original })).idTokenClaims?.nonce).toBe('n-1');
  });

  it('TokenManager passes the stored ID token, and keeps it when a refresh brings none', async () => {
    const { client } = oidcClient(state);
    const manager = new TokenManager(client, { grant: 'refresh_token', key: 'ada' });
    const claims = claimsFor({ auth_time: AUTH_TIME });
    await manager.setTokens({
      accessToken: 'at-1',
      tokenType: 'Bearer',
      expiresIn: 600,
      expiresAt: Date.now() - 1,
      refreshToken: 'rt-1',
      scope: ['openid'],
      idToken: original,
      idTokenClaims: claims as never,
      raw: {},
    });
    state.token = { access_token: 'at-2', token_type: 'Bearer', expires_in: 1 };
    const kept = await manager.getToken();
    expect(kept).toMatchObject({ accessToken: 'at-2', idToken: original, idTokenClaims: { sub: 'user-1' } });

    await answerRefresh({ sub: 'user-2' });
    expect(await refusal(manager.getToken({ rejectedToken: 'at-2' }))).toBe('OIDC_ID_TOKEN_SUBJECT_MISMATCH');
    await answerRefresh({ name: 'Ada' });
    const fresh = await manager.getToken({ rejectedToken: 'at-2' });
    expect(fresh.idTokenClaims).toMatchObject({ sub: 'user-1', name: 'Ada' });
    expect(fresh.idToken).not.toBe(original);
  });
});
