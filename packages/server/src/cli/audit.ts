/** `latchkey audit list [--since DURATION_OR_DATE] [--limit N] [--json]`: the audit log, newest first. */
import { parseDuration } from '../config.js';
import type { StoredAuditEvent } from '../storage/audit.js';
import { out, parse, ShowUsage, table, UsageError } from './args.js';
import type { CliContext } from './context.js';

/** The `audit` lines of `latchkey help`, also printed by `latchkey audit` alone. */
export const AUDIT_USAGE = `  audit list [--since 7d|2025-01-31T12:00:00Z] [--limit N] [--json]
                                      security events and admin actions, newest first (at most
                                      --limit, default 100): apps, secrets, keys, users, grants
                                      revoked and why, reuse detected, consent withdrawn`;

/** Events listed when --limit is not given, and the most it may ask for. */
const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 100_000;

/** `YYYY-MM-DD`, optionally with `THH:MM[:SS[.fff]]` and then a `Z` or `±HH:MM` offset (RFC 3339 §5.6). */
const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,3})?)?(?:Z|[+-](\d{2}):(\d{2})))?$/;

/** Whether the fields of a {@link DATE_TIME} match name a real day and time (no 31 February, no 25:00). */
function realDateTime(match: RegExpExecArray): boolean {
  const [, year, month, day, hour = '0', minute = '0', second = '0', offsetHours = '0', offsetMinutes = '0'] =
    match;
  const lastDay = new Date(Date.UTC(Number(year), Number(month), 0)).getUTCDate();
  return (
    Number(month) >= 1 &&
    Number(month) <= 12 &&
    Number(day) >= 1 &&
    Number(day) <= lastDay &&
    Number(hour) <= 23 &&
    Number(minute) <= 59 &&
    Number(second) <= 59 &&
    Number(offsetHours) <= 23 &&
    Number(offsetMinutes) <= 59
  );
}

/**
 * `--since`: a duration back from `now` (`3600`, `90s`, `15m`, `24h`, `7d`) or a date (UTC midnight) or
 * date and time with its offset (`2025-01-31T12:00:00Z`, `2025-01-31T14:00+02:00`), as epoch seconds.
 * A time without an offset is refused: it would mean whatever the machine's time zone is.
 */
function parseSince(raw: string, now: number): number {
  if (/^\d+\s*[smhd]?$/.test(raw.trim())) return now - parseDuration(raw, '--since');
  const match = DATE_TIME.exec(raw);
  if (match && realDateTime(match)) {
    // A date alone is UTC midnight (ECMA-262 date-only forms); a date and time carries its offset.
    const ms = Date.parse(raw);
    if (!Number.isNaN(ms)) return Math.floor(ms / 1000);
  }
  throw new UsageError(
    `--since must be a duration such as 24h or 7d, or a date such as 2025-01-31 or 2025-01-31T12:00:00Z, got "${raw}"`,
  );
}

const iso = (seconds: number) => new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');

/** An event as `--json` prints it. */
function describe(event: StoredAuditEvent) {
  return {
    id: event.id,
    occurred_at: iso(event.occurredAt),
    type: event.type,
    actor: event.actor,
    client_id: event.clientId,
    user_id: event.userId,
    details: event.details,
  };
}

/**
 * Details as `key=value` pairs: lists comma-separated (`[]` when empty), text quoted when it has spaces,
 * quotes or `=`.
 */
function detailsText(details: Record<string, unknown>): string {
  const text = (value: unknown) => {
    if (typeof value === 'string') return /^[^\s"=]+$/.test(value) ? value : JSON.stringify(value);
    return Array.isArray(value) && value.length > 0 ? value.join(',') : JSON.stringify(value);
  };
  return Object.entries(details)
    .map(([key, value]) => `${key}=${text(value)}`)
    .join(' ');
}

async function list(args: string[], cli: CliContext): Promise<void> {
  const { values, positionals } = parse('audit list', args, {
    since: { type: 'string' },
    limit: { type: 'string' },
    json: { type: 'boolean' },
  });
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  const rawLimit = values.limit as string | undefined;
  if (rawLimit !== undefined && (!/^\d+$/.test(rawLimit) || +rawLimit < 1 || +rawLimit > MAX_LIMIT)) {
    throw new UsageError(`--limit must be a whole number from 1 to ${MAX_LIMIT}, got "${rawLimit}"`);
  }
  const now = Math.floor(Date.now() / 1000);
  const since = values.since === undefined ? undefined : parseSince(values.since as string, now);
  const limit = rawLimit === undefined ? DEFAULT_LIMIT : Number(rawLimit);
  const events = await (await cli.audit()).list({ since, limit });
  if (values.json) {
    out(JSON.stringify(events.map(describe)));
    return;
  }
  if (events.length === 0) out('no audit events');
  const rows = events.map((event) => [
    iso(event.occurredAt),
    event.type,
    event.actor,
    event.clientId ?? '-',
    event.userId ?? '-',
    detailsText(event.details),
  ]);
  for (const line of table(rows)) out(line);
}

/** Dispatches `audit <command>`. */
export async function auditCommand(args: string[], cli: CliContext): Promise<void> {
  const [command, ...rest] = args;
  if (command === undefined || ['help', '--help', '-h'].includes(command)) {
    const usage = `usage: latchkey audit <command>\n\n${AUDIT_USAGE}\n\nlatchkey help lists every command.`;
    throw new ShowUsage(usage, command === undefined ? 2 : 0);
  }
  if (command !== 'list') throw new UsageError(`unknown audit command "${command}"; use list`);
  await list(rest, cli);
}
