/** Typed server options from the environment, with defaults; a bad value fails fast naming the option. */
import { isIP } from 'node:net';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KeyEncryptionKey, KeyEncryptionKeyFormatError } from './keys/key-encryption.js';
import { SIGNING_ALGORITHMS, type SigningAlgorithm } from './keys/signing-key.js';

/** Everything the server reads from its environment. */
export interface Config {
  port: number;
  host: string;
  issuer: string;
  /** `aud` of access tokens (default: the issuer). */
  audience: string;
  /** Folder for the SQLite file and demo-app.json. */
  dataDir: string;
  databaseUrl: string;
  /** PostgreSQL connections per server process. */
  databasePoolSize: number;
  /** SQLite: app registrations kept in memory for client authentication, least recently used out. */
  clientCacheSize: number;
  /**
   * Deadline of every database call of a request (ms): a statement, a connection from the pool, a
   * transaction (storage/database.ts); SQLite's busy timeout. Kept well below clients' own timeouts, so
   * a hung database answers 503 before a client gives up and retries.
   */
  databaseTimeoutMs: number;
  signingAlg: SigningAlgorithm;
  /**
   * LATCHKEY_KEY_ENCRYPTION_KEY: the key-encryption key (KEK) that seals the private signing keys in the
   * database (AES-256-GCM, keys/key-encryption.ts), written `[id:]key`: 32 random bytes as base64url,
   * base64 or hex, optionally after an ID (default: a fingerprint of the key). Unset: on SQLite, the KEK
   * in `<dataDir>/key-encryption.key`, generated on first start; PostgreSQL requires it.
   */
  keyEncryptionKey: KeyEncryptionKey | undefined;
  /**
   * LATCHKEY_KEY_ENCRYPTION_KEY_PREVIOUS: earlier KEKs, comma-separated, same format. They only open
   * keys, so servers keep starting while `latchkey keys rewrap` re-seals every key under the current one.
   */
  previousKeyEncryptionKeys: KeyEncryptionKey[];
  accessTokenTtl: number;
  logLevel: string;
  /**
   * Failed client authentications allowed per (client ID, IP) and per IP within the window; one client
   * ID from every IP together may fail ten times as often.
   */
  authMaxFailures: number;
  authFailureWindow: number;
  /** Create a demo app on first start with an empty database. */
  demoApp: boolean;
  /** Scopes a new app gets when none are given, and the catalogue advertised in metadata. */
  scopes: string[];
  /**
   * Milliseconds a client has to send a whole request, headers and body (Node's `requestTimeout` and
   * `headersTimeout`); a slower one is answered 408 and its connection closed.
   */
  requestTimeoutMs: number;
  /** Milliseconds to let in-flight requests finish on SIGTERM. */
  shutdownGraceMs: number;
  /** How often a running server re-reads the signing keys, so a rotation reaches it (ms). */
  keyReloadMs: number;
  /**
   * Sign tokens on a worker thread (`worker`, the default with more than one core: the event loop keeps
   * parsing and writing while ECDSA runs beside it) or on the event loop (`inline`).
   */
  signing: 'worker' | 'inline';
  /** Authorization code lifetime (s). */
  codeTtl: number;
  /** Refresh token lifetime (s). */
  refreshTokenTtl: number;
  /** Window in which a just-rotated refresh token still works for the same client (s). */
  refreshGrace: number;
  /**
   * Window in which a rotated refresh token whose successor was never used may be presented again (a
   * retry after a lost answer), rotating again and retiring that successor (s; 0: off).
   */
  refreshRetryWindow: number;
  /** Seconds between purges of expired rows (storage/purge.ts), jittered; 0 disables them. */
  purgeInterval: number;
  /** Require PKCE from confidential apps too (always required from public apps). */
  requirePkce: boolean;
  /** Whether the sign-up page is open. */
  signupEnabled: boolean;
  /** Browser session lifetime (s). */
  sessionTtl: number;
  /**
   * Failed sign-ins allowed per (account, IP) within the window, and four times as many per IP across
   * accounts; past it an account's sign-ins from anywhere are slowed down, never refused.
   */
  loginMaxFailures: number;
  loginFailureWindow: number;
  /** Sign-up attempts allowed per IP within the window (every attempt counts). */
  signupMaxPerIp: number;
  signupWindow: number;
  /** Human descriptions of scopes for the consent page. */
  scopeDescriptions: Record<string, string>;
  /**
   * Fastify's `trustProxy`, so `request.ip` is the client behind reverse proxies: `false` (default: the
   * peer address), `true` (every X-Forwarded-For hop), the addresses/CIDRs of the trusted proxies, or a
   * hop count (as a function: Fastify ignores a bare number, since it cannot check the peer).
   */
  trustProxy: boolean | string[] | ((address: string, hop: number) => boolean);
}

