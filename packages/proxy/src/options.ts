// Options of createTokenProxy, their defaults and validation (fail fast, name the bad option).

import type { IncomingMessage } from 'node:http';
import type { FetchLike, ProviderPreset } from '@latchkey/client';
import type { ProxyLogger } from './logger.js';
import type { RetryLimits } from './retry-policy.js';

/**
 * What an `authorize(req)` hook answers: `true` lets the request through, `false` or `401` refuses it
 * with 401 `unauthorized`, `403` refuses it with 403 `access_denied`.
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-15.5.2
 */
export type AuthorizeResult = boolean | 401 | 403;

/**
 * A hook deciding whether the caller may get a token (for example: does it carry the app's own
 * session cookie?). Sync or async. It receives the raw `node:http` request (Express `req`, Fastify
 * `request.raw`). Throwing answers 500 `server_error`.
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-11
 */
export type AuthorizeHook = (req: IncomingMessage) => AuthorizeResult | Promise<AuthorizeResult>;

/**
 * Options of {@link createTokenProxy}. Give the upstream as `issuer` (discovery, RFC 8414),
 * `tokenEndpoint`, or an SDK `provider` preset such as `providers.autodesk()`.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.4
 */
export interface TokenProxyOptions {
  /** Authorization server issuer; its token endpoint is discovered. @see https://www.rfc-editor.org/rfc/rfc8414#section-3 */
  issuer?: string | undefined;
  /** The token endpoint, used as is (no discovery). @see https://www.rfc-editor.org/rfc/rfc6749#section-3.2 */
  tokenEndpoint?: string | undefined;
  /** An SDK preset (`providers.autodesk()`, `providers.latchkey(url)`); `issuer` / `tokenEndpoint` win over it. */
  provider?: ProviderPreset | undefined;
  /** The proxy's client id at the upstream. @see https://www.rfc-editor.org/rfc/rfc6749#section-2.2 */
  clientId: string;
  /** The proxy's client secret. Never sent to browsers, never logged. @see https://www.rfc-editor.org/rfc/rfc6749#section-2.3.1 */
  clientSecret: string;
  /** Scopes a caller may ask for (array or space-delimited string). @see https://www.rfc-editor.org/rfc/rfc6749#section-3.3 */
  allowedScopes: readonly string[] | string;
  /** Scope used when the request has none; must be within `allowedScopes`. Without it, a scope is required. */
  defaultScope?: readonly string[] | string | undefined;
  /** Exact origins (`https://app.example.com`) that get CORS headers; others get none and a 403. Default none. */
  allowedOrigins?: readonly string[] | undefined;
  /** Send `Access-Control-Allow-Credentials: true` to allowed origins (for cookie sessions checked by `authorize`). Default false. */
  allowCredentials?: boolean | undefined;
  /** Tokens are never handed out with less than this left; refreshed ahead of that. Default 60, at most a third of the lifetime. */
  skewSeconds?: number | undefined;
  /** Optional caller check run before a token is handed out. */
  authorize?: AuthorizeHook | undefined;
  /** Path served (node:http handler and Express). Default `/token`. */
  path?: string | undefined;
  /** `fetch` used to reach the upstream (tests, instrumentation). */
  fetch?: FetchLike | undefined;
  /** Retries after the first upstream attempt for 5xx, 429, timeouts and network errors. Default 2. */
  retries?: number | undefined;
  /** Time limit of one upstream attempt in ms. Default 5000. */
  timeoutMs?: number | undefined;
  /** Overall limit for getting a token, retries and waits included, in ms. Default 10000. */
  deadlineMs?: number | undefined;
  /** Base of the exponential backoff in ms (full jitter). Default 100. */
  backoffBaseMs?: number | undefined;
  /** Largest backoff wait in ms. Default 2000. */
  backoffMaxMs?: number | undefined;
  /** Largest `Retry-After` honoured in ms; longer ones are capped. Default 5000. */
  maxRetryAfterMs?: number | undefined;
  /** Extra token request parameters (`resource`, `audience`). @see https://www.rfc-editor.org/rfc/rfc8707 */
  tokenParams?: Record<string, string> | undefined;
  /** Where failures are logged (never with tokens or the secret); `false` for silence. Default: JSON lines on stderr. */
  logger?: ProxyLogger | false | undefined;
}

/** Options after validation, with defaults applied. */
export interface ResolvedProxyOptions extends RetryLimits {
  issuer: string | undefined;
  tokenEndpoint: string | undefined;
  provider: ProviderPreset;
  clientId: string;
  clientSecret: string;
  allowedScopes: ReadonlySet<string>;
  defaultScope: string[] | undefined;
  allowedOrigins: ReadonlySet<string>;
  allowCredentials: boolean;
  skewSeconds: number;
  authorize: AuthorizeHook | undefined;
  path: string;
  fetch: FetchLike | undefined;
  tokenParams: Record<string, string> | undefined;
}

const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/; // RFC 6749 §3.3 scope-token

function nonEmptyString(value: unknown, name: string): string {
  if (typeof value !== 'string' || value === '') throw new TypeError(`${name} must be a non-empty string`);
  return value;
}

