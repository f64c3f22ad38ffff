/**
 * How Back-Channel Logout 1.0 logout tokens are delivered: the per-attempt timeout, how many attempts,
 * the delay before the first retry (doubled after each failure), and whether receivers may be on
 * private networks. Read from the environment by config.ts.
 */
import { boundedDuration, ConfigError, type Env, integer } from '../config-values.js';

/**
 * Whether a `backchannel_logout_uri` may lead to a loopback, private or special-purpose address
 * (http/private-address.ts): `allow`, or `deny` (refused at registration and at delivery).
 */
export type PrivateNetworks = 'allow' | 'deny';

/** The delivery schedule of logout tokens. */
export interface BackchannelLogoutSettings {
  /** LATCHKEY_BACKCHANNEL_LOGOUT_TIMEOUT: how long one POST may take before it counts as failed (ms). */
  timeoutMs: number;
  /** LATCHKEY_BACKCHANNEL_LOGOUT_ATTEMPTS: attempts per logout token, the first one included. */
  attempts: number;
  /** LATCHKEY_BACKCHANNEL_LOGOUT_RETRY: the wait before the second attempt, doubled for each next (ms). */
  retryDelayMs: number;
  /** LATCHKEY_BACKCHANNEL_PRIVATE_NETWORKS: whether receivers may be on private networks. */
  privateNetworks: PrivateNetworks;
}

/**
 * The machine itself, as an issuer URL's host (`[::1]`) or a listening address (HOST, `::1`): not
 * `0.0.0.0`, `::` or a network's address.
 */
const LOOPBACK_HOST = /^(localhost|127(\.\d{1,3}){3}|::1|\[::1\])$/;

/**
 * LATCHKEY_BACKCHANNEL_PRIVATE_NETWORKS: `allow` or `deny`. Unset: `allow` for a development server
 * (an http issuer on a loopback host, listening on loopback only (`host`): its apps' receivers run on
 * the same machine, and nobody else can reach it to register one), `deny` for any other server: there, the server POSTs to what any signed-in developer typed, and a receiver inside
 * the server's own network would make it a proxy into that network (server-side request forgery).
 * @see https://openid.net/specs/openid-connect-backchannel-1_0.html#BCRequest
 * @see https://cheatsheetseries.owasp.org/cheatsheets/Server_Side_Request_Forgery_Prevention_Cheat_Sheet.html
 */
export function privateNetworks(env: Env, issuer: string, host: string): PrivateNetworks {
  const name = 'LATCHKEY_BACKCHANNEL_PRIVATE_NETWORKS';
  const raw = env[name];
  if (raw === undefined || raw === '') {
    const url = new URL(issuer);
    const development =
      url.protocol === 'http:' && LOOPBACK_HOST.test(url.hostname) && LOOPBACK_HOST.test(host);
    return development ? 'allow' : 'deny';
  }
  if (raw !== 'allow' && raw !== 'deny') throw new ConfigError(`${name} must be allow or deny, got "${raw}"`);
  return raw;
}

/**
 * Reads the schedule. The defaults (5 s per attempt, 5 attempts, retries after 2, 4, 8 and 16 s) fit
 * in the logout token's 2-minute lifetime, so an app that comes back within a minute gets the token it
 * was first sent; a token that would expire before an attempt is signed again (logout/logout-token.ts).
 * Private networks: {@link privateNetworks}, from `issuer` and the listening `host`.
 */
export function backchannelLogoutSettings(env: Env, issuer: string, host: string): BackchannelLogoutSettings {
  return {
    privateNetworks: privateNetworks(env, issuer, host),
    timeoutMs: boundedDuration(env, 'LATCHKEY_BACKCHANNEL_LOGOUT_TIMEOUT', 5, 1, 60),
    attempts: integer(env, 'LATCHKEY_BACKCHANNEL_LOGOUT_ATTEMPTS', 5, 1, 20),
    retryDelayMs: boundedDuration(env, 'LATCHKEY_BACKCHANNEL_LOGOUT_RETRY', 2, 1, 3600),
  };
}

/** The longest wait between two attempts (ms): a day. */
const MAX_RETRY_DELAY_MS = 86_400_000;

/**
 * The wait after failed attempt number `attempt` (1-based): the first retry delay, doubled each time,
 * at most a day.
 */
export function retryDelayMs(settings: BackchannelLogoutSettings, attempt: number): number {
  return Math.min(MAX_RETRY_DELAY_MS, settings.retryDelayMs * 2 ** Math.max(0, attempt - 1));
}
