/** How each kind of configuration value is read and checked; a bad one fails naming its variable. */
import { isIP } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KeyEncryptionKey, KeyEncryptionKeyFormatError } from './keys/key-encryption.js';

/**
 * Fastify's `trustProxy`: `false` (the peer address), `true` (every X-Forwarded-For hop), the
 * addresses/CIDRs of the trusted proxies, or a hop count (as a function: Fastify ignores a bare number).
 */
export type TrustProxy = boolean | string[] | ((address: string, hop: number) => boolean);

/** A configuration value is wrong: the message names the variable. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** The environment variables, as `process.env` has them. */
export type Env = Record<string, string | undefined>;

/** A whole number from `min` to `max`; unset or empty: `fallback`. */
export function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new ConfigError(`${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
  }
  return Number(raw);
}

/** `true` or `false`; unset or empty: `fallback`. */
export function boolean(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (raw !== 'true' && raw !== 'false') throw new ConfigError(`${name} must be true or false, got "${raw}"`);
  return raw === 'true';
}

/**
 * Where GET /metrics is served: nowhere (the default), on the main listener, or on a listener of its
 * own at `port` on HOST (and then not on the main one).
 */
export type MetricsSetting = { where: 'off' } | { where: 'main' } | { where: 'port'; port: number };

/**
 * LATCHKEY_METRICS (`true`: on the main listener) and LATCHKEY_METRICS_PORT (1 to 65535: a listener of
 * its own; never the main PORT, and not with LATCHKEY_METRICS=false, which would contradict it).
 */
export function metricsSetting(env: Env, mainPort: number): MetricsSetting {
  const on = boolean(env, 'LATCHKEY_METRICS', false);
  const port = integer(env, 'LATCHKEY_METRICS_PORT', 0, 1, 65535);
  if (port === 0) return on ? { where: 'main' } : { where: 'off' };
  if (env['LATCHKEY_METRICS'] === 'false') {
    throw new ConfigError('LATCHKEY_METRICS_PORT is set but LATCHKEY_METRICS=false: unset one of them');
  }
  if (port === mainPort) {
    throw new ConfigError(
      `LATCHKEY_METRICS_PORT must differ from PORT (${mainPort}): metrics get a listener of their own, got "${port}"`,
    );
  }
  return { where: 'port', port };
}

/** LATCHKEY_SCOPE_DESCRIPTIONS: a JSON object of scope to the text the consent page shows. */
export function scopeDescriptions(raw: string | undefined): Record<string, string> {
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

/**
 * The default catalogue: the demo API's scopes, the management API's, and OpenID Connect's (OIDC Core
 * §3.1.2.1, §5.4, §11).
 */
export const DEFAULT_SCOPES: readonly string[] = [
  'data:read',
  'data:write',
  'manage',
  'openid',
  'profile',
  'email',
  'offline_access',
];

/** LATCHKEY_SCOPES: space-separated; unset or empty is the default catalogue, only spaces is a mistake. */
export function scopeCatalogue(raw: string | undefined): string[] {
  if (raw === undefined || raw === '') return [...DEFAULT_SCOPES];
  const scopes = raw.split(' ').filter(Boolean);
  if (scopes.length === 0)
    throw new ConfigError(`LATCHKEY_SCOPES must name at least one scope, got "${raw}"`);
  return scopes;
}

/** LATCHKEY_RESTRICTED_SCOPES: space-separated scopes of the catalogue that only an admin may give an app. */
export function restrictedScopes(raw: string | undefined, catalogue: readonly string[]): string[] {
  const scopes = (raw ?? '').split(' ').filter(Boolean);
  const unknown = scopes.find((scope) => !catalogue.includes(scope));
  if (unknown !== undefined)
    throw new ConfigError(`LATCHKEY_RESTRICTED_SCOPES names "${unknown}", which is not in LATCHKEY_SCOPES`);
  return scopes;
}

const PROXY_NAMES = ['loopback', 'linklocal', 'uniquelocal'];

/** LATCHKEY_TRUST_PROXY: `false`, `true`, a hop count, or a comma-separated list of addresses and CIDRs. */
export function trustProxy(raw: string | undefined): TrustProxy {
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
export function keyEncryptionKey(raw: string | undefined, name: string): KeyEncryptionKey | undefined {
  if (raw === undefined || raw.trim() === '') return undefined;
  try {
    return KeyEncryptionKey.parse(raw);
  } catch (error) {
    if (error instanceof KeyEncryptionKeyFormatError) throw new ConfigError(`${name} ${error.message}`);
    throw error;
  }
}

/** LATCHKEY_KEY_ENCRYPTION_KEY_PREVIOUS: comma-separated KEKs, none sharing an ID with another key. */
export function previousKeyEncryptionKeys(raw: string | undefined, current: KeyEncryptionKey | undefined) {
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
export const MAX_CODE_TTL = 600;

/**
 * The longest grace or retry window after a rotation: beyond a few minutes a rotated refresh token is
 * as good as the live one, and reuse detection (RFC 9700 §4.14.2) is in effect off.
 */
export const MAX_REUSE_WINDOW = 300;

/**
 * A duration in seconds, at least `min`. Added to the current time it must stay within the year 9999
 * (lifetimes and windows become expiries that way); a timer delay (`timer`) must also fit Node's timers.
 */
export function duration(
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
export function boundedDuration(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  const seconds = raw === undefined || raw === '' ? fallback : parseDuration(raw, name);
  if (seconds < min || seconds > max)
    throw new ConfigError(`${name} must be from ${min}s to ${max}s, got "${raw}"`);
  return seconds * 1000;
}

/** An absolute http(s) URL without query or fragment (RFC 8414 §2 for the issuer), trailing slashes cut. */
export function url(value: string, name: string): string {
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
export function audience(raw: string | undefined, issuer: string): string {
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
export function databaseUrl(raw: string | undefined, dataDir: string): string {
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
 * LATCHKEY_REDIS_URL: unset (the throttles count in the database: PostgreSQL's `throttle_counters`, or
 * this process on SQLite), or a `redis://` / `rediss://` (TLS) URL with a host, where every server
 * naming it shares the counts. Never echoed: it may carry a password.
 * @see https://www.iana.org/assignments/uri-schemes/prov/redis
 */
export function redisUrl(raw: string | undefined): string | undefined {
  if (raw === undefined || raw === '') return undefined;
  const name = 'LATCHKEY_REDIS_URL';
  let parsed: URL | undefined;
  try {
    parsed = new URL(raw);
  } catch {
    parsed = undefined;
  }
  if (parsed === undefined || !/^rediss?:$/.test(parsed.protocol) || parsed.hostname === '') {
    throw new ConfigError(`${name} must be a redis:// or rediss:// URL with a host`);
  }
  // `/<n>` selects a database: a number, nothing else.
  if (!/^\/?(\d+)?$/.test(parsed.pathname) || parsed.hash) {
    throw new ConfigError(`${name} may name only a database number after the host (redis://host:6379/0)`);
  }
  return raw;
}

/**
 * LATCHKEY_SMTP_URL: unset (links are written to the log instead, accounts/mailer.ts), or an `smtp://`
 * (STARTTLS when offered) or `smtps://` (TLS from the start) URL with a host, as nodemailer reads it
 * (`smtp://user:pass@host:587`, options in the query). Never echoed: it may carry a password.
 * @see https://www.rfc-editor.org/rfc/rfc8314#section-3
 */
export function smtpUrl(raw: string | undefined): string | undefined {
  if (raw === undefined || raw === '') return undefined;
  let parsed: URL | undefined;
  try {
    parsed = new URL(raw);
  } catch {
    parsed = undefined;
  }
  if (parsed === undefined || !/^smtps?:$/.test(parsed.protocol) || parsed.hostname === '' || parsed.hash) {
    throw new ConfigError('LATCHKEY_SMTP_URL must be an smtp:// or smtps:// URL with a host');
  }
  return raw;
}

/** `Name <local@domain>` or `local@domain`, on one line (a CR or LF would start another header). */
const MAILBOX = /^(?:[^<>"\p{Cc}]*<[^\s<>@"]{1,64}@[^\s<>@"]{1,255}>|[^\s<>@"]{1,64}@[^\s<>@"]{1,255})$/u;

/**
 * LATCHKEY_MAIL_FROM: the `From` of account emails, `Name <address>` or a bare address (RFC 5322
 * §3.4); unset: `Latchkey <no-reply@HOST>`, HOST being the issuer's host name.
 * @see https://www.rfc-editor.org/rfc/rfc5322#section-3.4
 */
export function mailFrom(raw: string | undefined, issuer: string): string {
  if (raw === undefined || raw.trim() === '') return `Latchkey <no-reply@${new URL(issuer).hostname}>`;
  const value = raw.trim();
  if (!MAILBOX.test(value)) {
    throw new ConfigError(
      `LATCHKEY_MAIL_FROM must be an address such as "Latchkey <no-reply@example.com>", on one line, got "${raw.replace(/\p{Cc}/gu, '?')}"`,
    );
  }
  return value;
}
