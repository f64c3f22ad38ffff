// Unit tests of ID token validation on the callback (OpenID Connect Core §3.1.3.7): one test per refusal.

import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { OAuthClient } from '../client.js';
import { OpenIdError } from '../errors.js';
import type { OAuthClientOptions } from '../options.js';
import { json } from '../test-support/mock-fetch.js';
import {
  atHash,
  CLIENT_ID,
  claimsFor,
  ISSUER,
  oidcClient,
  type ProviderState,
  type SigningKey,
  signingKey,
  signJwt,
} from '../test-support/oidc-fixture.js';

const ACCESS_TOKEN = 'access-token-1';
let rs256: SigningKey;
let key: SigningKey;
let state: ProviderState;

beforeAll(async () => {
  rs256 = await signingKey('RS256');
});

beforeEach(() => {
  key = rs256;
  state = { jwks: [key.publicJwk], token: {}, userinfo: () => json({}) };
});

/**
 * Runs an OpenID Connect code flow whose token response carries an ID token signed by `signer` with
 * valid claims plus `overrides` (a claim set to `undefined` is left out); returns the callback result.
 */
async function signIn(
  overrides: Record<string, unknown> = {},
  { signer = key, header = {}, client = oidcClient(state).client } = {} as {
    signer?: SigningKey;
    header?: Record<string, unknown>;
    client?: OAuthClient;
  },
) {
  const request = await client.authorizationUrl({ scope: 'openid profile' });
  const claims = claimsFor({ nonce: request.nonce, at_hash: await atHash(ACCESS_TOKEN), ...overrides });
  const idToken = await signJwt(signer, JSON.parse(JSON.stringify(claims)), header);
  state.token = { access_token: ACCESS_TOKEN, token_type: 'Bearer', expires_in: 600, id_token: idToken };
  return client.handleCallback(`https://rp.example/cb?code=c1&state=${request.state}`, request);
}

/** The OpenIdError code `promise` rejects with. */
async function refusal(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(OpenIdError);
  expect((error as Error).message).not.toContain(ACCESS_TOKEN);
  return (error as OpenIdError).code;
}

const withOptions = (options: Partial<OAuthClientOptions>) => oidcClient(state, options).client;

