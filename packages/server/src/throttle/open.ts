/**
 * Chooses where the throttles count (Redis with LATCHKEY_REDIS_URL, else PostgreSQL when the database
 * is, else this process) and builds them, each with what it does while a shared store is unreachable.
 */
import type { Logger } from 'pino';
import { type Db, nativeHandle } from '../storage/database.js';
import { isDatabaseUnavailable } from '../storage/errors.js';
import { BatchedReads } from './batched-reads.js';
import { GuardedCounterStore } from './guarded.js';
import { PostgresCounterStore } from './postgres.js';
import { RedisCounterStore } from './redis.js';
import type { CounterStore } from './store.js';
import { Throttle } from './throttle.js';

/** What {@link openCounterStore} and {@link buildThrottles} read from the configuration. */
export interface ThrottleSettings {
  redisUrl: string | undefined;
  authFailureWindow: number;
  loginFailureWindow: number;
  signupWindow: number;
}

/** The throttles of one server. */
export interface Throttles {
  /** Client authentication at the token, revocation and introspection endpoints. */
  auth: Throttle;
  /** Sign-in (per account and address, per address, per account). */
  login: Throttle;
  /** Sign-up per address. */
  signup: Throttle;
  /** Account emails ("Forgot password?", "Send the link again") per address and per recipient. */
  mail: Throttle;
}

/**
 * The shared store, its reads batched per event-loop turn (batched-reads.ts), behind a breaker
 * (guarded.ts): Redis when LATCHKEY_REDIS_URL is set (connected
 * now: a start with a Redis it cannot reach fails), PostgreSQL's `throttle_counters` when the database
 * is PostgreSQL, `undefined` on SQLite (one server per file: the counts stay in this process).
 */
export async function openCounterStore(
  settings: ThrottleSettings,
  db: Db,
  logger: Logger,
): Promise<CounterStore | undefined> {
  let store: CounterStore | undefined;
  if (settings.redisUrl !== undefined) {
    store = await RedisCounterStore.connect(settings.redisUrl, (error) =>
      logger.debug({ err: error }, 'redis connection error'),
    );
  } else {
    const native = nativeHandle(db);
    if (native?.dialect === 'postgres') store = new PostgresCounterStore(native.pool);
  }
  if (store === undefined) return undefined;
  const kind = store.kind;
  return new GuardedCounterStore(
    // Right secrets read their counts after the comparison: one round trip per turn for all of them.
    new BatchedReads(store),
    {
      down: (error) =>
        logger.warn(
          { err: error, store: kind },
          `throttle counters unavailable (${kind}): client authentication and sign-up count in this server alone; sign-in answers 503`,
        ),
      up: () => logger.info({ store: kind }, `throttle counters reachable again (${kind})`),
    },
    // Counts in PostgreSQL: the database being down is the request's outage (503 within its
    // deadline, as for every other query), not the counters' alone; a failure of the table is theirs.
    { passThrough: kind === 'postgres' ? isDatabaseUnavailable : undefined },
  );
}

/**
 * The throttles over `shared` (or this process). What each does while `shared` cannot be reached,
 * and why (test/throttle-outage.test.ts):
 * - client authentication counts in this server alone (`local`): the secrets it guards are 256-bit
 *   random values no limit is needed to protect, the limit is defence in depth and load shedding, and
 *   refusing would stop every API client's tokens for as long as the store is away;
 * - sign-in refuses with 503 (`refuse`): a password can be guessed, and N servers counting alone would
 *   allow N times the guesses the limit promises;
 * - sign-up counts in this server alone (`local`): its limit bounds how many accounts one network
 *   creates, not guesses at a secret, and closing sign-up gains nothing;
 * - account emails likewise (`local`): the limit bounds the emails a network asks for and an address
 *   receives; the links are 256-bit random values no limit is needed to protect.
 */
export function buildThrottles(settings: ThrottleSettings, shared: CounterStore | undefined): Throttles {
  return {
    auth: new Throttle(shared, {
      name: 'auth',
      windowSeconds: settings.authFailureWindow,
      onOutage: 'local',
    }),
    login: new Throttle(shared, {
      name: 'login',
      windowSeconds: settings.loginFailureWindow,
      onOutage: 'refuse',
    }),
    signup: new Throttle(shared, { name: 'signup', windowSeconds: settings.signupWindow, onOutage: 'local' }),
    mail: new Throttle(shared, { name: 'mail', windowSeconds: settings.signupWindow, onOutage: 'local' }),
  };
}
