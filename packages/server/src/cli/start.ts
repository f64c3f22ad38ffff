/** `latchkey start`: run the authorization server until SIGTERM/SIGINT, then drain and exit. */
import type { Config } from '../config.js';
import { createLogger } from '../logger.js';
import { displayPath } from '../startup/demo-app.js';
import { startServer } from '../startup/start.js';
import { out } from './args.js';

/**
 * Starts the server and resolves when it has stopped after a signal. A failed start rejects with
 * everything it opened closed again, so the process exits with the error.
 */
export async function startCommand(config: Config): Promise<void> {
  const logger = createLogger(config.logLevel);
  const { server, address, demo, metricsAddress } = await startServer(config, logger);
  // Where to reach it is the issuer (tokens name it, pages redirect to it); the bound address may differ.
  logger.info({ issuer: config.issuer, address }, `Latchkey listening at ${config.issuer}`);
  if (metricsAddress) logger.info({ address: metricsAddress }, `metrics at ${metricsAddress}/metrics`);
  if (demo) {
    const { client_id, client_secret, scope, token_endpoint } = demo.demo;
    out('');
    out(`First start: created a demo app (shown once; also saved to ${displayPath(demo.file)}, mode 0600)`);
    out(`  client_id:     ${client_id}`);
    out(`  client_secret: ${client_secret}`);
    out(`  scope:         ${scope}`);
    out(
      `  token:         curl -u "$CLIENT_ID:$CLIENT_SECRET" -d grant_type=client_credentials ${token_endpoint}`,
    );
    out('');
  }
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      logger.info({ signal }, 'draining in-flight requests');
      const force = setTimeout(() => {
        logger.warn('shutdown grace period over; exiting');
        process.exit(1);
      }, config.shutdownGraceMs);
      force.unref();
      server.close().then(resolve, (error) => {
        logger.error({ err: error }, 'error while stopping');
        resolve();
      });
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
  logger.info('stopped');
}