describe('ID token validation on the callback', () => {
  it('sends a fresh nonce with openid, and exposes the validated claims', async () => {
    const { client } = oidcClient(state);
    const first = await client.authorizationUrl({ scope: 'openid profile' });
    const second = await client.authorizationUrl({ scope: ['profile', 'openid'] });
    expect(first.nonce).toMatch(/^[\w-]{43}$/);
    expect(new URL(first.url).searchParams.get('nonce')).toBe(first.nonce);
    expect(second.nonce).not.toBe(first.nonce);
    const tokens = await signIn({ name: 'Ada Lovelace' }, { client });
    expect(tokens.idTokenClaims).toMatchObject({ sub: 'user-1', aud: CLIENT_ID, name: 'Ada Lovelace' });
    expect(tokens.idTokenClaims?.nonce).toMatch(/^[\w-]{43}$/);
  });

  it.each([
    ['RS256'],
    ['RS384'],
    ['RS512'],
    ['PS256'],
    ['PS512'],
    ['ES256'],
    ['ES384'],
    ['ES512'],
    ['EdDSA'],
    ['Ed25519'],
  ])('verifies %s with WebCrypto, at_hash with the matching hash', async (alg) => {
    key = await signingKey(alg);
    state.jwks = [key.publicJwk];
    const hash = alg.startsWith('Ed') ? 'SHA-512' : `SHA-${alg.slice(2)}`;
    const client = withOptions({ idTokenSignedResponseAlg: alg });
    const tokens = await signIn({ at_hash: await atHash(ACCESS_TOKEN, hash) }, { client });
    expect(tokens.idTokenClaims?.sub).toBe('user-1');
    // The same token with the SHA-256 at_hash of a larger-hash alg is refused.
    if (hash !== 'SHA-256') {
      const other = withOptions({ idTokenSignedResponseAlg: alg });
      expect(await refusal(signIn({ at_hash: await atHash(ACCESS_TOKEN) }, { client: other }))).toBe(
        'OIDC_ID_TOKEN_AT_HASH_MISMATCH',
      );
    }
  });

  it('refuses a wrong signature (another key under the published kid)', async () => {
    const impostor = await signingKey('RS256', key.publicJwk.kid);
    expect(await refusal(signIn({}, { signer: impostor }))).toBe('OIDC_ID_TOKEN_SIGNATURE_INVALID');
  });

  it('refuses a payload changed after signing', async () => {
    const client = oidcClient(state).client;
    const request = await client.authorizationUrl({ scope: 'openid' });
    const good = await signJwt(key, claimsFor({ nonce: request.nonce }));
    const [header, , signature] = good.split('.');
    const forged = btoa(JSON.stringify(claimsFor({ nonce: request.nonce, sub: 'admin' })))
      .replace(/=+$/, '')
      .replace(/\+/g, '-')
      .replace(/\//g, '_');
    state.token = { access_token: ACCESS_TOKEN, id_token: `${header}.${forged}.${signature}` };
    const callback = `https://rp.example/cb?code=c&state=${request.state}`;
    expect(await refusal(client.handleCallback(callback, request))).toBe('OIDC_ID_TOKEN_SIGNATURE_INVALID');
  });

  it('refuses alg none, even with an empty signature', async () => {
    const client = oidcClient(state).client;
    const request = await client.authorizationUrl({ scope: 'openid' });
    const encode = (value: unknown) => btoa(JSON.stringify(value)).replace(/=+$/, '');
    const unsigned = `${encode({ alg: 'none' })}.${encode(claimsFor({ nonce: request.nonce }))}.`;
    state.token = { access_token: ACCESS_TOKEN, id_token: unsigned };
    const callback = `https://rp.example/cb?code=c&state=${request.state}`;
    expect(await refusal(client.handleCallback(callback, request))).toBe('OIDC_ID_TOKEN_ALG_NOT_ALLOWED');
  });

  it('refuses an alg other than the expected one, though validly signed and published', async () => {
    key = await signingKey('ES256');
    state.jwks = [key.publicJwk];
    expect(await refusal(signIn())).toBe('OIDC_ID_TOKEN_ALG_NOT_ALLOWED'); // expected RS256 by default
    expect(await refusal(signIn({}, { header: { alg: 'HS256' } }))).toBe('OIDC_ID_TOKEN_ALG_NOT_ALLOWED');
  });

  it('refuses an alg the provider metadata does not list', async () => {
    const metadata = { issuer: ISSUER, token_endpoint: `${ISSUER}/token` };
    const listed = oidcClient(state, {}, { ...metadata, id_token_signing_alg_values_supported: ['ES256'] });
    expect(await refusal(signIn({}, { client: listed.client }))).toBe('OIDC_ID_TOKEN_ALG_NOT_ALLOWED');
    const both = oidcClient(
      state,
      {},
      { ...metadata, id_token_signing_alg_values_supported: ['ES256', 'RS256'] },
    );
    expect((await signIn({}, { client: both.client })).idTokenClaims?.sub).toBe('user-1');
  });

  it('refuses a wrong iss', async () => {
    expect(await refusal(signIn({ iss: 'https://evil.example' }))).toBe('OIDC_ID_TOKEN_ISSUER_MISMATCH');
  });

  it('refuses an aud without the client id', async () => {
    expect(await refusal(signIn({ aud: 'someone-else' }))).toBe('OIDC_ID_TOKEN_AUDIENCE_MISMATCH');
    expect(await refusal(signIn({ aud: ['a', 'b'], azp: CLIENT_ID }))).toBe(
      'OIDC_ID_TOKEN_AUDIENCE_MISMATCH',
    );
  });

  it('refuses an azp other than the client id, and several audiences without azp', async () => {
    expect(await refusal(signIn({ azp: 'someone-else' }))).toBe('OIDC_ID_TOKEN_AZP_MISMATCH');
    expect(await refusal(signIn({ aud: [CLIENT_ID, 'api'] }))).toBe('OIDC_ID_TOKEN_AZP_MISMATCH');
    const tokens = await signIn({ aud: [CLIENT_ID, 'api'], azp: CLIENT_ID });
    expect(tokens.idTokenClaims?.aud).toEqual([CLIENT_ID, 'api']);
  });

  it('refuses an expired ID token, beyond the clock tolerance only', async () => {
    const now = Math.floor(Date.now() / 1000);
    expect(await refusal(signIn({ exp: now - 60 }))).toBe('OIDC_ID_TOKEN_EXPIRED');
    expect((await signIn({ exp: now - 10 })).idTokenClaims?.exp).toBe(now - 10); // within the 30 s default
    const strict = withOptions({ clockToleranceSeconds: 0 });
    expect(await refusal(signIn({ exp: now - 10 }, { client: strict }))).toBe('OIDC_ID_TOKEN_EXPIRED');
  });

  it('refuses an iat in the future, beyond the clock tolerance only', async () => {
    const now = Math.floor(Date.now() / 1000);
    expect(await refusal(signIn({ iat: now + 120 }))).toBe('OIDC_ID_TOKEN_ISSUED_IN_FUTURE');
    expect((await signIn({ iat: now + 10 })).idTokenClaims?.iat).toBe(now + 10);
  });

  it('refuses a nonce that differs, one that is missing, and one that was never sent', async () => {
    expect(await refusal(signIn({ nonce: 'another' }))).toBe('OIDC_ID_TOKEN_NONCE_MISMATCH');
    expect(await refusal(signIn({ nonce: undefined }))).toBe('OIDC_ID_TOKEN_NONCE_MISMATCH');
    const client = oidcClient(state).client;
    state.token = { access_token: ACCESS_TOKEN, id_token: await signJwt(key, claimsFor({ nonce: 'n' })) };
    expect(await refusal(client.exchangeCode('c'))).toBe('OIDC_ID_TOKEN_NONCE_MISMATCH');
  });

  it('refuses an at_hash that does not match the access token; accepts none (code flow, §3.1.3.8)', async () => {
    expect(await refusal(signIn({ at_hash: await atHash('another token') }))).toBe(
      'OIDC_ID_TOKEN_AT_HASH_MISMATCH',
    );
    expect((await signIn({ at_hash: undefined })).idTokenClaims?.at_hash).toBeUndefined();
  });

  it('refetches the JWKS once for an unknown kid (rotation), then caches it', async () => {
    const { client, jwksCalls } = oidcClient(state);
    await signIn({}, { client });
    expect(jwksCalls()).toBe(1);
    await signIn({}, { client });
    expect(jwksCalls()).toBe(1); // cached
    const rotated = await signingKey('RS256', 'rotated');
    state.jwks = [key.publicJwk, rotated.publicJwk];
    expect((await signIn({}, { client, signer: rotated })).idTokenClaims?.sub).toBe('user-1');
    expect(jwksCalls()).toBe(2);
  });

  it('refuses a kid still unknown after one refetch', async () => {
    const { client, jwksCalls } = oidcClient(state);
    const stranger = await signingKey('RS256', 'unknown-kid');
    expect(await refusal(signIn({}, { client, signer: stranger }))).toBe('OIDC_ID_TOKEN_KEY_NOT_FOUND');
    expect(jwksCalls()).toBe(2);
  });

  it('refuses a header without kid when several keys fit; takes the only one otherwise', async () => {
    expect((await signIn({}, { header: { kid: undefined } })).idTokenClaims?.sub).toBe('user-1');
    const second = await signingKey('RS256', 'second');
    state.jwks = [key.publicJwk, second.publicJwk];
    expect(await refusal(signIn({}, { header: { kid: undefined } }))).toBe('OIDC_ID_TOKEN_KEY_NOT_FOUND');
  });

  it('refuses a malformed ID token, and one without sub, exp or iat', async () => {
    const client = oidcClient(state).client;
    for (const idToken of ['not-a-jwt', 'a.b.c', `${btoa('{"alg":"RS256"}')}.e30.+++`]) {
      state.token = { access_token: ACCESS_TOKEN, id_token: idToken };
      expect(await refusal(client.exchangeCode('c'))).toBe('OIDC_ID_TOKEN_MALFORMED');
    }
    expect(await refusal(signIn({ sub: undefined }))).toBe('OIDC_ID_TOKEN_MALFORMED');
    expect(await refusal(signIn({ exp: '9999999999' }))).toBe('OIDC_ID_TOKEN_MALFORMED');
  });

  it('requires an ID token in the answer to an OpenID Connect request (one with a nonce)', async () => {
    const client = oidcClient(state).client;
    state.token = { access_token: ACCESS_TOKEN };
    expect(await refusal(client.exchangeCode('c', { nonce: 'n' }))).toBe('OIDC_ID_TOKEN_MISSING');
    expect((await client.exchangeCode('c')).idTokenClaims).toBeUndefined(); // plain OAuth: fine
  });
});
