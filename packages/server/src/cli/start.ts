/** `latchkey start`: run the authorization server until SIGTERM/SIGINT, then drain and exit. */
import type { Config } from '../config.js';
import { createLogger } from '../logger.js';
import { createDemoApp, createServer } from '../server.js';
import { out } from './args.js';

/** Starts the server and resolves when it has stopped after a signal. */
export async function startCommand(config: Config): Promise<void> {
  const logger = createLogger(config.logLevel);
  const server = await createServer(config, logger);
  const demo = await createDemoApp(server.ctx);
  await server.app.listen({ port: config.port, host: config.host });
  logger.info({ issuer: config.issuer, host: config.host, port: config.port }, 'latchkey listening');
  if (demo) {
    out('');
    out('First start: created a demo app (shown once; also saved to .latchkey/demo-app.json, mode 0600)');
    out(`  client_id:     ${demo.client_id}`);
    out(`  client_secret: ${demo.client_secret}`);
    out(`  scope:         ${demo.scope}`);
    out(
      `  token:         curl -u "$CLIENT_ID:$CLIENT_SECRET" -d grant_type=client_credentials ${demo.token_endpoint}`,
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
