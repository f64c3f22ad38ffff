/**
 * What the server counts for GET /metrics, as small typed methods, and the do-nothing implementation
 * used when metrics are off, so no caller ever asks whether they are on.
 *
 * Labels stay few and bounded, and never carry a client ID, a token, a code or an email: each distinct
 * label value is a time series kept for the life of the process (an attacker sending random client IDs
 * would grow memory and the scrape without bound), and a scrape is read by monitoring systems that must
 * never learn who signs in or which secret was presented. So a label is always one of a fixed set:
 * a route pattern, a status code, a grant type the server supports, a throttle's or an error's kind.
 */

/** Which throttle refused a request (RFC 6819 §5.1.4.2.3, §5.2.3.7). */
export type ThrottleKind =
  /** Failed client authentications per (client, address), per address, per client (oauth/client-auth.ts). */
  | 'client_auth'
  /** Failed sign-ins per (account, address) and per address (http/login-throttle.ts). */
  | 'sign_in'
  /** Sign-up attempts per address (endpoints/signup.ts). */
  | 'sign_up'
  /** Account emails asked for per address ("Forgot password?") and sent per account (accounts/). */
  | 'account_email';

/** Every throttle kind, so each series exists (at 0) from the first scrape on. */
export const THROTTLE_KINDS: readonly ThrottleKind[] = ['client_auth', 'sign_in', 'sign_up', 'account_email'];

/**
 * Why a database call failed a request: it did not answer within its deadline (`timeout`), or it could
 * not be reached or refused the connection (`unavailable`).
 */
export type DatabaseFailureKind = 'timeout' | 'unavailable';

/** Every database failure kind. */
export const DATABASE_FAILURE_KINDS: readonly DatabaseFailureKind[] = ['timeout', 'unavailable'];

/** How a token request ended, for the latency histogram. */
export type TokenOutcome = 'issued' | 'failed';

/** The counters and timings of one server; every method is cheap enough for the hot path. */
export interface Metrics {
  /** Whether anything is recorded (the request hook is installed only then: app.ts). */
  readonly enabled: boolean;
  /**
   * One answered request. `route` is the route pattern (`/oauth/token`, `/account/apps/:id`), never
   * the URL (its path and query carry whatever the client sent), or `undefined` when no route matched.
   */
  request(method: string, route: string | undefined, status: number): void;
  /**
   * One token request that reached a grant (client authenticated, grant allowed): its time from the
   * start of the handler, and a token issued when `outcome` is `issued`. `grantType` is one of the
   * grant catalogue's names (grants/index.ts), checked before this is called.
   */
  tokenRequest(grantType: string, seconds: number, outcome: TokenOutcome): void;
  /** A rotated refresh token presented again: the grant was revoked (RFC 9700 §4.14.2). */
  reuseDetected(): void;
  /** A client authentication that failed (wrong secret, unknown client): 401 `invalid_client`. */
  clientAuthFailed(): void;
  /** A request refused by a throttle (429). */
  throttleRefused(kind: ThrottleKind): void;
  /** A request that failed because of the database (503). */
  databaseFailed(kind: DatabaseFailureKind): void;
  /** The Prometheus text exposition of every metric, and its media type. */
  exposition(): Promise<{ contentType: string; body: string }>;
}

const nothing = () => {};

/** Metrics off: every method does nothing, and there is nothing to expose. */
export const NO_METRICS: Metrics = Object.freeze({
  enabled: false,
  request: nothing,
  tokenRequest: nothing,
  reuseDetected: nothing,
  clientAuthFailed: nothing,
  throttleRefused: nothing,
  databaseFailed: nothing,
  exposition: async () => ({ contentType: 'text/plain; charset=utf-8', body: '' }),
});
