/** Times on portal pages: in UTC, with a machine-readable `<time datetime>`. */
import { html, type SafeHtml } from '../html.js';

const DAY = new Intl.DateTimeFormat('en-GB', { dateStyle: 'long', timeZone: 'UTC' });
const MOMENT = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric',
  month: 'short',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
  timeZone: 'UTC',
});

const SHORT_MOMENT = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric',
  month: 'short',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
  timeZone: 'UTC',
});

/** "12 Mar, 14:05" (UTC; for lists of the last days, whose heading says UTC). */
export function shortMoment(date: Date): SafeHtml {
  return html`<time datetime="${date.toISOString()}">${SHORT_MOMENT.format(date)}</time>`;
}

/** "12 March 2025". */
export function day(date: Date): SafeHtml {
  return html`<time datetime="${date.toISOString()}">${DAY.format(date)}</time>`;
}

/** "12 Mar 2025, 14:05 UTC". */
export function moment(date: Date): SafeHtml {
  return html`<time datetime="${date.toISOString()}">${MOMENT.format(date)} UTC</time>`;
}

/** A grace period in words: "None", "1 hour", "24 hours", "7 days". */
export function durationLabel(seconds: number): string {
  if (seconds <= 0) return 'None';
  const hours = seconds / 3600;
  if (hours < 48) return `${hours} hour${hours === 1 ? '' : 's'}`;
  const days = seconds / 86_400;
  return `${days} day${days === 1 ? '' : 's'}`;
}