/** Descriptions for the default catalogue; LATCHKEY_SCOPE_DESCRIPTIONS adds or overrides. */
export const DEFAULT_SCOPE_DESCRIPTIONS: Readonly<Record<string, string>> = {
  'data:read': 'See your projects and their data',
  'data:write': 'Create, change and delete your projects',
};

/** A configuration value is wrong: the message names the variable. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

type Env = Record<string, string | undefined>;

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new ConfigError(`${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
  }
  return Number(raw);
}

function boolean(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (raw !== 'true' && raw !== 'false') throw new ConfigError(`${name} must be true or false, got "${raw}"`);
  return raw === 'true';
}

function scopeDescriptions(raw: string | undefined): Record<string, string> {
  if (raw === undefined || raw === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new ConfigError(
      'LATCHKEY_SCOPE_DESCRIPTIONS must be a JSON object such as {"data:read":"See your data"}',
    );
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ConfigError('LATCHKEY_SCOPE_DESCRIPTIONS must be a JSON object of scope to description');
  }
  const out: Record<string, string> = {};
  for (const [scope, description] of Object.entries(parsed)) {
    if (typeof description !== 'string')
      throw new ConfigError(`LATCHKEY_SCOPE_DESCRIPTIONS: "${scope}" needs a string`);
    out[scope] = description;
  }
  return out;
}

/** LATCHKEY_SCOPES: space-separated; unset or empty is the default catalogue, only spaces is a mistake. */
function scopeCatalogue(raw: string | undefined): string[] {
  if (raw === undefined || raw === '') return ['data:read', 'data:write'];
  const scopes = raw.split(' ').filter(Boolean);
  if (scopes.length === 0)
    throw new ConfigError(`LATCHKEY_SCOPES must name at least one scope, got "${raw}"`);
  return scopes;
}

const PROXY_NAMES = ['loopback', 'linklocal', 'uniquelocal'];

/** LATCHKEY_TRUST_PROXY: `false`, `true`, a hop count, or a comma-separated list of addresses and CIDRs. */
function trustProxy(raw: string | undefined): Config['trustProxy'] {
  if (raw === undefined || raw === '' || raw === 'false') return false;
  if (raw === 'true') return true;
  if (/^\d{1,3}$/.test(raw)) {
    // The peer is hop 0: `1` trusts the proxy in front of us and takes the address it saw.
    const hops = Number(raw);
    return (_address, hop) => hop < hops;
  }
  const entries = raw.split(',').map((entry) => entry.trim());
  for (const entry of entries) {
    const [address = '', prefix, extra] = entry.split('/');
    const family = isIP(address);
    const max = family === 6 ? 128 : 32;
    const prefixOk = prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= max);
    if (!PROXY_NAMES.includes(entry) && (family === 0 || !prefixOk || extra !== undefined)) {
      throw new ConfigError(
        `LATCHKEY_TRUST_PROXY must be true, false, a hop count or a comma-separated list of addresses/CIDRs, got "${entry}"`,
      );
    }
  }
  return entries;
}

/** A KEK variable (never repeated in an error: it is a secret); `undefined` when unset or empty. */
function keyEncryptionKey(raw: string | undefined, name: string): KeyEncryptionKey | undefined {
  if (raw === undefined || raw.trim() === '') return undefined;
  try {
    return KeyEncryptionKey.parse(raw);
  } catch (error) {
    if (error instanceof KeyEncryptionKeyFormatError) throw new ConfigError(`${name} ${error.message}`);
    throw error;
  }
}

/** LATCHKEY_KEY_ENCRYPTION_KEY_PREVIOUS: comma-separated KEKs, none sharing an ID with another key. */
function previousKeyEncryptionKeys(raw: string | undefined, current: KeyEncryptionKey | undefined) {
  const name = 'LATCHKEY_KEY_ENCRYPTION_KEY_PREVIOUS';
  const keys = (raw ?? '')
    .split(',')
    .filter((entry) => entry.trim() !== '')
    .map((entry) => keyEncryptionKey(entry, name) as KeyEncryptionKey);
  const seen = current ? [current] : [];
  for (const key of keys) {
    if (seen.some((other) => other.id === key.id && !other.sameKey(key))) {
      throw new ConfigError(`${name}: two different keys have the ID "${key.id}"`);
    }
    seen.push(key);
  }
  return keys;
}

