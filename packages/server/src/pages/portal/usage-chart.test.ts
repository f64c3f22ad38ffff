/** The usage chart: its scale, its bars, and what a screen reader gets. */
import { describe, expect, it } from 'vitest';
import type { UsageView } from './activity-view.js';
import { scaleTop, usageChart } from './usage-chart.js';

const DAY = 86_400_000;
const view = (totals: number[][]): UsageView => ({
  days: totals.map((counts, i) => ({
    date: new Date(Date.UTC(2025, 2, 1) + i * DAY),
    counts,
    total: counts.reduce((a, b) => a + b, 0),
  })),
  series: [
    { name: 'client_credentials', label: 'Client credentials' },
    { name: 'refresh_token', label: 'Refresh token' },
  ],
  connectedUsers: 0,
  threeLegged: true,
});

describe('scaleTop', () => {
  it('is a round number at or above the busiest day whose half is whole', () => {
    expect([0, 1, 4, 5, 9, 10, 11, 148, 150, 999, 1001].map(scaleTop)).toEqual([
      4, 4, 4, 6, 10, 10, 20, 200, 200, 1000, 2000,
    ]);
  });
});

describe('usageChart', () => {
  const svg = usageChart(
    view([
      [0, 0],
      [10, 0],
      [1, 1],
      [200, 100],
    ]),
  ).value;
  it('stacks one bar a day, bottom up, at least 2 units for a day with any', () => {
    expect(svg.match(/<g><title>/g)).toHaveLength(4);
    const rects = [
      ...svg.matchAll(
        /<rect class="(grant-[\w-]+)" x="[\d.]+" y="([\d.]+)" width="[\d.]+" height="([\d.]+)"/g,
      ),
    ];
    expect(rects.map((m) => [m[1], m[3]])).toEqual([
      ['grant-client-credentials', '4.00'],
      ['grant-client-credentials', '2.00'],
      ['grant-refresh-token', '2.00'],
      ['grant-client-credentials', '80.00'],
      ['grant-refresh-token', '40.00'],
    ]);
    // The top of a stack is its height above the baseline (160), scaled to 400.
    expect(rects.at(-1)?.[2]).toBe('40.00');
  });
  it('has a title and a summary, and each day a title (the tooltip too)', () => {
    expect(svg).toContain('role="img" aria-labelledby="usage-chart-title usage-chart-desc"');
    expect(svg).toContain(
      '<desc id="usage-chart-desc">312 tokens from 1 Mar to 4 Mar; the busiest day was 4 Mar with 300. By grant type: Client credentials 211, Refresh token 101.</desc>',
    );
    expect(svg).toContain('<title>4 Mar: 300 tokens (Client credentials 200, Refresh token 100)</title>');
    expect(svg).toContain('<title>1 Mar: 0 tokens</title>');
    expect(svg).toContain('<span class="tick tick-top">400</span><span class="tick tick-middle">200</span>');
  });
});
