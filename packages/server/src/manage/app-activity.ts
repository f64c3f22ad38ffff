/**
 * An app's activity as the portal and the management API show it: its recent failed requests, and the
 * tokens issued per day of the last two weeks by grant type with how many users have it connected.
 */
import type { ServerContext } from '../context.js';
import { GRANT_TYPE_NAMES } from '../grants/index.js';
import type { RecentError } from '../storage/activity/recent-errors.js';
import { dayOf } from '../storage/activity/shared.js';
import type { Client } from '../storage/clients.js';

/** Days the usage covers, today (UTC) included. */
export const USAGE_DAYS = 14;

/** Recent errors, newest first, and how many more failed than were recorded. */
export interface AppErrors {
  errors: RecentError[];
  /** Failures of the last 30 days (storage/activity/shared.ts) counted but not recorded (over the rate). */
  notRecorded: number;
}

/** Tokens issued on one day, by grant type. */
export interface UsageDay {
  /** Days since 1970-01-01, UTC. */
  day: number;
  /** Every grant type of {@link AppUsage.grantTypes}, 0 included. */
  issued: Record<string, number>;
  total: number;
}

/** The usage of an app. */
export interface AppUsage {
  /** Oldest first, {@link USAGE_DAYS} of them, today last. */
  days: UsageDay[];
  /** The app's grant types, and any other it was issued tokens by, in the catalogue's order. */
  grantTypes: string[];
  /** Users with a remembered consent or a live grant (storage/connected-apps.ts). */
  connectedUsers: number;
}

/** The app's recent errors. */
export async function appErrors(ctx: ServerContext, app: Client): Promise<AppErrors> {
  const [errors, notRecorded] = await Promise.all([
    ctx.appErrors.list(app.id),
    ctx.appErrors.dropped(app.id),
  ]);
  return { errors, notRecorded };
}

/**
 * The app's usage: what every server wrote, and what this one counted and has not written yet (the
 * others' unwritten counts appear within LATCHKEY_USAGE_FLUSH_INTERVAL).
 */
export async function appUsage(ctx: ServerContext, app: Client, now = Date.now()): Promise<AppUsage> {
  const today = dayOf(now);
  const first = today - USAGE_DAYS + 1;
  const [stored, connectedUsers] = await Promise.all([
    ctx.appUsage.daily(app.id, first, today),
    ctx.connectedApps.countUsers(app.id),
  ]);
  const counts = [...stored, ...ctx.usage.unwritten(app.id)].filter(
    (count) => count.day >= first && count.day <= today,
  );
  const named = new Set([...app.grantTypes, ...counts.map((count) => count.grantType)]);
  const grantTypes = [
    ...GRANT_TYPE_NAMES.filter((name) => named.has(name)),
    ...[...named].filter((name) => !GRANT_TYPE_NAMES.includes(name)).sort(),
  ];
  const days: UsageDay[] = [];
  for (let day = first; day <= today; day++) {
    days.push({ day, issued: Object.fromEntries(grantTypes.map((name) => [name, 0])), total: 0 });
  }
  for (const count of counts) {
    const entry = days[count.day - first] as UsageDay;
    entry.issued[count.grantType] = (entry.issued[count.grantType] ?? 0) + count.issued;
    entry.total += count.issued;
  }
  return { days, grantTypes, connectedUsers };
}
