/** Typed server options from the environment, with defaults; a bad value fails fast naming the option. */
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import {
  audience,
  boolean,
  boundedDuration,
  ConfigError,
  databaseUrl,
  duration,
  type Env,
  integer,
  keyEncryptionKey,
  MAX_CODE_TTL,
  MAX_REUSE_WINDOW,
  type MetricsSetting,
  mailFrom,
  metricsSetting,
  previousKeyEncryptionKeys,
  redisUrl,
  restrictedScopes,
  scopeCatalogue,
  scopeDescriptions,
  smtpUrl,
  type TrustProxy,
  trustProxy,
  url,
} from './config-values.js';
import type { KeyEncryptionKey } from './keys/key-encryption.js';
import { SIGNING_ALGORITHMS, type SigningAlgorithm } from './keys/signing-key.js';
import { type BackchannelLogoutSettings, backchannelLogoutSettings } from './logout/settings.js';
import { OIDC_SCOPE_DESCRIPTIONS } from './oidc/scopes.js';
import { DEFAULT_AUDIT_RETENTION } from './storage/audit.js';

export { ConfigError, type MetricsSetting, parseDuration } from './config-values.js';

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
  /** App registrations kept in memory for client authentication, least recently used out. */
  clientCacheSize: number;
  /**
   * LATCHKEY_REDIS_URL: where the throttles' counts are shared (`redis://` or `rediss://`); unset: in
   * PostgreSQL's `throttle_counters`, or in this process on SQLite (throttle/open.ts).
   */
  redisUrl: string | undefined;
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
  /** Scopes of the catalogue only an admin may give an app (LATCHKEY_RESTRICTED_SCOPES; default none). */
  restrictedScopes: string[];
  /**
   * Milliseconds a client has to send a whole request, headers and body (Node's `requestTimeout` and
   * `headersTimeout`); a slower one is answered 408 and its connection closed.
   */
  requestTimeoutMs: number;
  /** Milliseconds to let in-flight requests finish on SIGTERM. */
  shutdownGraceMs: number;
  /**
   * How often a running server checks the signing keys for a change and reloads them if there was one,
   * so a rotation reaches every server within it (ms).
   */
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
  /** How long audit events are kept before the purge deletes them (s; at least a day, default 90 d). */
  auditRetention: number;
  /**
   * How often each server adds the tokens it counted in memory to the usage table (ms; 1 to 300 s,
   * default 5 s; activity/usage-counter.ts). Also written at shutdown.
   */
  usageFlushMs: number;
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
  trustProxy: TrustProxy;
  /**
   * GET /metrics in the Prometheus text format (metrics/): off by default; LATCHKEY_METRICS=true serves
   * it on the main listener, LATCHKEY_METRICS_PORT on a listener of its own on HOST instead.
   */
  metrics: MetricsSetting;
  /**
   * LATCHKEY_SMTP_URL: where account emails (verification, password reset) are sent, `smtp://` or
   * `smtps://`; unset: each link is written to the log once, at warn level, instead (accounts/mailer.ts).
   */
  smtpUrl: string | undefined;
  /** LATCHKEY_MAIL_FROM: the `From` of account emails (default `Latchkey <no-reply@HOST>`). */
  mailFrom: string;
  /**
   * How logout tokens are delivered and where they may go (LATCHKEY_BACKCHANNEL_LOGOUT_*,
   * LATCHKEY_BACKCHANNEL_PRIVATE_NETWORKS; logout/settings.ts).
   */
  backchannelLogout: BackchannelLogoutSettings;
}

/** Descriptions for the default catalogue; LATCHKEY_SCOPE_DESCRIPTIONS adds or overrides. */
export const DEFAULT_SCOPE_DESCRIPTIONS: Readonly<Record<string, string>> = {
  'data:read': 'See your projects and their data',
  'data:write': 'Create, change and delete your projects',
  // The management API (/manage/v1) acting as the user: what a developer's own tooling asks for.
  manage: 'Manage the apps you develop: create, change and delete them, and rotate their secrets',
  // OpenID Connect (OIDC Core §5.4, §11): offline_access is what lets the app refresh while you are away.
  ...OIDC_SCOPE_DESCRIPTIONS,
};

