/** What every endpoint and grant can reach: configuration, repositories, keys, logger. */
import type { Logger } from 'pino';
import type { AccountMail } from './accounts/account-mail.js';
import type { ErrorRecorder } from './activity/error-recorder.js';
import type { UsageCounter } from './activity/usage-counter.js';
import type { Config } from './config.js';
import type { InFlight } from './http/in-flight.js';
import type { LoginThrottle } from './http/login-throttle.js';
import type { KeyManager } from './keys/key-manager.js';
import type { LogoutService } from './logout/logout-service.js';
import type { Metrics } from './metrics/metrics.js';
import type { ClientAuthenticator } from './oauth/client-auth.js';
import type { Db } from './storage/database.js';
import type { Repositories } from './storage/repositories.js';
import type { CounterStore } from './throttle/store.js';
import type { Throttle } from './throttle/throttle.js';
import type { Signer } from './tokens/signer.js';

/** The server's shared state, built once at start: configuration, one repository per concern, keys. */
export interface ServerContext extends Repositories {
  config: Config;
  db: Db;
  keys: KeyManager;
  authenticator: ClientAuthenticator;
  logger: Logger;
  /** The database's key that binds anti-CSRF tokens to a session (http/csrf.ts). */
  csrfKey: Buffer;
  /** The database's key pairwise subject identifiers are derived with (oidc/subject.ts). */
  pairwiseKey: Buffer;
  /** Computes token signatures (inline or on a worker thread). */
  signer: Signer;
  /** Failed sign-ins per (account, IP) and per IP (refused), and per account (slowed down). */
  loginThrottle: LoginThrottle;
  /** Sign-up attempts per IP, successful or not. */
  signupThrottle: Throttle;
  /** Account emails asked for per IP, and sent per address (accounts/account-mail.ts). */
  mailThrottle: Throttle;
  /** Verification and password reset emails, sent off the request path (accounts/). */
  accountMail: AccountMail;
  /**
   * The store every server on this database shares the throttles' counts in (PostgreSQL, or Redis
   * with LATCHKEY_REDIS_URL); `undefined` on SQLite, where they stay in this process.
   */
  counters: CounterStore | undefined;
  /** Handlers still running (shutdown waits for them before closing the database). */
  inFlight: InFlight;
  /** What GET /metrics exposes; a no-op when metrics are off, so callers never check (metrics/). */
  metrics: Metrics;
  /** Failed token and authorization requests, recorded for their app's developer (activity/). */
  recentErrors: ErrorRecorder;
  /** Tokens issued per app, day and grant type, counted in memory and written every few seconds. */
  usage: UsageCounter;
  /** Ends sign-in sessions and sends Back-Channel Logout tokens to the apps they signed in to (logout/). */
  logout: LogoutService;
}
