// Reads the standalone proxy's configuration from environment variables (fail fast, name the variable).

import { type ProviderPreset, providers } from '@latchkey/client';
import type { TokenProxyOptions } from './options.js';

/**
 * A missing or bad environment variable; the message names it.
 * @see https://12factor.net/config
 */
export class ProxyConfigError extends Error {
  /** The variable at fault. */
  readonly variable: string;

  /** @param variable the variable's name @param problem what is wrong with it */
  constructor(variable: string, problem: string) {
    super(`${variable} ${problem}`);
    this.name = 'ProxyConfigError';
    this.variable = variable;
  }
}

/** The standalone proxy's settings: proxy options plus where to listen. */
export interface ProxyEnvConfig {
  options: TokenProxyOptions;
  port: number;
  host: string;
}

const PRESETS: Record<string, () => ProviderPreset> = {
  autodesk: () => providers.autodesk(),
  aps: () => providers.autodesk(),
};

function required(env: Record<string, string | undefined>, name: string): string {
  const value = env[name]?.trim();
  if (!value) throw new ProxyConfigError(name, 'is required');
  return value;
}

function url(env: Record<string, string | undefined>, name: string): string | undefined {
  const value = env[name]?.trim();
  if (!value) return undefined;
  try {
    const parsed = new URL(value);
    if (parsed.protocol === 'http:' || parsed.protocol === 'https:') return value;
  } catch {
    // reported below
  }
  throw new ProxyConfigError(name, `must be an http(s) URL, got "${value}"`);
}

function integer(
  env: Record<string, string | undefined>,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < min || value > max) {
    throw new ProxyConfigError(name, `must be an integer from ${min} to ${max}, got "${raw}"`);
  }
  return value;
}

function list(raw: string | undefined): string[] {
  return (raw ?? '').split(/[\s,]+/).filter(Boolean);
}

/**
 * Reads `CLIENT_ID`, `CLIENT_SECRET`, `LATCHKEY_ISSUER` or `TOKEN_ENDPOINT` (or `PROVIDER=autodesk`),
 * `ALLOWED_SCOPES`, `DEFAULT_SCOPE`, `ALLOWED_ORIGINS`, `PORT` (default 8080), `HOST` (default
 * 127.0.0.1), and optionally `PROXY_PATH`, `SKEW_SECONDS`, `UPSTREAM_TIMEOUT_MS`, `UPSTREAM_RETRIES`.
 * Throws {@link ProxyConfigError} naming the first missing or bad variable.
 * @see https://aps.autodesk.com/en/docs/oauth/v2/tutorials/get-2-legged-token/
 */
export function readProxyEnv(env: Record<string, string | undefined>): ProxyEnvConfig {
  const clientId = required(env, 'CLIENT_ID');
  const clientSecret = required(env, 'CLIENT_SECRET');
  const issuer = url(env, 'LATCHKEY_ISSUER');
  const tokenEndpoint = url(env, 'TOKEN_ENDPOINT');
  const presetName = env['PROVIDER']?.trim().toLowerCase();
  let provider: ProviderPreset | undefined;
  if (presetName) {
    const preset = PRESETS[presetName];
    if (!preset) throw new ProxyConfigError('PROVIDER', `must be one of ${Object.keys(PRESETS).join(', ')}`);
    provider = preset();
  }
  if (!issuer && !tokenEndpoint && !provider) {
    throw new ProxyConfigError('LATCHKEY_ISSUER', 'or TOKEN_ENDPOINT (or PROVIDER) is required');
  }
  const allowedScopes = list(required(env, 'ALLOWED_SCOPES'));
  const defaultScope = list(env['DEFAULT_SCOPE']);
  const outside = defaultScope.find((s) => !allowedScopes.includes(s));
  if (outside !== undefined) {
    throw new ProxyConfigError('DEFAULT_SCOPE', `has "${outside}", which is not in ALLOWED_SCOPES`);
  }
  const allowedOrigins = list(env['ALLOWED_ORIGINS']);
  for (const origin of allowedOrigins) {
    let ok = false;
    try {
      ok = new URL(origin).origin === origin.replace(/\/$/, '');
    } catch {
      ok = false;
    }
    if (!ok) throw new ProxyConfigError('ALLOWED_ORIGINS', `has an invalid origin "${origin}"`);
  }
  const path = env['PROXY_PATH']?.trim() || '/token';
  if (!path.startsWith('/')) throw new ProxyConfigError('PROXY_PATH', 'must start with "/"');
  return {
    options: {
      issuer,
      tokenEndpoint,
      provider,
      clientId,
      clientSecret,
      allowedScopes,
      defaultScope: defaultScope.length > 0 ? defaultScope : undefined,
      allowedOrigins,
      path,
      skewSeconds: integer(env, 'SKEW_SECONDS', 60, 0, 86_400),
      timeoutMs: integer(env, 'UPSTREAM_TIMEOUT_MS', 5000, 1, 300_000),
      retries: integer(env, 'UPSTREAM_RETRIES', 2, 0, 10),
    },
    port: integer(env, 'PORT', 8080, 0, 65_535),
    host: env['HOST']?.trim() || '127.0.0.1',
  };
}