/** Parses durations like `3600`, `90s`, `15m`, `24h`, `14d` into seconds. */
export function parseDuration(raw: string, name: string): number {
  const match = /^(\d+)\s*([smhd]?)$/.exec(raw.trim());
  if (!match)
    throw new ConfigError(`${name} must be a duration such as 3600, 90s, 15m, 24h or 14d, got "${raw}"`);
  const unit = { '': 1, s: 1, m: 60, h: 3600, d: 86400 }[match[2] as '' | 's' | 'm' | 'h' | 'd'];
  return Number(match[1]) * unit;
}

/** 9999-12-31T23:59:59Z: an expiry after it does not fit a four-digit year (RFC 3339 §5.6 `date-fullyear`). */
const LAST_SECOND = 253_402_300_799;

/** The longest delay Node's timers take (2^31 - 1 ms, about 24.8 days); a longer one fires at once. */
const MAX_TIMER_SECONDS = 2_147_483;

/** RFC 6749 §4.1.2: codes live minutes (10 at most is RECOMMENDED). */
const MAX_CODE_TTL = 600;

/**
 * The longest grace or retry window after a rotation: beyond a few minutes a rotated refresh token is
 * as good as the live one, and reuse detection (RFC 9700 §4.14.2) is in effect off.
 */
const MAX_REUSE_WINDOW = 300;

/**
 * A duration in seconds, at least `min`. Added to the current time it must stay within the year 9999
 * (lifetimes and windows become expiries that way); a timer delay (`timer`) must also fit Node's timers.
 */
function duration(
  env: Env,
  name: string,
  fallback: number,
  bounds: { min: number; max?: number; timer?: boolean },
  nowSeconds: number,
): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const seconds = parseDuration(raw, name);
  if (seconds < bounds.min) {
    throw new ConfigError(
      `${name} must be at least ${bounds.min} second${bounds.min === 1 ? '' : 's'}, got "${raw}"`,
    );
  }
  if (bounds.max !== undefined && seconds > bounds.max) {
    throw new ConfigError(`${name} must be at most ${bounds.max} seconds, got "${raw}"`);
  }
  if (bounds.timer && seconds > MAX_TIMER_SECONDS) {
    throw new ConfigError(`${name} must be at most ${MAX_TIMER_SECONDS} seconds (24d), got "${raw}"`);
  }
  if (nowSeconds + seconds > LAST_SECOND) {
    throw new ConfigError(`${name} is too long: it would end after the year 9999, got "${raw}"`);
  }
  return seconds;
}

/** A duration from `min` to `max` seconds, in milliseconds. */
function boundedDuration(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  const seconds = raw === undefined || raw === '' ? fallback : parseDuration(raw, name);
  if (seconds < min || seconds > max)
    throw new ConfigError(`${name} must be from ${min}s to ${max}s, got "${raw}"`);
  return seconds * 1000;
}

function url(value: string, name: string): string {
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw new ConfigError(`${name} must be an absolute URL, got "${value}"`);
  }
  // RFC 8414 §2: the issuer has no query or fragment.
  if (!/^https?:$/.test(parsed.protocol) || parsed.search || parsed.hash) {
    throw new ConfigError(`${name} must be an http(s) URL without query or fragment, got "${value}"`);
  }
  return value.replace(/\/+$/, '');
}

/**
 * `aud` of access tokens: RFC 7519 §4.1.3 makes it a StringOrURI, and a resource server compares it
 * with its own identifier, so it must be an absolute URI (`https://api.example`, `urn:example:api`).
 * @see https://www.rfc-editor.org/rfc/rfc7519#section-2
 */
function audience(raw: string | undefined, issuer: string): string {
  if (raw === undefined || raw === '') return issuer;
  let absolute = /^[a-z][a-z\d+.-]*:[\x21-\x7e]+$/i.test(raw);
  try {
    new URL(raw);
  } catch {
    absolute = false;
  }
  if (!absolute) {
    throw new ConfigError(
      `LATCHKEY_AUDIENCE must be an absolute URI such as https://api.example, got "${raw}"`,
    );
  }
  return raw;
}

/**
 * LATCHKEY_DATABASE_URL: `postgres://` or `postgresql://` (PostgreSQL), `sqlite:` or `file:` URLs or a
 * plain path (SQLite). Any other scheme is refused rather than taken for a file name. A `file:` URL
 * becomes its path (`file:///srv/lk.db`, `file:/srv/lk.db`, `file:lk.db` relative).
 * @see https://www.rfc-editor.org/rfc/rfc8089#section-2
 */
