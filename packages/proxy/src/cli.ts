// Standalone runner: `latchkey-proxy` / `runProxyFromEnv(env)` serves the proxy on node:http.

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTokenProxy, type TokenProxy } from './create-token-proxy.js';
import { ProxyConfigError, readProxyEnv } from './env-config.js';

export { ProxyConfigError } from './env-config.js';

/** A running standalone proxy. */
export interface RunningProxy {
  /** Base URL, e.g. `http://127.0.0.1:8080`. */
  url: string;
  /** The token route's URL. */
  tokenUrl: string;
  /** The listening port. */
  port: number;
  /** The node:http server. */
  server: Server;
  /** The proxy. */
  proxy: TokenProxy;
  /** Stops accepting connections and closes idle ones; resolves when closed. */
  close(): Promise<void>;
}

/**
 * Reads the environment (see `readProxyEnv`), creates the proxy and listens on `HOST:PORT`.
 * Rejects with {@link ProxyConfigError} naming a missing or bad variable before listening.
 * @see https://aps.autodesk.com/en/docs/oauth/v2/tutorials/get-2-legged-token/
 */
export async function runProxyFromEnv(
  env: Record<string, string | undefined> = process.env,
): Promise<RunningProxy> {
  const config = readProxyEnv(env);
  let proxy: TokenProxy;
  try {
    proxy = createTokenProxy(config.options);
  } catch (error) {
    if (error instanceof TypeError) throw new ProxyConfigError('configuration', error.message);
    throw error;
  }
  const server = createServer(proxy.handler);
  server.keepAliveTimeout = 5000;
  server.requestTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  const url = `http://${host}:${port}`;
  return {
    url,
    tokenUrl: `${url}${proxy.path}`,
    port,
    server,
    proxy,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}

/**
 * The `latchkey-proxy` command: runs {@link runProxyFromEnv} on `process.env`, prints the URL, exits
 * with status 1 and a message naming the variable on bad configuration, closes on SIGTERM / SIGINT.
 * @see https://12factor.net/config
 */
export async function main(env: Record<string, string | undefined> = process.env): Promise<void> {
  let running: RunningProxy;
  try {
    running = await runProxyFromEnv(env);
  } catch (error) {
    const message =
      error instanceof ProxyConfigError ? error.message : String((error as Error)?.message ?? error);
    process.stderr.write(`latchkey-proxy: ${message}\n`);
    process.exitCode = 1;
    return;
  }
  process.stdout.write(`latchkey-proxy listening on ${running.tokenUrl}\n`);
  const stop = () => {
    running.close().then(() => process.exit(0));
    setTimeout(() => process.exit(0), 5000).unref();
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}
