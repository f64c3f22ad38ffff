// Gets a two-legged token from the upstream: discovery once, bounded retries with backoff, one deadline.

import { type FetchLike, OAuthClient, type OAuthClientOptions } from '@latchkey/client';
import type { ProxyLogger } from './logger.js';
import type { ResolvedProxyOptions } from './options.js';
import { parseRetryAfter, type RetryTiming, retryWithinDeadline, systemTiming } from './retry-policy.js';
import { classifyFailure, timeoutFailure } from './upstream-failure.js';

/** Lifetime assumed for a token whose response has no `expires_in` (RFC 6749 §5.1 makes it optional). */
const DEFAULT_LIFETIME_MS = 300_000;
/** Extra time granted to an attempt over its own timeout before the proxy stops waiting for it. */
const ATTEMPT_GRACE_MS = 25;

/**
 * A token as the proxy caches it.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.1
 */
export interface UpstreamToken {
  /** `access_token`. */
  accessToken: string;
  /** `token_type` (`Bearer`). */
  tokenType: string;
  /** When the proxy received it (epoch ms). */
  receivedAt: number;
  /** When it expires (epoch ms). */
  expiresAt: number;
}

/**
 * Fetches a token for a normalised scope list, throwing {@link UpstreamFailure} after the retries.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.4.2
 */
export type UpstreamTokenFetcher = (scope: readonly string[]) => Promise<UpstreamToken>;

function raceTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(timeoutFailure()), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Builds the upstream fetcher: resolves the token endpoint (by RFC 8414 discovery when only an
 * issuer is known, remembered once it worked), then runs attempts of at most `timeoutMs`, retrying
 * 5xx / 429 / timeouts / network errors up to `retries` times with full-jitter backoff or the
 * upstream's `Retry-After` (capped), never past `deadlineMs` in total (see {@link retryWithinDeadline}).
 * `timing` is the clock the deadline, the waits and `Retry-After` dates run on; the default is the
 * system's, tests give a virtual one.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.4
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-10.2.3
 */
export function createUpstreamFetcher(
  options: ResolvedProxyOptions,
  logger: ProxyLogger,
  timing: RetryTiming = systemTiming,
): UpstreamTokenFetcher {
  const baseFetch: FetchLike = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  let resolved: OAuthClientOptions | undefined;
  const configured: OAuthClientOptions = {
    ...options.provider,
    issuer: options.issuer,
    tokenEndpoint: options.tokenEndpoint,
    clientId: options.clientId,
    clientSecret: options.clientSecret,
  };

  async function clientOptions(timeoutMs: number, fetchFn: FetchLike): Promise<OAuthClientOptions> {
    if (resolved) return resolved;
    if (configured.tokenEndpoint) {
      resolved = configured;
      return resolved;
    }
    const discovered = await OAuthClient.discover(configured.issuer!, {
      ...configured,
      timeoutMs,
      fetch: fetchFn,
    });
    resolved = {
      ...configured,
      tokenEndpoint: discovered.tokenEndpoint,
      authMethod: discovered.authMethod,
    };
    return resolved;
  }

  async function attempt(scope: readonly string[], timeoutMs: number): Promise<UpstreamToken> {
    let retryAfter: string | null = null;
    const recordingFetch: FetchLike = async (input, init) => {
      const response = await baseFetch(input, init);
      retryAfter = response.headers.get('retry-after');
      return response;
    };
    const end = timing.now() + timeoutMs;
    const run = async () => {
      const base = await clientOptions(timeoutMs, recordingFetch);
      const client = new OAuthClient({
        ...base,
        timeoutMs: Math.max(1, end - timing.now()),
        fetch: recordingFetch,
      });
      return client.clientCredentials({ scope: [...scope], params: options.tokenParams });
    };
    try {
      const result = await raceTimeout(run(), timeoutMs + ATTEMPT_GRACE_MS);
      const receivedAt = Date.now();
      return {
        accessToken: result.accessToken,
        tokenType: result.tokenType,
        receivedAt,
        expiresAt: result.expiresAt ?? receivedAt + DEFAULT_LIFETIME_MS,
      };
    } catch (error) {
      throw classifyFailure(error, parseRetryAfter(retryAfter, timing.now()));
    }
  }

  return async (scope) => {
    try {
      return await retryWithinDeadline((limitMs) => attempt(scope, limitMs), options, timing);
    } catch (error) {
      const failure = classifyFailure(error, undefined);
      logger.warn('upstream token request failed', {
        kind: failure.kind,
        status: failure.status,
        code: failure.errorCode,
        error: failure.oauthError,
        attempts: failure.attempts,
        scope: scope.join(' '),
      });
      throw failure;
    }
  };
}
