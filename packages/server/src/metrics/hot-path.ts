/**
 * The counts every request or token updates, kept as plain numbers in maps (a lookup and an add per
 * event) and handed to prom-client's registry only when scraped. prom-client's own `inc` and `observe`
 * build, hash and validate their label sets on every call: 0.6 to 2 µs each measured here, about 2 % of
 * a client-credentials request's CPU for the two calls each request makes.
 */
import type { Counter, Metric, Registry } from 'prom-client';

/** A series' label values by label name. */
export type Labels = Record<string, string>;

interface CountSeries {
  readonly labels: Labels;
  value: number;
}

/**
 * Answered requests by route pattern, status and method, in nested maps: the keys are Fastify's route
 * strings, Node's method strings and numbers, whose hashes V8 keeps, so no key is built per request.
 */
export class RequestCounts {
  private readonly byRoute = new Map<string, Map<number, Map<string, CountSeries>>>();
  private readonly all: CountSeries[] = [];

  /** Counts one answer. */
  add(method: string, route: string, status: number): void {
    let byStatus = this.byRoute.get(route);
    if (!byStatus) {
      byStatus = new Map();
      this.byRoute.set(route, byStatus);
    }
    let byMethod = byStatus.get(status);
    if (!byMethod) {
      byMethod = new Map();
      byStatus.set(status, byMethod);
    }
    const series = byMethod.get(method);
    if (series) {
      series.value += 1;
      return;
    }
    const created = { labels: { method, route, status: String(status) }, value: 1 };
    byMethod.set(method, created);
    this.all.push(created);
  }

  /** Sets `counter` to these counts (from its `collect`, at scrape time). */
  copyTo(counter: Counter<string>): void {
    counter.reset();
    for (const series of this.all) counter.inc(series.labels, series.value);
  }
}

/** One series of a {@link HotHistogram}: counts per bucket (not cumulative, the last one `+Inf`), sum, count. */
export class HistogramSeries {
  private readonly counts: number[];
  sum = 0;
  count = 0;

  constructor(
    readonly labels: Labels,
    private readonly bounds: readonly number[],
  ) {
    this.counts = new Array<number>(bounds.length + 1).fill(0);
  }

  /** Records one value: the first bucket whose upper bound (`le`) it does not exceed. */
  observe(value: number): void {
    const { bounds } = this;
    let bucket = 0;
    while (bucket < bounds.length && value > (bounds[bucket] as number)) bucket++;
    this.counts[bucket] = (this.counts[bucket] as number) + 1;
    this.sum += value;
    this.count += 1;
  }

  /** The cumulative `_bucket` counts, one per bound and then `+Inf`. */
  cumulative(): number[] {
    let total = 0;
    return this.counts.map((count) => {
      total += count;
      return total;
    });
  }

  /** Back to no observation. */
  clear(): void {
    this.counts.fill(0);
    this.sum = 0;
    this.count = 0;
  }
}

/**
 * A Prometheus histogram whose series are {@link HistogramSeries} the caller keeps and observes
 * directly. It registers itself like a prom-client metric and answers with the values prom-client's
 * Histogram gives (`_bucket` with `le`, `_sum`, `_count`), so the registry formats and escapes it like
 * any other, to the byte (hot-path.test.ts).
 */
export class HotHistogram {
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  private readonly all: HistogramSeries[] = [];

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly bounds: readonly number[],
    registry: Registry,
  ) {
    registry.registerMetric(this as unknown as Metric);
  }

  /** A new series with these labels (the caller keeps it: one per label set). */
  series(labels: Labels): HistogramSeries {
    const series = new HistogramSeries(labels, this.bounds);
    this.all.push(series);
    return series;
  }

  /**
   * The values as prom-client's Histogram hands them to the registry's text format: `le` first, the
   * series' own labels after it (`sharedLabels`).
   */
  async getForPromString() {
    const name = this.name;
    const values = this.all.flatMap((series) => {
      const sharedLabels = series.labels;
      return [
        ...series.cumulative().map((value, i) => ({
          labels: { le: i < this.bounds.length ? (this.bounds[i] as number) : '+Inf' },
          sharedLabels,
          value,
          metricName: `${name}_bucket`,
        })),
        { labels: {}, sharedLabels, value: series.sum, metricName: `${name}_sum` },
        { labels: {}, sharedLabels, value: series.count, metricName: `${name}_count` },
      ];
    });
    return { name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }

  /** The values as prom-client's `Histogram.get()` has them (`getMetricsAsJSON`): labels merged. */
  async get() {
    const data = await this.getForPromString();
    const values = data.values.map(({ labels, sharedLabels, value, metricName }) => ({
      labels: { ...labels, ...sharedLabels },
      value,
      metricName,
    }));
    return { ...data, values };
  }

  /** What `registry.resetMetrics()` calls. */
  reset(): void {
    for (const series of this.all) series.clear();
  }
}
