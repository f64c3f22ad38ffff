/** Listening on HOST:PORT, with a failure named in words (port in use, HOST not local or not resolving). */
import type { FastifyInstance } from 'fastify';
import type { Config } from '../config.js';
import { reason, StartupError } from './startup-error.js';

/** Why `listen` failed, in one line that names the setting to change (`portVariable`: PORT by default). */
export function listenProblem(error: unknown, host: string, port: number, portVariable = 'PORT'): string {
  const where = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  switch ((error as NodeJS.ErrnoException).code) {
    case 'EADDRINUSE':
      return `cannot listen on ${where}: the port is in use (stop what uses it or set ${portVariable})`;
    case 'EADDRNOTAVAIL':
      return `cannot listen on ${where}: HOST ${host} is not an address of this machine`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_NONAME':
    case 'EAI_FAIL':
      return `cannot listen on ${where}: HOST ${host} does not resolve to an address`;
    case 'EACCES':
      return `cannot listen on ${where}: permission denied (ports below 1024 need privileges)`;
    default:
      return `cannot listen on ${where}: ${reason(error)}`;
  }
}

/**
 * Listens on HOST and returns the bound address (`http://127.0.0.1:4000`). Fastify's own line names only
 * the bound address, so it says just that; where to reach the server is the issuer, which the caller
 * logs. `port` is PORT's unless another is given with the variable that set it (LATCHKEY_METRICS_PORT).
 */
export async function listen(
  app: FastifyInstance,
  config: Config,
  port: { port: number; variable: string } = { port: config.port, variable: 'PORT' },
): Promise<string> {
  try {
    return await app.listen({
      port: port.port,
      host: config.host,
      listenTextResolver: (address) => `bound to ${address}`,
    });
  } catch (error) {
    throw new StartupError(listenProblem(error, config.host, port.port, port.variable), { cause: error });
  }
}
