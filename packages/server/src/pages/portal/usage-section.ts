/**
 * The Usage section of the app page: tokens issued over the last two weeks and today, how many users
 * have the app connected, the chart (pages/portal/usage-chart.ts) and the same numbers as a table.
 */
import { html, type SafeHtml } from '../html.js';
import type { UsageView } from './activity-view.js';
import { count, shortDay, usageChart } from './usage-chart.js';

/** A number and what it counts, read as one sentence ("3 users have this app connected"). */
function stat(value: number, label: string): SafeHtml {
  return html`<li><strong class="stat-value">${count(value)}</strong> <span class="stat-label">${label}</span></li>`;
}

/** "3 users have this app connected", or why nobody does. */
function connected(v: UsageView): SafeHtml {
  const n = v.connectedUsers;
  if (!v.threeLegged && n === 0) return stat(0, 'users connected: a server-to-server app acts for itself');
  return stat(n, `${n === 1 ? 'user has' : 'users have'} this app connected`);
}

/** The numbers behind the chart, one row a day, newest first. */
function usageTable(v: UsageView): SafeHtml {
  return html`<details class="usage-numbers"><summary>Show the numbers</summary>
<div class="table-scroll" role="region" aria-label="Tokens issued per day" tabindex="0"><table class="data-table">
<caption class="visually-hidden">Tokens issued per day, by grant type</caption>
<thead><tr><th scope="col">Day (UTC)</th>${v.series.map((s) => html`<th scope="col" class="num">${s.label}</th>`)}<th scope="col" class="num">Total</th></tr></thead>
<tbody>${[...v.days]
    .reverse()
    .map(
      (day) =>
        html`<tr><th scope="row"><time datetime="${day.date.toISOString().slice(0, 10)}">${shortDay(day.date)}</time></th>${day.counts.map(
          (n) => html`<td class="num">${count(n)}</td>`,
        )}<td class="num">${count(day.total)}</td></tr>`,
    )}</tbody>
</table></div></details>`;
}

/** The section. */
export function usageSection(v: UsageView): SafeHtml {
  const total = v.days.reduce((sum, day) => sum + day.total, 0);
  const today = v.days.at(-1)?.total ?? 0;
  return html`<section class="section" aria-labelledby="usage"><h2 id="usage">Usage</h2>
<p class="section-lead">Tokens issued per day over the last ${v.days.length} days (UTC), by grant type.</p>
<ul class="stats">
${stat(total, `token${total === 1 ? '' : 's'} in ${v.days.length} days`)}
${stat(today, `token${today === 1 ? '' : 's'} today`)}
${connected(v)}
</ul>
${total > 0 ? html`${usageChart(v)}${usageTable(v)}` : html`<p class="empty-state">No tokens issued in the last ${v.days.length} days. The first tokens this app gets show here within seconds.</p>`}
</section>`;
}
