// requireToken options: types, defaults and fail-fast validation naming the bad option.
import type { FetchLike } from './types.js';

/** Asymmetric JWS algorithms that may appear on the allow-list (never `none`, never HS*). */
export const SUPPORTED_ALGORITHMS: readonly string[] = [
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
];

/** Default algorithm allow-list: what Latchkey signs with. */
export const DEFAULT_ALGORITHMS: readonly string[] = ['ES256', 'EdDSA', 'RS256'];

/**
 * Options of {@link requireToken}.
 * @see https://www.rfc-editor.org/rfc/rfc9068#section-4
 * @see https://www.rfc-editor.org/rfc/rfc7662#section-2
 */
export interface RequireTokenOptions {
  /** Authorization server issuer identifier; the exact `iss` expected. Used for RFC 8414 discovery. */
  issuer: string;
  /** JWKS URL; skips discovery of `jwks_uri` when given. */
  jwksUri?: string;
  /** Accepted `aud` value(s): the API's resource identifier. Required (RFC 9068 §4). */
  audience: string | readonly string[];
  /** Scopes every request must carry (all of them). Default: none. */
  scopes?: readonly string[];
  /** `jwt` (default): verify locally. `introspect`: ask the authorization server every time (RFC 7662). */
  mode?: 'jwt' | 'introspect';
  /** JWS algorithm allow-list. Default `['ES256', 'EdDSA', 'RS256']`. */
  algorithms?: readonly string[];
  /** Clock skew allowed on `exp` / `nbf`, seconds. Default 30. */
  leewaySeconds?: number;
  /** Introspection endpoint and this API's client credentials (HTTP Basic). */
  introspection?: {
    /** Introspection URL; discovered from the issuer metadata when omitted. */
    endpoint?: string;
    clientId: string;
    clientSecret: string;
    /** Cache `active: true` answers this long (bounded by `exp`). Default 0: every request asks. */
    cacheSeconds?: number;
  };
  /** RFC 9728 metadata URL put in `resource_metadata="..."` of every challenge. */
  resourceMetadataUrl?: string;
  /** `realm` of the `WWW-Authenticate` challenge. Default: the first audience. */
  realm?: string;
  /** Verified-token cache (JWT mode). `false` disables it. */
  cache?: false | { maxEntries?: number; maxAgeSeconds?: number };
  /**
   * Minimum time between two waits for a JWKS fetch caused by an unknown `kid`, and between two
   * background refetches; the first delay of the backoff after a failed refetch. Seconds, default 30.
   */
  jwksCooldownSeconds?: number;
  /**
   * Refetch the JWKS in the background when the copy in memory is older than this; tokens keep being
   * verified with it meanwhile, even when the refetch fails. Seconds, default 600.
   */
  jwksMaxAgeSeconds?: number;
  /** Cap of the exponential backoff between failed JWKS refetches (never below the cooldown). Seconds, default 300. */
  jwksMaxBackoffSeconds?: number;
  /** Timeout of each call to the authorization server, milliseconds. Default 5000. */
  timeoutMs?: number;
  /** `fetch` implementation. Default: the global `fetch`. */
  fetch?: FetchLike;
}

/** Options after defaults and validation. */
export interface ResolvedOptions {
  issuer: string;
  jwksUri: string | undefined;
  audience: string[];
  scopes: string[];
  mode: 'jwt' | 'introspect';
  algorithms: string[];
  leewaySeconds: number;
  introspection:
    | { endpoint: string | undefined; clientId: string; clientSecret: string; cacheSeconds: number }
    | undefined;
  resourceMetadataUrl: string | undefined;
  realm: string;
  cache: { maxEntries: number; maxAgeSeconds: number } | undefined;
  jwksCooldownSeconds: number;
  jwksMaxAgeSeconds: number;
  jwksMaxBackoffSeconds: number;
  timeoutMs: number;
  fetch: FetchLike;
}

function fail(name: string, problem: string): never {
  throw new TypeError(`requireToken: option "${name}" ${problem}`);
}

function checkUrl(name: string, value: unknown): string {
  if (typeof value !== 'string' || value === '') fail(name, 'must be a non-empty URL string');
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    fail(name, `is not a valid URL: ${value}`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') fail(name, 'must be an http(s) URL');
  return value;
}

function checkSeconds(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    fail(name, 'must be a finite number >= 0');
  }
  return value;
}

/** Scope token syntax, RFC 6749 §3.3: `1*( %x21 / %x23-5B / %x5D-7E )`. */
export const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/;

