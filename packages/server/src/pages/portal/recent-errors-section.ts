/**
 * The Recent errors section of the app page: the app's last failed token and authorization requests,
 * newest first, each with when, where, the error code its app got and why (for the developer only: the
 * answer on the wire stays generic). The newest few show at once, the rest behind a disclosure.
 */
import { html, type SafeHtml } from '../html.js';
import { GRANT_LABELS, type RecentErrorsView, type RecentErrorView } from './activity-view.js';
import { shortMoment } from './dates.js';
import { count } from './usage-chart.js';

/** Rows shown before "Show older errors". */
const SHOWN_FIRST = 10;

/** "Token endpoint · Client credentials", "Authorization endpoint". */
function endpointLabel(error: RecentErrorView): string {
  if (error.endpoint === 'authorize') return 'Authorization endpoint';
  const grant = error.grantType ? (GRANT_LABELS[error.grantType] ?? error.grantType) : undefined;
  return grant ? `Token endpoint · ${grant}` : 'Token endpoint';
}

/**
 * One failure: when, the error code with the endpoint under it, and why. The roles keep the table a
 * table for assistive technology when narrow screens lay its rows out as cards (CSS `display` would
 * otherwise drop the semantics in some browsers).
 */
function row(error: RecentErrorView): SafeHtml {
  return html`<tr role="row"><td role="cell" data-label="When" class="error-when">${shortMoment(error.at)}</td><td role="cell" data-label="Error"><div><code>${error.error}</code><span class="error-endpoint">${endpointLabel(error)}</span></div></td><td role="cell" data-label="Reason" class="error-reason">${error.reason}</td></tr>`;
}

function table(errors: readonly RecentErrorView[], caption: string): SafeHtml {
  return html`<table class="data-table errors-table" role="table">
<caption class="visually-hidden">${caption}</caption>
<thead role="rowgroup"><tr role="row"><th scope="col" role="columnheader">When (UTC)</th><th scope="col" role="columnheader">Error</th><th scope="col" role="columnheader">Reason</th></tr></thead>
<tbody role="rowgroup">${errors.map(row)}</tbody>
</table>`;
}

/** The section. */
export function recentErrorsSection(v: RecentErrorsView): SafeHtml {
  const first = v.errors.slice(0, SHOWN_FIRST);
  const older = v.errors.slice(SHOWN_FIRST);
  const unlisted =
    v.notRecorded > 0
      ? html`<p class="note" id="not-recorded"><strong>${count(v.notRecorded)} more failure${v.notRecorded === 1 ? '' : 's'}</strong> in the last ${v.retentionDays} days ${v.notRecorded === 1 ? 'was' : 'were'} counted but not listed: each server records a few a second per app.</p>`
      : '';
  const body =
    v.errors.length === 0
      ? html`<p class="empty-state">No failed requests. When a token or authorization request of this app fails, it shows here with the reason.</p>`
      : html`${table(first, 'Recent errors, newest first')}${
          older.length > 0
            ? html`<details class="older-errors"><summary>Show ${older.length} older error${older.length === 1 ? '' : 's'}</summary>${table(older, 'Older errors, newest first')}</details>`
            : ''
        }`;
  return html`<section class="section" aria-labelledby="recent-errors"><h2 id="recent-errors">Recent errors</h2>
<p class="section-lead">The last ${v.kept} failed token and authorization requests, newest first, with why each failed. Your app got only the standard error; the reason is for you.</p>
${body}
${unlisted}
</section>`;
}