function databaseUrl(raw: string | undefined, dataDir: string): string {
  if (raw === undefined || raw === '') return join(dataDir, 'latchkey.db');
  const name = 'LATCHKEY_DATABASE_URL';
  // A scheme of two or more characters (a one-letter one is a Windows drive, `C:/data/lk.db`).
  const scheme = /^([a-z][a-z\d+.-]+):/i.exec(raw)?.[1]?.toLowerCase();
  if (scheme === undefined) return raw;
  if (scheme === 'postgres' || scheme === 'postgresql') {
    if (!/^postgres(ql)?:\/\//i.test(raw))
      throw new ConfigError(`${name} must start with postgres:// for PostgreSQL, got "${scheme}:..."`);
    return raw;
  }
  if (scheme === 'sqlite') {
    if (raw.replace(/^sqlite:(\/\/)?/i, '') === '')
      throw new ConfigError(`${name} names no SQLite file: "${raw}"`);
    return raw;
  }
  if (scheme === 'file') {
    const rest = raw.slice('file:'.length);
    if (/[?#]/.test(rest) || rest === '')
      throw new ConfigError(`${name} must be a file: URL of a path without query or fragment, got "${raw}"`);
    try {
      return rest.startsWith('//') ? fileURLToPath(raw) : decodeURIComponent(rest);
    } catch {
      throw new ConfigError(`${name} must be a file: URL of a local path, got "${raw}"`);
    }
  }
  // Never echo the value: an unknown URL may carry a password.
  throw new ConfigError(
    `${name} must be a postgres:// or postgresql:// URL, a file: or sqlite: URL or a file path, not a ${scheme}: URL`,
  );
}

/**
 * Reads the configuration. Variables: PORT, HOST, LATCHKEY_ISSUER, LATCHKEY_AUDIENCE,
 * LATCHKEY_DATA_DIR, LATCHKEY_DATABASE_URL, LATCHKEY_DATABASE_POOL_SIZE, LATCHKEY_CLIENT_CACHE_SIZE, LATCHKEY_DATABASE_TIMEOUT,
 * LATCHKEY_SIGNING_ALG, LATCHKEY_ACCESS_TOKEN_TTL,
 * LATCHKEY_LOG_LEVEL, LATCHKEY_AUTH_MAX_FAILURES, LATCHKEY_AUTH_FAILURE_WINDOW, LATCHKEY_DEMO_APP,
 * LATCHKEY_SCOPES, LATCHKEY_REQUEST_TIMEOUT, LATCHKEY_SHUTDOWN_GRACE, LATCHKEY_KEY_RELOAD_INTERVAL, LATCHKEY_SIGNING_THREAD,
 * LATCHKEY_CODE_TTL, LATCHKEY_REFRESH_TOKEN_TTL, LATCHKEY_REFRESH_GRACE, LATCHKEY_REFRESH_RETRY_WINDOW,
 * LATCHKEY_PURGE_INTERVAL, LATCHKEY_REQUIRE_PKCE, LATCHKEY_SIGNUP,
 * LATCHKEY_SESSION_TTL, LATCHKEY_LOGIN_MAX_FAILURES, LATCHKEY_LOGIN_FAILURE_WINDOW,
 * LATCHKEY_SIGNUP_MAX_PER_IP, LATCHKEY_SIGNUP_WINDOW, LATCHKEY_SCOPE_DESCRIPTIONS,
 * LATCHKEY_TRUST_PROXY, LATCHKEY_KEY_ENCRYPTION_KEY, LATCHKEY_KEY_ENCRYPTION_KEY_PREVIOUS.
 */
export function loadConfig(env: Env = process.env, cwd = process.cwd()): Config {
  const port = integer(env, 'PORT', 4000, 0, 65535);
  const host = env['HOST'] || '127.0.0.1';
  const issuer = url(env['LATCHKEY_ISSUER'] || `http://localhost:${port}`, 'LATCHKEY_ISSUER');
  const dataDir = resolve(cwd, env['LATCHKEY_DATA_DIR'] || '.latchkey');
  const signingAlg = (env['LATCHKEY_SIGNING_ALG'] || 'ES256') as SigningAlgorithm;
  if (!SIGNING_ALGORITHMS.includes(signingAlg)) {
    throw new ConfigError(
      `LATCHKEY_SIGNING_ALG must be one of ${SIGNING_ALGORITHMS.join(', ')}, got "${signingAlg}"`,
    );
  }
  const kek = keyEncryptionKey(env['LATCHKEY_KEY_ENCRYPTION_KEY'], 'LATCHKEY_KEY_ENCRYPTION_KEY');
  const logLevel = env['LATCHKEY_LOG_LEVEL'] || 'info';
  const now = Math.floor(Date.now() / 1000);
  const lifetime = (name: string, fallback: number, min = 1, max?: number) =>
    duration(env, name, fallback, max === undefined ? { min } : { min, max }, now);
  const timer = (name: string, fallback: number, min: number) =>
    duration(env, name, fallback, { min, timer: true }, now);
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(logLevel)) {
    throw new ConfigError(`LATCHKEY_LOG_LEVEL must be a pino level (info, warn, ...), got "${logLevel}"`);
  }
  return {
    port,
    host,
    issuer,
    audience: audience(env['LATCHKEY_AUDIENCE'], issuer),
    dataDir,
    databaseUrl: databaseUrl(env['LATCHKEY_DATABASE_URL'], dataDir),
    databasePoolSize: integer(env, 'LATCHKEY_DATABASE_POOL_SIZE', 10, 1, 1000),
    clientCacheSize: integer(env, 'LATCHKEY_CLIENT_CACHE_SIZE', 10_000, 1, 10_000_000),
    databaseTimeoutMs: boundedDuration(env, 'LATCHKEY_DATABASE_TIMEOUT', 5, 1, 60),
    signingAlg,
    keyEncryptionKey: kek,
    previousKeyEncryptionKeys: previousKeyEncryptionKeys(env['LATCHKEY_KEY_ENCRYPTION_KEY_PREVIOUS'], kek),
    accessTokenTtl: lifetime('LATCHKEY_ACCESS_TOKEN_TTL', 3600),
    logLevel,
    authMaxFailures: integer(env, 'LATCHKEY_AUTH_MAX_FAILURES', 10, 1, 1_000_000),
    authFailureWindow: lifetime('LATCHKEY_AUTH_FAILURE_WINDOW', 300),
    demoApp: boolean(env, 'LATCHKEY_DEMO_APP', true),
    scopes: scopeCatalogue(env['LATCHKEY_SCOPES']),
    requestTimeoutMs: timer('LATCHKEY_REQUEST_TIMEOUT', 30, 1) * 1000,
    // 0: stop at once, without waiting for in-flight requests.
    shutdownGraceMs: timer('LATCHKEY_SHUTDOWN_GRACE', 10, 0) * 1000,
    keyReloadMs: timer('LATCHKEY_KEY_RELOAD_INTERVAL', 30, 1) * 1000,
    signing: boolean(env, 'LATCHKEY_SIGNING_THREAD', availableParallelism() > 1) ? 'worker' : 'inline',
    // RFC 6749 §4.1.2: a maximum authorization code lifetime of 10 minutes is RECOMMENDED.
    codeTtl: lifetime('LATCHKEY_CODE_TTL', 60, 1, MAX_CODE_TTL),
    refreshTokenTtl: lifetime('LATCHKEY_REFRESH_TOKEN_TTL', 14 * 86400),
    // 0: a rotated refresh token stops working at once.
    refreshGrace: lifetime('LATCHKEY_REFRESH_GRACE', 0, 0, MAX_REUSE_WINDOW),
    // 0: no retry after a lost answer (a rotated token presented again is reuse).
    refreshRetryWindow: lifetime('LATCHKEY_REFRESH_RETRY_WINDOW', 30, 0, MAX_REUSE_WINDOW),
    // 0: never (storage/purge.ts caps the timer itself).
    purgeInterval: lifetime('LATCHKEY_PURGE_INTERVAL', 3600, 0),
    requirePkce: boolean(env, 'LATCHKEY_REQUIRE_PKCE', false),
    signupEnabled: boolean(env, 'LATCHKEY_SIGNUP', true),
    sessionTtl: lifetime('LATCHKEY_SESSION_TTL', 7 * 86400),
    loginMaxFailures: integer(env, 'LATCHKEY_LOGIN_MAX_FAILURES', 5, 1, 1_000_000),
    loginFailureWindow: lifetime('LATCHKEY_LOGIN_FAILURE_WINDOW', 900),
    signupMaxPerIp: integer(env, 'LATCHKEY_SIGNUP_MAX_PER_IP', 10, 1, 1_000_000),
    signupWindow: lifetime('LATCHKEY_SIGNUP_WINDOW', 3600),
    scopeDescriptions: {
      ...DEFAULT_SCOPE_DESCRIPTIONS,
      ...scopeDescriptions(env['LATCHKEY_SCOPE_DESCRIPTIONS']),
    },
    trustProxy: trustProxy(env['LATCHKEY_TRUST_PROXY']),
  };
}
