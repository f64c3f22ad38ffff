// Retry timing: exponential backoff with full jitter, and Retry-After (seconds or HTTP date) parsing.

/**
 * The wait before retry number `attempt` (0 for the first retry): a uniformly random delay between 0
 * and `min(maxMs, baseMs * 2^attempt)` ("full jitter"), so many proxies do not retry in step.
 * @see https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/
 */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number, random = Math.random): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** attempt);
  return Math.floor(random() * ceiling);
}

/**
 * Parses a `Retry-After` value (delay-seconds or an HTTP-date) into milliseconds from `now`;
 * `undefined` when absent or malformed; 0 for a date in the past.
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-10.2.3
 */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  if (value === null || value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  if (!/[a-z]/i.test(text)) return undefined;
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}
