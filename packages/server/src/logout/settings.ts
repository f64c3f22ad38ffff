/**
 * How Back-Channel Logout 1.0 logout tokens are delivered: the per-attempt timeout, how many attempts,
 * and the delay before the first retry (doubled after each failure). Read from the environment by
 * config.ts.
 */
import { boundedDuration, type Env, integer } from '../config-values.js';

/** The delivery schedule of logout tokens. */
export interface BackchannelLogoutSettings {
  /** LATCHKEY_BACKCHANNEL_LOGOUT_TIMEOUT: how long one POST may take before it counts as failed (ms). */
  timeoutMs: number;
  /** LATCHKEY_BACKCHANNEL_LOGOUT_ATTEMPTS: attempts per logout token, the first one included. */
  attempts: number;
  /** LATCHKEY_BACKCHANNEL_LOGOUT_RETRY: the wait before the second attempt, doubled for each next (ms). */
  retryDelayMs: number;
}

/**
 * Reads the schedule. The defaults (5 s per attempt, 5 attempts, retries after 2, 4, 8 and 16 s) fit
 * in the logout token's 2-minute lifetime, so an app that comes back within a minute gets the token it
 * was first sent; a token that would expire before an attempt is signed again (logout/logout-token.ts).
 */
export function backchannelLogoutSettings(env: Env): BackchannelLogoutSettings {
  return {
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
