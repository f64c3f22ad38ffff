/** Builds a server: database, migrations, keys, the app, graceful stop (startup/start.ts listens). */
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { AccountMail } from './accounts/account-mail.js';
import { openMailer } from './accounts/mailer.js';
import { ErrorRecorder } from './activity/error-recorder.js';
import { UsageCounter } from './activity/usage-counter.js';
import { buildApp } from './app.js';
import type { Config } from './config.js';
import type { ServerContext } from './context.js';
import { InFlight } from './http/in-flight.js';
import { LoginThrottle } from './http/login-throttle.js';
import { KeyDecryptionError } from './keys/key-encryption.js';
import { KeyManager } from './keys/key-manager.js';
import { createLogger } from './logger.js';
import { LogoutService } from './logout/logout-service.js';
import { metricsApp } from './metrics/endpoint.js';
import { ClientAuthenticator, PER_CLIENT_LIMIT_FACTOR } from './oauth/client-auth.js';
import { makeDatabaseFilesPrivate } from './startup/database-files.js';
import { databaseLabel } from './startup/database-label.js';
import { generatedMessage, openingKeys, resolveKeyring } from './startup/key-encryption.js';
import { openMetrics } from './startup/metrics.js';
import { closeContext, StartupSteps } from './startup/steps.js';
import { AuditRepository, SYSTEM_ACTOR } from './storage/audit.js';
import { checkpointInBackground, type Db, openDatabase } from './storage/database.js';
import { loadCsrfKey, loadPairwiseKey } from './storage/instance-secrets.js';
import { migrateWithoutDeadline } from './storage/migrations.js';
import { schedulePurge } from './storage/purge.js';
import { openRepositories } from './storage/repositories.js';
import { SigningKeyRepository } from './storage/signing-keys.js';
import { buildThrottles, openCounterStore } from './throttle/open.js';
import { InlineSigner, WorkerSigner } from './tokens/signer.js';

/** A running (or injectable) server. */
export interface RunningServer {
  app: FastifyInstance;
  ctx: ServerContext;
  /** The LATCHKEY_METRICS_PORT listener's app (not listening yet: startup/start.ts listens), if set. */
  metricsApp: FastifyInstance | undefined;
  /** Stops accepting, lets in-flight requests finish, closes the database. */
  close(): Promise<void>;
}

