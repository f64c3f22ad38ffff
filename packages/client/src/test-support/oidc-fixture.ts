// Test helper: a fake OpenID Provider behind an injected fetch: WebCrypto signing keys, signed ID
// tokens, and `/jwks`, `/token`, `/userinfo` answers the test can change between calls.

import { OAuthClient } from '../client.js';
import type { AuthorizationServerMetadata } from '../discovery.js';
import { base64url } from '../encoding.js';
import type { OAuthClientOptions } from '../options.js';
import { json, mockFetch, type Recorded } from './mock-fetch.js';

/** The fake provider's issuer. */
export const ISSUER = 'https://op.example';
/** The client id the fixture client uses. */
export const CLIENT_ID = 'rp-1';

/** A private key that signs JWS with `alg`, and its public JWK as published (`kid`, `alg`, `use`). */
export interface SigningKey {
  alg: string;
  privateKey: CryptoKey;
  publicJwk: JsonWebKey & { kid: string };
}

type Recipe = { generate: RsaHashedKeyGenParams | EcKeyGenParams | Algorithm; sign: Algorithm };

function recipe(alg: string): Recipe {
  const bits = alg.slice(2);
  const hash = `SHA-${bits}`;
  if (alg === 'EdDSA' || alg === 'Ed25519')
    return { generate: { name: 'Ed25519' }, sign: { name: 'Ed25519' } };
  if (alg.startsWith('ES')) {
    const namedCurve = `P-${bits === '512' ? '521' : bits}`;
    return {
      generate: { name: 'ECDSA', namedCurve } as EcKeyGenParams,
      sign: { name: 'ECDSA', hash } as Algorithm,
    };
  }
  const name = alg.startsWith('RS') ? 'RSASSA-PKCS1-v1_5' : 'RSA-PSS';
  const generate = { name, hash, modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]) };
  return { generate, sign: { name, saltLength: Number(bits) / 8 } as Algorithm };
}

/** Generates a key pair for `alg` (RS*, PS*, ES*, EdDSA, Ed25519) named `kid`. */
export async function signingKey(alg = 'RS256', kid = `${alg}-key`): Promise<SigningKey> {
  const pair = (await crypto.subtle.generateKey(recipe(alg).generate, true, [
    'sign',
    'verify',
  ])) as CryptoKeyPair;
  const jwk = await crypto.subtle.exportKey('jwk', pair.publicKey);
  return {
    alg,
    privateKey: pair.privateKey,
    publicJwk: { kty: jwk.kty, crv: jwk.crv, n: jwk.n, e: jwk.e, x: jwk.x, y: jwk.y, kid, alg, use: 'sig' },
  };
}

const encodeJson = (value: unknown) => base64url(new TextEncoder().encode(JSON.stringify(value)));

/** Signs `claims` as a compact JWS with `key`; `header` overrides `alg` / `kid` (e.g. `alg: 'none'`). */
export async function signJwt(
  key: SigningKey,
  claims: Record<string, unknown>,
  header: Record<string, unknown> = {},
): Promise<string> {
  const input = `${encodeJson({ alg: key.alg, kid: key.publicJwk.kid, typ: 'JWT', ...header })}.${encodeJson(claims)}`;
  const signature = await crypto.subtle.sign(
    recipe(key.alg).sign,
    key.privateKey,
    new TextEncoder().encode(input),
  );
  return `${input}.${base64url(new Uint8Array(signature))}`;
}

/** The `at_hash` of `accessToken`: left half of its `hash` digest, base64url. */
export async function atHash(accessToken: string, hash = 'SHA-256'): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest(hash, new TextEncoder().encode(accessToken)));
  return base64url(digest.subarray(0, digest.length / 2));
}

/** Valid ID token claims for {@link CLIENT_ID} from {@link ISSUER}, issued now, valid ten minutes. */
export function claimsFor(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  return {
    iss: ISSUER,
    sub: 'user-1',
    aud: CLIENT_ID,
    iat: now,
    exp: now + 600,
    auth_time: now,
    ...overrides,
  };
}

/** What the fake provider answers; the test changes these between calls. */
export interface ProviderState {
  /** The keys published at `/jwks`. */
  jwks: JsonWebKey[];
  /** The body of the next `/token` answer. */
  token: Record<string, unknown>;
  /** The `/userinfo` answer. */
  userinfo: () => Response;
}

/**
 * A client of the fake provider (configured by hand, `jwksUri` set) and the provider's state; `calls`
 * records every request. `options` override the client options.
 */
export function oidcClient(
  state: ProviderState,
  options: Partial<OAuthClientOptions> = {},
  metadata?: AuthorizationServerMetadata,
) {
  const { fetch, calls } = mockFetch((request: Recorded) => {
    if (request.url.pathname === '/jwks') return json({ keys: state.jwks });
    if (request.url.pathname === '/token') return json(state.token);
    if (request.url.pathname === '/userinfo') return state.userinfo();
    return json({ error: 'not_found' }, 404);
  });
  const client = new OAuthClient(
    {
      clientId: CLIENT_ID,
      clientSecret: 'rp-secret',
      issuer: ISSUER,
      authorizationEndpoint: `${ISSUER}/authorize`,
      tokenEndpoint: `${ISSUER}/token`,
      jwksUri: `${ISSUER}/jwks`,
      userinfoEndpoint: `${ISSUER}/userinfo`,
      endSessionEndpoint: `${ISSUER}/logout?ui=compact`,
      redirectUri: 'https://rp.example/cb',
      fetch,
      ...options,
    },
    metadata,
  );
  return { client, calls, jwksCalls: () => calls.filter((call) => call.url.pathname === '/jwks').length };
}
