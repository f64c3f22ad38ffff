/**
 * The Prometheus metrics of one server (prom-client): a registry of its own, never prom-client's global
 * one, so several servers in one process (the tests) each count their own requests.
 */
import { Counter, collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import { type HistogramSeries, HotHistogram, RequestCounts } from './hot-path.js';
import {
  DATABASE_FAILURE_KINDS,
  type DatabaseFailureKind,
  type Metrics,
  THROTTLE_KINDS,
  type ThrottleKind,
  type TokenOutcome,
} from './metrics.js';

/** The prefix of every metric name, the process metrics of prom-client's `collectDefaultMetrics` too. */
export const METRIC_PREFIX = 'latchkey_';

/** The route label of a request no route matched (a 404): one series for every unknown URL. */
export const UNMATCHED_ROUTE = '(unmatched)';

/** A PostgreSQL pool's connections at this moment (pg.Pool `totalCount`, `idleCount`, `waitingCount`). */
export interface PoolUse {
  total: number;
  idle: number;
  waiting: number;
}

/** The SQLite registration cache's counts since start (storage/client-cache.ts `ClientCacheStats`). */
export interface CacheUse {
  hits: number;
  misses: number;
  evictions: number;
  size: number;
}

/** What the registry reads at scrape time; a source that does not apply (by database) is left out. */
export interface MetricSources {
  /** The grant types the server supports, so each series exists (at 0) from the first scrape on. */
  grantTypes: readonly string[];
  /** PostgreSQL: the pool's use now, and its size (LATCHKEY_DATABASE_POOL_SIZE). */
  pool?: { use: () => PoolUse; max: number };
  /** SQLite: the registration cache's counts (`undefined` from the getter: none). */
  clientCache?: () => CacheUse | undefined;
}

/**
 * Token request latency buckets (s): signing takes about a millisecond, a refresh on PostgreSQL a few,
 * and a request held up by the database fails at its deadline (LATCHKEY_DATABASE_TIMEOUT, 5 s).
 */
const TOKEN_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** A sample line whose value prom-client wrote as `Nan`. */
const NAN_SAMPLE = /^([^#\n].*) Nan$/gm;

/** A counter whose value is read from elsewhere when scraped (a total kept by another object). */
function countedElsewhere(registry: Registry, name: string, help: string, read: () => number | undefined) {
  return new Counter({
    name: METRIC_PREFIX + name,
    help,
    registers: [registry],
    collect() {
      this.reset();
      this.inc(read() ?? 0);
    },
  });
}

/** A gauge read when scraped. */
function gaugeReading(registry: Registry, name: string, help: string, read: () => number) {
  return new Gauge({
    name: METRIC_PREFIX + name,
    help,
    registers: [registry],
    collect() {
      this.set(read());
    },
  });
}

/** The database sources: PostgreSQL pool gauges; the SQLite registration cache counters. */
function registerDatabaseSources(registry: Registry, sources: MetricSources): void {
  const { pool, clientCache } = sources;
  if (pool) {
    const help = 'PostgreSQL connection pool:';
    gaugeReading(registry, 'database_pool_connections', `${help} open connections`, () => pool.use().total);
    gaugeReading(
      registry,
      'database_pool_idle_connections',
      `${help} idle connections`,
      () => pool.use().idle,
    );
    gaugeReading(
      registry,
      'database_pool_waiting_requests',
      `${help} queries waiting for a connection`,
      () => pool.use().waiting,
    );
    gaugeReading(
      registry,
      'database_pool_max_connections',
      `${help} size (LATCHKEY_DATABASE_POOL_SIZE)`,
      () => pool.max,
    );
  }
  if (clientCache) {
    const help = 'SQLite app registration cache for client authentication:';
    countedElsewhere(
      registry,
      'client_cache_hits_total',
      `${help} lookups served`,
      () => clientCache()?.hits,
    );
    countedElsewhere(
      registry,
      'client_cache_misses_total',
      `${help} lookups that read the database`,
      () => clientCache()?.misses,
    );
    countedElsewhere(
      registry,
      'client_cache_evictions_total',
      `${help} entries dropped to stay within LATCHKEY_CLIENT_CACHE_SIZE`,
      () => clientCache()?.evictions,
    );
    gaugeReading(registry, 'client_cache_entries', `${help} entries now`, () => clientCache()?.size ?? 0);
  }
}

/** The latency series of one grant type, by outcome. */
type TokenSeries = Record<TokenOutcome, HistogramSeries>;

/** The metrics of one server, exposed in the Prometheus text format. */
export class PrometheusMetrics implements Metrics {
  readonly enabled = true;
  readonly registry = new Registry();
  /** Hot path: every request and token request lands in plain counts (hot-path.ts). */
  private readonly requests = new RequestCounts();
  private readonly tokenDuration: HotHistogram;
  private readonly tokenSeries = new Map<string, TokenSeries>();
  private readonly reuse: Counter;
  private readonly authFailures: Counter;
  private readonly throttles: Counter<'throttle'>;
  private readonly databaseFailures: Counter<'kind'>;

  constructor(sources: MetricSources) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: METRIC_PREFIX });
    const { requests, tokenSeries } = this;
    new Counter({
      name: `${METRIC_PREFIX}http_requests_total`,
      help: `Requests answered, by method, route pattern (${UNMATCHED_ROUTE} when none matched) and status`,
      labelNames: ['method', 'route', 'status'],
      registers,
      collect() {
        requests.copyTo(this);
      },
    });
    new Counter({
      name: `${METRIC_PREFIX}tokens_issued_total`,
      help: 'Access tokens issued at the token endpoint, by grant type',
      labelNames: ['grant_type'],
      registers,
      collect() {
        this.reset();
        for (const [grant_type, series] of tokenSeries) this.inc({ grant_type }, series.issued.count);
      },
    });
    this.tokenDuration = new HotHistogram(
      `${METRIC_PREFIX}token_request_duration_seconds`,
      'Token requests that reached a grant (client authenticated, grant allowed): seconds to answer, by grant type and outcome (issued, or failed: refused or an error)',
      TOKEN_BUCKETS,
      this.registry,
    );
    this.reuse = new Counter({
      name: `${METRIC_PREFIX}refresh_token_reuse_detected_total`,
      help: 'Rotated refresh tokens presented again: each revoked its grant (RFC 9700 §4.14.2)',
      registers,
    });
    this.authFailures = new Counter({
      name: `${METRIC_PREFIX}client_auth_failures_total`,
      help: 'Failed client authentications (wrong secret, unknown client): 401 invalid_client',
      registers,
    });
    this.throttles = new Counter({
      name: `${METRIC_PREFIX}throttle_refusals_total`,
      help: 'Requests refused with 429 by a throttle: client_auth, sign_in, sign_up or account_email',
      labelNames: ['throttle'],
      registers,
    });
    this.databaseFailures = new Counter({
      name: `${METRIC_PREFIX}database_errors_total`,
      help: 'Requests failed with 503 because of the database, by kind: timeout or unavailable',
      labelNames: ['kind'],
      registers,
    });
    // Every known series starts at 0, so a rate() over the first event is not lost.
    for (const grantType of sources.grantTypes) this.seriesOf(grantType);
    for (const throttle of THROTTLE_KINDS) this.throttles.inc({ throttle }, 0);
    for (const kind of DATABASE_FAILURE_KINDS) this.databaseFailures.inc({ kind }, 0);
    registerDatabaseSources(this.registry, sources);
  }

  request(method: string, route: string | undefined, status: number): void {
    this.requests.add(method, route ?? UNMATCHED_ROUTE, status);
  }

  tokenRequest(grantType: string, seconds: number, outcome: TokenOutcome): void {
    (this.tokenSeries.get(grantType) ?? this.seriesOf(grantType))[outcome].observe(seconds);
  }

  /** The latency series of a grant type, created on first use. */
  private seriesOf(grantType: string): TokenSeries {
    let series = this.tokenSeries.get(grantType);
    if (!series) {
      const histogram = this.tokenDuration;
      series = {
        issued: histogram.series({ grant_type: grantType, outcome: 'issued' }),
        failed: histogram.series({ grant_type: grantType, outcome: 'failed' }),
      };
      this.tokenSeries.set(grantType, series);
    }
    return series;
  }

  reuseDetected(): void {
    this.reuse.inc();
  }

  clientAuthFailed(): void {
    this.authFailures.inc();
  }

  throttleRefused(kind: ThrottleKind): void {
    this.throttles.inc({ throttle: kind });
  }

  databaseFailed(kind: DatabaseFailureKind): void {
    this.databaseFailures.inc({ kind });
  }

  async exposition(): Promise<{ contentType: string; body: string }> {
    const body = await this.registry.metrics();
    // prom-client writes a NaN value (the event loop lag before its first sample) as `Nan`; the format
    // spells it `NaN` (test/support/prometheus.ts reads it strictly).
    return { contentType: this.registry.contentType, body: body.replace(NAN_SAMPLE, '$1 NaN') };
  }
}