/**
 * Reads the configuration. Variables: PORT, HOST, LATCHKEY_ISSUER, LATCHKEY_AUDIENCE,
 * LATCHKEY_DATA_DIR, LATCHKEY_DATABASE_URL, LATCHKEY_DATABASE_POOL_SIZE, LATCHKEY_CLIENT_CACHE_SIZE, LATCHKEY_DATABASE_TIMEOUT, LATCHKEY_REDIS_URL,
 * LATCHKEY_SIGNING_ALG, LATCHKEY_ACCESS_TOKEN_TTL,
 * LATCHKEY_LOG_LEVEL, LATCHKEY_AUTH_MAX_FAILURES, LATCHKEY_AUTH_FAILURE_WINDOW, LATCHKEY_DEMO_APP,
 * LATCHKEY_SCOPES, LATCHKEY_REQUEST_TIMEOUT, LATCHKEY_SHUTDOWN_GRACE, LATCHKEY_KEY_RELOAD_INTERVAL, LATCHKEY_SIGNING_THREAD,
 * LATCHKEY_CODE_TTL, LATCHKEY_REFRESH_TOKEN_TTL, LATCHKEY_REFRESH_GRACE, LATCHKEY_REFRESH_RETRY_WINDOW,
 * LATCHKEY_PURGE_INTERVAL, LATCHKEY_AUDIT_RETENTION, LATCHKEY_USAGE_FLUSH_INTERVAL, LATCHKEY_REQUIRE_PKCE, LATCHKEY_SIGNUP,
 * LATCHKEY_SESSION_TTL, LATCHKEY_LOGIN_MAX_FAILURES, LATCHKEY_LOGIN_FAILURE_WINDOW,
 * LATCHKEY_SIGNUP_MAX_PER_IP, LATCHKEY_SIGNUP_WINDOW, LATCHKEY_SCOPE_DESCRIPTIONS,
 * LATCHKEY_TRUST_PROXY, LATCHKEY_KEY_ENCRYPTION_KEY, LATCHKEY_KEY_ENCRYPTION_KEY_PREVIOUS,
 * LATCHKEY_METRICS, LATCHKEY_METRICS_PORT, LATCHKEY_SMTP_URL, LATCHKEY_MAIL_FROM,
 * LATCHKEY_BACKCHANNEL_LOGOUT_TIMEOUT, LATCHKEY_BACKCHANNEL_LOGOUT_ATTEMPTS, LATCHKEY_BACKCHANNEL_LOGOUT_RETRY,
 * LATCHKEY_BACKCHANNEL_PRIVATE_NETWORKS.
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
    redisUrl: redisUrl(env['LATCHKEY_REDIS_URL']),
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
    restrictedScopes: restrictedScopes(
      env['LATCHKEY_RESTRICTED_SCOPES'],
      scopeCatalogue(env['LATCHKEY_SCOPES']),
    ),
    requestTimeoutMs: timer('LATCHKEY_REQUEST_TIMEOUT', 30, 1) * 1000,
    // 0: stop at once, without waiting for in-flight requests.
    shutdownGraceMs: timer('LATCHKEY_SHUTDOWN_GRACE', 10, 0) * 1000,
    // A check is one small read (keys/key-manager.ts): often enough that a rotation reaches every
    // server well within 5 s.
    keyReloadMs: timer('LATCHKEY_KEY_RELOAD_INTERVAL', 2, 1) * 1000,
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
    // Less than a day would delete a security event before anyone read it.
    auditRetention: lifetime('LATCHKEY_AUDIT_RETENTION', DEFAULT_AUDIT_RETENTION, 86400),
    usageFlushMs: boundedDuration(env, 'LATCHKEY_USAGE_FLUSH_INTERVAL', 5, 1, 300),
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
    metrics: metricsSetting(env, port),
    smtpUrl: smtpUrl(env['LATCHKEY_SMTP_URL']),
    mailFrom: mailFrom(env['LATCHKEY_MAIL_FROM'], issuer),
    backchannelLogout: backchannelLogoutSettings(env, issuer, host),
  };
}
