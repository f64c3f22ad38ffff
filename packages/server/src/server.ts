/** Starts a server: database, migrations, keys, first-start demo app, HTTP listener, graceful stop. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { buildApp } from './app.js';
import type { Config } from './config.js';
import type { ServerContext } from './context.js';
import { TOKEN_PATH } from './endpoints/token.js';
import { InFlight } from './http/in-flight.js';
import { FailureLimiter } from './http/rate-limit.js';
import { KeyManager } from './keys/key-manager.js';
import { createLogger } from './logger.js';
import { registerApp } from './oauth/app-registration.js';
import { ClientAuthenticator, PER_CLIENT_LIMIT_FACTOR } from './oauth/client-auth.js';
import { type Db, openDatabase } from './storage/database.js';
import { migrate } from './storage/migrations.js';
import { schedulePurge } from './storage/purge.js';
import { openRepositories } from './storage/repositories.js';
import { SigningKeyRepository } from './storage/signing-keys.js';
import { InlineSigner, WorkerSigner } from './tokens/signer.js';

/** A running (or injectable) server. */
export interface RunningServer {
  app: FastifyInstance;
  ctx: ServerContext;
  /** Stops accepting, lets in-flight requests finish, closes the database. */
  close(): Promise<void>;
}

/** Opens the database, migrates it and loads the keys: everything but HTTP. */
export async function createContext(config: Config, logger: Logger): Promise<ServerContext> {
  const db: Db = openDatabase(config.databaseUrl, { poolSize: config.databasePoolSize });
  await migrate(db);
  const keyRepository = new SigningKeyRepository(db);
  await keyRepository.ensure(config.signingAlg);
  const keys = await KeyManager.start(keyRepository, config.keyReloadMs);
  const repositories = openRepositories(db);
  const limits = {
    strict: new FailureLimiter(config.authMaxFailures, config.authFailureWindow),
    perClient: new FailureLimiter(config.authMaxFailures * PER_CLIENT_LIMIT_FACTOR, config.authFailureWindow),
  };
  const signer = config.signing === 'worker' ? new WorkerSigner() : new InlineSigner();
  return {
    ...repositories,
    config,
    db,
    keys,
    authenticator: new ClientAuthenticator(repositories.clients, limits),
    logger,
    signer,
    loginLimiter: new FailureLimiter(config.loginMaxFailures, config.loginFailureWindow),
    signupLimiter: new FailureLimiter(config.signupMaxPerIp, config.signupWindow),
    inFlight: new InFlight(),
  };
}

/** The demo app's redirect URI: loopback, so any port works. */
export const DEMO_REDIRECT_URI = 'http://127.0.0.1/callback';

/** What the first start writes to `<dataDir>/demo-app.json`. */
export interface DemoApp {
  client_id: string;
  client_secret: string;
  scope: string;
  token_endpoint: string;
  redirect_uri: string;
}

/**
 * On first start with an empty database: registers a demo app, prints its credentials once and writes
 * them (mode 0600) where the README's walkthrough reads them.
 */
export async function createDemoApp(ctx: ServerContext): Promise<DemoApp | undefined> {
  if (!ctx.config.demoApp || (await ctx.clients.count()) > 0) return undefined;
  const { client, clientSecret } = await registerApp(ctx.clients, ctx.config.scopes, {
    name: 'Demo app',
    scope: ctx.config.scopes.join(' '),
    grants: ['client_credentials', 'authorization_code', 'refresh_token'],
    // A loopback redirect (any port, RFC 8252 §7.3) so local apps can try the three-legged flow.
    redirectUris: [DEMO_REDIRECT_URI],
  });
  const demo: DemoApp = {
    client_id: client.id,
    client_secret: clientSecret as string,
    scope: client.scopes.join(' '),
    token_endpoint: `${ctx.config.issuer}${TOKEN_PATH}`,
    redirect_uri: DEMO_REDIRECT_URI,
  };
  writeFileSync(join(ctx.config.dataDir, 'demo-app.json'), `${JSON.stringify(demo, null, 2)}\n`, {
    mode: 0o600,
  });
  return demo;
}

/** Builds the app over a fresh context. Used by `latchkey start` and by tests (`app.inject`). */
export async function createServer(
  config: Config,
  logger = createLogger(config.logLevel),
): Promise<RunningServer> {
  const ctx = await createContext(config, logger);
  const app = await buildApp(ctx);
  // Expired rows are deleted every LATCHKEY_PURGE_INTERVAL seconds (jittered; 0: never).
  const purge = schedulePurge(ctx.db, {
    intervalSeconds: config.purgeInterval,
    accessTokenTtl: config.accessTokenTtl,
    logger,
  });
  return {
    app,
    ctx,
    async close() {
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
      ctx.keys.stop();
      await ctx.signer.close();
      await ctx.db.destroy();
    },
  };
}