/** Opens the database, migrates it and loads the keys: everything but HTTP. */
export async function createContext(config: Config, logger: Logger): Promise<ServerContext> {
  // Before anything opens: PostgreSQL without LATCHKEY_KEY_ENCRYPTION_KEY is a configuration error.
  const { keyring, generated } = resolveKeyring(config);
  if (generated) logger.info({ file: generated }, generatedMessage(generated));
  // A step that fails closes what the ones before it opened: a failed start leaves nothing running.
  const steps = new StartupSteps();
  const database = `cannot open the database ${databaseLabel(config.databaseUrl)}`;
  const db: Db = await steps.run(
    database,
    () => {
      makeDatabaseFilesPrivate(config.databaseUrl);
      return openDatabase(config.databaseUrl, {
        poolSize: config.databasePoolSize,
        timeoutMs: config.databaseTimeoutMs,
      });
    },
    (opened) => opened.destroy(),
  );
  await steps.run(database, () => migrateWithoutDeadline(db, config.databaseUrl, config.databaseTimeoutMs));
  const keyRepository = new SigningKeyRepository(db, keyring);
  await steps.run('cannot load the signing keys', () =>
    openingKeys(async () => {
      // Keys stored in clear before migration 007 are sealed now; a wrong KEK fails here, unchanged.
      const { sealed } = await keyRepository.rewrap('clear-only');
      if (sealed > 0) {
        logger.info(
          { sealed, kekId: keyring.current.id },
          `sealed ${sealed} signing keys stored in clear under the key-encryption key ${keyring.current.id}`,
        );
        await new AuditRepository(db).record({
          type: 'key.rewrapped',
          actor: SYSTEM_ACTOR,
          details: { kek_id: keyring.current.id, sealed, rewrapped: 0 },
        });
      }
      await keyRepository.ensure();
    }),
  );
  const keys = await steps.run(
    'cannot load the signing keys',
    () =>
      openingKeys(() =>
        KeyManager.start(
          keyRepository,
          config.keyReloadMs,
          (error) => {
            // A key another process sealed under a KEK this server lacks: it keeps signing with the
            // keys it has, and says why it does not see the new one (an outage stays quiet).
            if (error instanceof KeyDecryptionError) logger.error(error.message);
          },
          config.signingAlg,
        ),
      ),
    (manager) => manager.stop(),
  );
  const csrfKey = await steps.run(database, () => loadCsrfKey(db));
  const pairwiseKey = await steps.run(database, () => loadPairwiseKey(db));
  // SQLite: checkpoints off the event loop from here on (after the keys step, which may empty the log).
  await steps.run(database, () => checkpointInBackground(db));
  const repositories = openRepositories(db, { clientCacheSize: config.clientCacheSize });
  // Every server on one PostgreSQL (or one Redis) shares the throttles' counts.
  const counters = await steps.run(
    'cannot reach the throttle counters (LATCHKEY_REDIS_URL)',
    () => openCounterStore(config, db, logger),
    (store) => store?.close(),
  );
  const throttles = buildThrottles(config, counters);
  const limits = {
    strict: config.authMaxFailures,
    perClient: config.authMaxFailures * PER_CLIENT_LIMIT_FACTOR,
  };
  const signer = config.signing === 'worker' ? new WorkerSigner() : new InlineSigner();
  const metrics = openMetrics(config, db, repositories);
  const usage = new UsageCounter(repositories.appUsage, logger);
  usage.start(config.usageFlushMs);
  const logout = new LogoutService(
    db,
    repositories,
    { issuer: config.issuer, keys, signer, pairwiseKey },
    config.backchannelLogout,
    logger,
  );
  logout.start();
  return {
    ...repositories,
    config,
    db,
    keys,
    csrfKey,
    pairwiseKey,
    authenticator: new ClientAuthenticator(repositories.clients, throttles.auth, limits, metrics),
    logger,
    signer,
    loginThrottle: new LoginThrottle(throttles.login, config.loginMaxFailures),
    signupThrottle: throttles.signup,
    mailThrottle: throttles.mail,
    accountMail: new AccountMail({
      users: repositories.users,
      emailLinks: repositories.emailLinks,
      mailer: openMailer(config, logger),
      throttle: throttles.mail,
      logger,
      issuer: config.issuer,
    }),
    counters,
    inFlight: new InFlight(),
    metrics,
    recentErrors: new ErrorRecorder(repositories.appErrors, logger),
    usage,
    logout,
  };
}

/** Builds the app over a fresh context. Used by `latchkey start` and by tests (`app.inject`). */
export async function createServer(
  config: Config,
  logger = createLogger(config.logLevel),
): Promise<RunningServer> {
  const ctx = await createContext(config, logger);
  const [app, metricsListener] = await Promise.all([
    buildApp(ctx),
    // LATCHKEY_METRICS_PORT: GET /metrics on a listener of its own (LATCHKEY_METRICS: app.ts serves it).
    config.metrics.where === 'port'
      ? metricsApp(ctx.metrics, {
          logger: logger as FastifyBaseLogger,
          requestTimeoutMs: config.requestTimeoutMs,
        })
      : undefined,
  ]).catch(async (error: unknown) => {
    await closeContext(ctx).catch(() => {});
    throw error;
  });
  // Expired rows are deleted every LATCHKEY_PURGE_INTERVAL seconds (jittered; 0: never).
  const purge = schedulePurge(ctx.db, {
    intervalSeconds: config.purgeInterval,
    accessTokenTtl: config.accessTokenTtl,
    auditRetention: config.auditRetention,
    logger,
  });
  return {
    app,
    ctx,
    metricsApp: metricsListener,
    async close() {
      await metricsListener?.close();
      // Keep-alive connections that finish their last response while draining are closed as they go
      // idle, so a drain takes as long as the slowest in-flight request, not a keep-alive timeout.
      ctx.inFlight.startDraining();
      const sweep = setInterval(() => app.server.closeIdleConnections(), 50);
      try {
        await app.close();
      } finally {
        clearInterval(sweep);
      }
      // A client that hung up leaves its handler running; let it finish before the database closes.
      await ctx.inFlight.idle(ctx.config.shutdownGraceMs);
      await purge.stop();
      await closeContext(ctx);
    },
  };
}
