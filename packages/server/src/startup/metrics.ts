/** The metrics of a server being built: off (a no-op), or Prometheus metrics over its database's sources. */
import type { Config } from '../config.js';
import { GRANT_TYPE_NAMES } from '../grants/index.js';
import { type Metrics, NO_METRICS } from '../metrics/metrics.js';
import { type MetricSources, PrometheusMetrics } from '../metrics/registry.js';
import { type Db, nativeHandle } from '../storage/database.js';
import type { Repositories } from '../storage/repositories.js';

/**
 * The server's metrics: {@link NO_METRICS} unless LATCHKEY_METRICS or LATCHKEY_METRICS_PORT is set. On
 * PostgreSQL they include the pool's use; on SQLite, which has no pool (one connection, always open),
 * none, and instead the registration cache's hits and misses (PostgreSQL has no cache).
 */
export function openMetrics(config: Config, db: Db, repositories: Repositories): Metrics {
  if (config.metrics.where === 'off') return NO_METRICS;
  const native = nativeHandle(db);
  const sources: MetricSources = { grantTypes: GRANT_TYPE_NAMES };
  if (native?.dialect === 'postgres') {
    const { pool } = native;
    sources.pool = {
      use: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
      max: config.databasePoolSize,
    };
  } else {
    sources.clientCache = () => repositories.clients.cacheStats();
  }
  return new PrometheusMetrics(sources);
}
