import { Counter, Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { HotHistogram, RequestCounts } from './hot-path.js';

const BOUNDS = [0.001, 0.01, 0.1, 1];
const VALUES = [0, 0.0005, 0.001, 0.0010001, 0.05, 0.1, 0.99, 1, 1.5, 300];

/** prom-client's Histogram and a HotHistogram, each in a registry of its own, given the same values. */
function twins(labels: Record<string, string>) {
  const theirs = new Registry();
  const reference = new Histogram({
    name: 'h',
    help: 'help',
    labelNames: Object.keys(labels),
    buckets: BOUNDS,
    registers: [theirs],
  });
  const ours = new Registry();
  const hot = new HotHistogram('h', 'help', BOUNDS, ours).series(labels);
  for (const value of VALUES) {
    reference.observe(labels, value);
    hot.observe(value);
  }
  return { theirs, ours };
}

describe('HotHistogram', () => {
  it("formats exactly as prom-client's own Histogram given the same observations (le is inclusive)", async () => {
    const { theirs, ours } = twins({ grant_type: 'a"b\\c' });
    expect(await ours.metrics()).toBe(await theirs.metrics());
    expect(await ours.metrics()).toContain('h_bucket{le="0.001",grant_type="a\\"b\\\\c"} 3');
  });

  it('answers getMetricsAsJSON like prom-client too', async () => {
    const { theirs, ours } = twins({ g: 'x' });
    const strip = (json: unknown) =>
      JSON.parse(JSON.stringify(json, (key, value) => (key === 'exemplar' ? undefined : value)));
    expect(strip(await ours.getMetricsAsJSON())).toEqual(strip(await theirs.getMetricsAsJSON()));
  });

  it('resetMetrics empties every series', async () => {
    const registry = new Registry();
    const series = new HotHistogram('h', 'help', BOUNDS, registry).series({ outcome: 'issued' });
    series.observe(0.5);
    registry.resetMetrics();
    expect(await registry.metrics()).toContain('h_count{outcome="issued"} 0');
  });
});

describe('RequestCounts', () => {
  it('counts per (method, route, status) and sets a counter to the counts when scraped', async () => {
    const registry = new Registry();
    const counts = new RequestCounts();
    new Counter({
      name: 'requests_total',
      help: 'help',
      labelNames: ['method', 'route', 'status'],
      registers: [registry],
      collect() {
        counts.copyTo(this);
      },
    });
    counts.add('POST', '/oauth/token', 200);
    counts.add('POST', '/oauth/token', 200);
    counts.add('POST', '/oauth/token', 401);
    counts.add('GET', '/oauth/token', 405);
    const text = await registry.metrics();
    expect(text).toContain('requests_total{method="POST",route="/oauth/token",status="200"} 2');
    expect(text).toContain('requests_total{method="POST",route="/oauth/token",status="401"} 1');
    expect(text).toContain('requests_total{method="GET",route="/oauth/token",status="405"} 1');
    // A second scrape reports the same totals, not twice them.
    expect(await registry.metrics()).toBe(text);
  });
});
