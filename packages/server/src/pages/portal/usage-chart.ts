/**
 * The Usage chart: tokens issued per day as stacked bars, one colour per grant type, drawn on the server
 * as inline SVG (no script, no chart library; CSP allows nothing else). Screen readers get its title and
 * a summary (`<title>`, `<desc>`), each day's bar a `<title>` (also the tooltip), and the section a
 * table of the numbers. Text is HTML around the SVG, so it stays readable however narrow the chart is.
 */
import { html, type SafeHtml } from '../html.js';
import type { UsageDayView, UsageSeries, UsageView } from './activity-view.js';

/** The plot's own units: the SVG stretches to the width it gets (bars only, no text inside). */
const WIDTH = 560;
const HEIGHT = 160;
/** A bar's share of its day's slot. */
const BAR_SHARE = 0.62;
/** A day with tokens shows at least this tall, however small beside the busiest. */
const MIN_BAR = 2;

const NUMBER = new Intl.NumberFormat('en-GB');
const SHORT_DAY = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', timeZone: 'UTC' });

/** A count in words: "1,234". */
export function count(n: number): string {
  return NUMBER.format(n);
}

/** "12 Mar". */
export function shortDay(date: Date): string {
  return SHORT_DAY.format(date);
}

/** The top of the scale: a round number at or above `max` (at least 4) whose half is whole too. */
export function scaleTop(max: number): number {
  if (max <= 4) return 4;
  const power = 10 ** Math.floor(Math.log10(max));
  for (const step of [1, 2, 4, 6, 8, 10])
    if (step * power >= max && (step * power) % 2 === 0) return step * power;
  return 10 * power;
}

/** The class that colours a grant type's series (styles: pages/portal/activity-styles.ts). */
export function seriesClass(series: UsageSeries): string {
  return /^(authorization_code|client_credentials|refresh_token)$/.test(series.name)
    ? `grant-${series.name.replaceAll('_', '-')}`
    : 'grant-other';
}

/** "12 Mar: 20 tokens (Client credentials 18, Refresh token 2)". */
function dayLabel(day: UsageDayView, series: readonly UsageSeries[]): string {
  const parts = series
    .map((s, i) => [s.label, day.counts[i] ?? 0] as const)
    .filter(([, n]) => n > 0)
    .map(([label, n]) => `${label} ${count(n)}`);
  const tokens = `${count(day.total)} token${day.total === 1 ? '' : 's'}`;
  return `${shortDay(day.date)}: ${tokens}${parts.length > 0 ? ` (${parts.join(', ')})` : ''}`;
}

/** The summary a screen reader reads for the chart. */
function summary(v: UsageView, total: number): string {
  const first = v.days[0];
  const last = v.days.at(-1);
  if (!first || !last) return 'No days to show.';
  const busiest = v.days.reduce((a, b) => (b.total > a.total ? b : a), first);
  const bySeries = v.series
    .map((s, i) => `${s.label} ${count(v.days.reduce((sum, day) => sum + (day.counts[i] ?? 0), 0))}`)
    .join(', ');
  return `${count(total)} tokens from ${shortDay(first.date)} to ${shortDay(last.date)}; the busiest day was ${shortDay(busiest.date)} with ${count(busiest.total)}. By grant type: ${bySeries}.`;
}

/** One day's stacked bar, bottom up in the order of the series. */
function bar(day: UsageDayView, index: number, slot: number, top: number, v: UsageView): SafeHtml {
  const width = slot * BAR_SHARE;
  const x = index * slot + (slot - width) / 2;
  let y = HEIGHT;
  const segments = v.series.map((series, i) => {
    const n = day.counts[i] ?? 0;
    if (n === 0) return '';
    const height = Math.max(MIN_BAR, (n / top) * HEIGHT);
    y -= height;
    return html`<rect class="${seriesClass(series)}" x="${x.toFixed(2)}" y="${y.toFixed(2)}" width="${width.toFixed(2)}" height="${height.toFixed(2)}"></rect>`;
  });
  return html`<g><title>${dayLabel(day, v.series)}</title><rect class="day-slot" x="${(index * slot).toFixed(2)}" y="0" width="${slot.toFixed(2)}" height="${HEIGHT}"></rect>${segments}</g>`;
}

/** The chart: scale, bars, the first, middle and last day under them, and the legend. */
export function usageChart(v: UsageView): SafeHtml {
  const total = v.days.reduce((sum, day) => sum + day.total, 0);
  const top = scaleTop(Math.max(...v.days.map((day) => day.total), 0));
  const slot = WIDTH / Math.max(1, v.days.length);
  const grid = [0, 0.5, 1].map(
    (share) =>
      html`<line class="grid" x1="0" x2="${WIDTH}" y1="${HEIGHT * share}" y2="${HEIGHT * share}" vector-effect="non-scaling-stroke"></line>`,
  );
  const middle = v.days[Math.floor((v.days.length - 1) / 2)];
  const first = v.days[0];
  return html`<figure class="usage-chart">
<div class="chart-area">
<div class="chart-scale" aria-hidden="true"><span class="tick-sizer">${count(top)}</span><span class="tick tick-top">${count(top)}</span><span class="tick tick-middle">${count(top / 2)}</span><span class="tick tick-bottom">0</span></div>
<svg class="chart" role="img" aria-labelledby="usage-chart-title usage-chart-desc" focusable="false" viewBox="0 0 ${WIDTH} ${HEIGHT}" preserveAspectRatio="none" width="100%" height="${HEIGHT}"><title id="usage-chart-title">Tokens issued per day, last ${v.days.length} days</title><desc id="usage-chart-desc">${summary(v, total)}</desc>${grid}${v.days.map((day, i) => bar(day, i, slot, top, v))}</svg>
<div class="chart-days" aria-hidden="true"><span>${first ? shortDay(first.date) : ''}</span><span>${middle ? shortDay(middle.date) : ''}</span><span>Today</span></div>
</div>
<figcaption><ul class="chart-legend">${v.series.map(
    (series, i) =>
      html`<li><span class="swatch ${seriesClass(series)}" aria-hidden="true"></span>${series.label} <span class="legend-count">${count(v.days.reduce((sum, day) => sum + (day.counts[i] ?? 0), 0))}</span></li>`,
  )}</ul></figcaption>
</figure>`;
}
