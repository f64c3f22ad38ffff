/** `latchkey start` up to listening: every step that fails closes what the steps before it opened. */
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import { createServer, type RunningServer } from '../server.js';
import { databaseInDataDir, prepareDataDir } from './data-dir.js';
import { type CreatedDemoApp, createDemoApp } from './demo-app.js';
import { listen } from './listen.js';
import { StartupSteps } from './steps.js';

/** A server that is listening. */
export interface StartedServer {
  server: RunningServer;
  /** The bound address, e.g. `http://127.0.0.1:4000` (clients use the issuer). */
  address: string;
  /** The demo app this first start created, if it did. */
  demo: CreatedDemoApp | undefined;
  /** The bound address of the LATCHKEY_METRICS_PORT listener, if there is one. */
  metricsAddress: string | undefined;
}

/**
 * Opens the database, creates the demo app on a first start and listens. On any failure everything
 * opened so far is closed (the demo app deleted again) and a StartupError naming the cause is thrown,
 * so the process can exit at once.
 */
export async function startServer(config: Config, logger: Logger): Promise<StartedServer> {
  // The default SQLite file lives in the data folder: create it private before the database does.
  if (databaseInDataDir(config)) prepareDataDir(config.dataDir);
  const steps = new StartupSteps();
  const server = await steps.run(
    'cannot start',
    () => createServer(config, logger),
    (running) => running.close(),
  );
  const demo = await steps.run(
    'cannot create the demo app',
    () => createDemoApp(server.ctx),
    (created) => created?.undo(),
  );
  const address = await steps.run('cannot listen', () => listen(server.app, config));
  // After the main listener: a metrics port in use stops the start like PORT in use (server.close()
  // above closes both listeners).
  const { metricsApp } = server;
  const { metrics } = config;
  const metricsAddress =
    metricsApp && metrics.where === 'port'
      ? await steps.run('cannot listen', () =>
          listen(metricsApp, config, { port: metrics.port, variable: 'LATCHKEY_METRICS_PORT' }),
        )
      : undefined;
  return { server, address, demo, metricsAddress };
}