/**
 * Applies defaults and validates {@link RequireTokenOptions}; throws `TypeError` naming the option.
 * @see https://www.rfc-editor.org/rfc/rfc9068#section-4
 */
export function resolveOptions(options: RequireTokenOptions): ResolvedOptions {
  if (typeof options !== 'object' || options === null) fail('options', 'must be an object');
  const issuer = checkUrl('issuer', options.issuer);
  const jwksUri = options.jwksUri === undefined ? undefined : checkUrl('jwksUri', options.jwksUri);

  const audience = typeof options.audience === 'string' ? [options.audience] : options.audience;
  if (
    !Array.isArray(audience) ||
    audience.length === 0 ||
    audience.some((a) => typeof a !== 'string' || !a)
  ) {
    fail('audience', 'must be a non-empty string or array of strings');
  }

  const scopes = options.scopes ?? [];
  if (!Array.isArray(scopes) || scopes.some((s) => typeof s !== 'string' || !SCOPE_TOKEN.test(s))) {
    fail('scopes', 'must be an array of scope tokens (RFC 6749 §3.3)');
  }

  const mode = options.mode ?? 'jwt';
  if (mode !== 'jwt' && mode !== 'introspect') fail('mode', "must be 'jwt' or 'introspect'");

  const algorithms = options.algorithms ?? DEFAULT_ALGORITHMS;
  if (!Array.isArray(algorithms) || algorithms.length === 0) fail('algorithms', 'must be a non-empty array');
  for (const alg of algorithms) {
    if (!SUPPORTED_ALGORITHMS.includes(alg)) {
      fail('algorithms', `contains ${JSON.stringify(alg)}; allowed: ${SUPPORTED_ALGORITHMS.join(', ')}`);
    }
  }

  let introspection: ResolvedOptions['introspection'];
  if (options.introspection !== undefined) {
    const i = options.introspection;
    if (typeof i !== 'object' || i === null) fail('introspection', 'must be an object');
    if (typeof i.clientId !== 'string' || !i.clientId) fail('introspection.clientId', 'must be a string');
    if (typeof i.clientSecret !== 'string' || !i.clientSecret) {
      fail('introspection.clientSecret', 'must be a string');
    }
    introspection = {
      endpoint: i.endpoint === undefined ? undefined : checkUrl('introspection.endpoint', i.endpoint),
      clientId: i.clientId,
      clientSecret: i.clientSecret,
      cacheSeconds: checkSeconds('introspection.cacheSeconds', i.cacheSeconds, 0),
    };
  } else if (mode === 'introspect') {
    fail('introspection', "is required when mode is 'introspect' (clientId, clientSecret)");
  }

  let cache: ResolvedOptions['cache'] = { maxEntries: 10_000, maxAgeSeconds: 300 };
  if (options.cache === false) cache = undefined;
  else if (options.cache !== undefined) {
    const maxEntries = options.cache.maxEntries ?? cache.maxEntries;
    if (!Number.isInteger(maxEntries) || maxEntries < 1) fail('cache.maxEntries', 'must be an integer >= 1');
    cache = {
      maxEntries,
      maxAgeSeconds: checkSeconds('cache.maxAgeSeconds', options.cache.maxAgeSeconds, cache.maxAgeSeconds),
    };
  }

  const fetchImpl = options.fetch ?? (globalThis.fetch as FetchLike | undefined);
  if (typeof fetchImpl !== 'function') fail('fetch', 'must be a function (no global fetch found)');

  const timeoutMs = checkSeconds('timeoutMs', options.timeoutMs, 5000);
  if (timeoutMs === 0) fail('timeoutMs', 'must be > 0');

  const realm = options.realm ?? audience[0]!;
  if (typeof realm !== 'string') fail('realm', 'must be a string');

  return {
    issuer,
    jwksUri,
    audience: [...audience],
    scopes: [...scopes],
    mode,
    algorithms: [...algorithms],
    leewaySeconds: checkSeconds('leewaySeconds', options.leewaySeconds, 30),
    introspection,
    resourceMetadataUrl:
      options.resourceMetadataUrl === undefined
        ? undefined
        : checkUrl('resourceMetadataUrl', options.resourceMetadataUrl),
    realm,
    cache,
    jwksCooldownSeconds: checkSeconds('jwksCooldownSeconds', options.jwksCooldownSeconds, 30),
    jwksMaxAgeSeconds: checkSeconds('jwksMaxAgeSeconds', options.jwksMaxAgeSeconds, 600),
    jwksMaxBackoffSeconds: checkSeconds('jwksMaxBackoffSeconds', options.jwksMaxBackoffSeconds, 300),
    timeoutMs,
    fetch: fetchImpl,
  };
}