function optionalUrl(value: unknown, name: string): string | undefined {
  if (value === undefined) return undefined;
  const text = nonEmptyString(value, name);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new TypeError(`${name} must be an absolute URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new TypeError(`${name} must be http(s)`);
  return text;
}

function number(value: unknown, name: string, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw new TypeError(`${name} must be a number from ${min} to ${max}`);
  }
  return value;
}

/**
 * Parses a scope option (array or space-delimited string) into distinct scope tokens.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-3.3
 */
export function scopeOption(value: unknown, name: string): string[] {
  const parts =
    typeof value === 'string'
      ? value.split(/[\s,]+/)
      : Array.isArray(value) && value.every((v) => typeof v === 'string')
        ? value.flatMap((v: string) => v.split(/\s+/))
        : null;
  if (parts === null) throw new TypeError(`${name} must be a string or an array of strings`);
  const list = [...new Set(parts.filter(Boolean))];
  for (const token of list) {
    if (!SCOPE_TOKEN.test(token)) throw new TypeError(`${name} has an invalid scope token "${token}"`);
  }
  return list;
}

function origins(value: unknown): Set<string> {
  if (value === undefined) return new Set();
  if (!Array.isArray(value)) throw new TypeError('allowedOrigins must be an array of origins');
  const set = new Set<string>();
  for (const raw of value) {
    if (typeof raw !== 'string' || raw === '' || raw === '*' || raw === 'null') {
      throw new TypeError(`allowedOrigins has an invalid origin "${String(raw)}" (exact origins only)`);
    }
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw new TypeError(`allowedOrigins has an invalid origin "${raw}"`);
    }
    if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.origin !== raw.replace(/\/$/, '')) {
      throw new TypeError(`allowedOrigins has an invalid origin "${raw}" (scheme://host[:port] only)`);
    }
    set.add(url.origin);
  }
  return set;
}

/**
 * Validates the options and applies defaults; throws `TypeError` naming the bad option.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.4.2
 */
export function resolveOptions(options: TokenProxyOptions): ResolvedProxyOptions {
  if (typeof options !== 'object' || options === null) throw new TypeError('options must be an object');
  const provider = options.provider ?? {};
  if (typeof provider !== 'object' || provider === null) throw new TypeError('provider must be an object');
  const issuer = optionalUrl(options.issuer ?? provider.issuer, 'issuer');
  const tokenEndpoint = optionalUrl(options.tokenEndpoint ?? provider.tokenEndpoint, 'tokenEndpoint');
  if (!issuer && !tokenEndpoint) throw new TypeError('issuer or tokenEndpoint (or a provider) is required');
  const allowed = scopeOption(options.allowedScopes, 'allowedScopes');
  if (allowed.length === 0) throw new TypeError('allowedScopes must name at least one scope');
  let defaultScope: string[] | undefined;
  if (options.defaultScope !== undefined) {
    defaultScope = scopeOption(options.defaultScope, 'defaultScope');
    const outside = defaultScope.find((s) => !allowed.includes(s));
    if (outside !== undefined) throw new TypeError(`defaultScope "${outside}" is not in allowedScopes`);
    if (defaultScope.length === 0) defaultScope = undefined;
  }
  if (options.authorize !== undefined && typeof options.authorize !== 'function') {
    throw new TypeError('authorize must be a function');
  }
  if (options.fetch !== undefined && typeof options.fetch !== 'function') {
    throw new TypeError('fetch must be a function');
  }
  const path = options.path ?? '/token';
  if (typeof path !== 'string' || !path.startsWith('/') || /[?#\s]/.test(path)) {
    throw new TypeError('path must start with "/" and have no query');
  }
  const timeoutMs = number(options.timeoutMs, 'timeoutMs', 5000, 1, 300_000);
  return {
    issuer,
    tokenEndpoint,
    provider,
    clientId: nonEmptyString(options.clientId, 'clientId'),
    clientSecret: nonEmptyString(options.clientSecret, 'clientSecret'),
    allowedScopes: new Set(allowed),
    defaultScope,
    allowedOrigins: origins(options.allowedOrigins),
    allowCredentials: options.allowCredentials === true,
    skewSeconds: number(options.skewSeconds, 'skewSeconds', 60, 0, 86_400),
    authorize: options.authorize,
    path,
    fetch: options.fetch,
    retries: Math.floor(number(options.retries, 'retries', 2, 0, 10)),
    timeoutMs,
    deadlineMs: number(options.deadlineMs, 'deadlineMs', Math.max(10_000, timeoutMs), 1, 600_000),
    backoffBaseMs: number(options.backoffBaseMs, 'backoffBaseMs', 100, 0, 60_000),
    backoffMaxMs: number(options.backoffMaxMs, 'backoffMaxMs', 2000, 0, 600_000),
    maxRetryAfterMs: number(options.maxRetryAfterMs, 'maxRetryAfterMs', 5000, 0, 600_000),
    tokenParams: options.tokenParams,
  };
}
