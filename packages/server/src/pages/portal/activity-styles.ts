/** The CSS of the app page's Usage and Recent errors sections, added after the portal's (layout.ts). */

/**
 * Stats, the usage chart and the errors table. Each grant type has a colour of at least 4.5:1 against
 * the card in both schemes (WCAG 1.4.11 asks 3:1 of graphics), and stacked segments are parted by a
 * line of the card's colour; at phone widths the errors table lays its rows out as cards.
 */
export const ACTIVITY_STYLES = `
:root { --grant-code: #0f766e; --grant-credentials: #3347d4; --grant-refresh: #a4520b; --grant-other: #556070; }
@media (prefers-color-scheme: dark) {
  :root { --grant-code: #2dd4bf; --grant-credentials: #8c9bff; --grant-refresh: #fbbf24; --grant-other: #a3acba; }
}
.grant-authorization-code { fill: var(--grant-code); background: var(--grant-code); }
.grant-client-credentials { fill: var(--grant-credentials); background: var(--grant-credentials); }
.grant-refresh-token { fill: var(--grant-refresh); background: var(--grant-refresh); }
.grant-other { fill: var(--grant-other); background: var(--grant-other); }

.stats { list-style: none; padding: 0; margin: 16px 0 0; display: grid; grid-template-columns: repeat(3, minmax(0, 1fr)); gap: 12px; }
.stats li { padding: 12px 14px; border: 1px solid var(--border); border-radius: 12px; background: var(--surface-muted); min-width: 0; }
.stat-value { display: block; font-size: 1.5rem; font-weight: 700; line-height: 1.2; font-variant-numeric: tabular-nums; overflow-wrap: anywhere; }
.stat-label { display: block; margin-top: 2px; font-size: 0.875rem; color: var(--muted); }

.usage-chart { margin: 20px 0 0; }
.chart-area { display: grid; grid-template-columns: auto minmax(0, 1fr); column-gap: 8px; row-gap: 6px; }
.chart-scale { position: relative; font-size: 0.75rem; color: var(--muted); font-variant-numeric: tabular-nums; text-align: right; }
.chart-scale .tick-sizer { visibility: hidden; display: block; height: 0; overflow: hidden; }
.chart-scale .tick { position: absolute; right: 0; line-height: 1; transform: translateY(-50%); white-space: nowrap; }
.tick-top { top: 0; }
.tick-middle { top: 50%; }
.tick-bottom { top: 100%; }
.chart { display: block; width: 100%; height: 160px; overflow: visible; }
.chart .grid { stroke: var(--border); stroke-width: 1; }
.chart rect { stroke: var(--surface); stroke-width: 1px; vector-effect: non-scaling-stroke; }
.chart .day-slot { fill: transparent; stroke: none; }
.chart g:hover .day-slot { fill: var(--surface-muted); }
.chart-days { grid-column: 2; display: flex; justify-content: space-between; font-size: 0.75rem; color: var(--muted); }
.chart-legend { list-style: none; padding: 0; margin: 12px 0 0; display: flex; flex-wrap: wrap; gap: 6px 18px; font-size: 0.875rem; }
.chart-legend li { display: flex; align-items: center; gap: 8px; }
.swatch { display: inline-block; flex: none; width: 12px; height: 12px; border-radius: 3px; }
.legend-count { color: var(--muted); font-variant-numeric: tabular-nums; }

details > summary { cursor: pointer; color: var(--primary); font-weight: 600; font-size: 0.9375rem; width: fit-content; border-radius: 6px; }
@media (prefers-color-scheme: dark) { details > summary { color: var(--focus); } }
.usage-numbers, .older-errors { margin-top: 14px; }
.usage-numbers[open] > summary, .older-errors[open] > summary { margin-bottom: 10px; }
.table-scroll { overflow-x: auto; border-radius: 12px; }
.data-table { width: 100%; border-collapse: separate; border-spacing: 0; font-size: 0.875rem; border: 1px solid var(--border); border-radius: 12px; overflow: hidden; }
.data-table th, .data-table td { padding: 9px 12px; text-align: left; vertical-align: top; }
.data-table thead th { background: var(--surface-muted); color: var(--muted); font-weight: 600; font-size: 0.8125rem; border-bottom: 1px solid var(--border); }
.data-table tbody tr + tr > * { border-top: 1px solid var(--border); }
.data-table .num { text-align: right; font-variant-numeric: tabular-nums; }
.data-table tbody th { font-weight: 500; white-space: nowrap; }
.data-table tr > :last-child.num { font-weight: 600; }

.errors-table { margin-top: 14px; }
.errors-table td { overflow-wrap: anywhere; }
.error-when { white-space: nowrap; color: var(--muted); width: 1%; }
.errors-table code { white-space: nowrap; color: var(--danger-text); font-weight: 600; }
.error-endpoint { display: block; margin-top: 2px; font-size: 0.8125rem; color: var(--muted); }
.error-reason { width: 55%; }
.empty-state { margin-top: 14px; padding: 16px; border: 1px dashed var(--border-strong); border-radius: 12px; color: var(--muted); font-size: 0.9375rem; text-align: center; }

@media (max-width: 480px) {
  .stats { grid-template-columns: minmax(0, 1fr); gap: 8px; }
  .stats li { display: flex; align-items: baseline; gap: 8px; padding: 10px 12px; }
  .stat-value { display: inline; font-size: 1.25rem; }
  .stat-label { display: inline; margin: 0; }
  .data-table th, .data-table td { padding: 8px 10px; }
  .errors-table, .errors-table tbody, .errors-table tr, .errors-table td { display: block; }
  .errors-table { border: 0; }
  .errors-table thead { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
  .errors-table tbody tr { border: 1px solid var(--border); border-radius: 12px; padding: 10px 14px; }
  .errors-table tbody tr + tr { margin-top: 10px; }
  .errors-table tbody tr + tr > * { border-top: 0; }
  .errors-table td { padding: 0; width: auto; }
  .errors-table .error-when { font-size: 0.8125rem; margin-bottom: 4px; }
  .errors-table .error-endpoint { display: inline; margin-left: 6px; }
  .errors-table .error-reason { margin-top: 6px; font-size: 0.9375rem; }
}
`;
