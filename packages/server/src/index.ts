/**
 * @module @latchkey/server
 * The public API: build an authorization server from a configuration and run it inside your own
 * process (README.md of this package shows how). Everything else in this package is internal.
 */
export { type Config, ConfigError, loadConfig } from './config.js';
export { createServer, type RunningServer } from './server.js';
