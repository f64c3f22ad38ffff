/** The app page's Usage and Recent errors, from manage/app-activity.ts, for a role that may see them. */
import type { ServerContext } from '../../context.js';
import { may } from '../../manage/access.js';
import { appErrors, appUsage } from '../../manage/app-activity.js';
import type { LoadedApp } from '../../manage/load-app.js';
import { GRANT_LABELS, type RecentErrorsView, type UsageView } from '../../pages/portal/activity-view.js';
import { RECENT_ERRORS_KEPT } from '../../storage/activity/recent-errors.js';
import { ACTIVITY_RETENTION_DAYS, DAY_MS } from '../../storage/activity/shared.js';

/** What the app page shows of the app's traffic (nothing the role may not see: manage/access.ts). */
export interface ActivityViews {
  usage?: UsageView;
  recentErrors?: RecentErrorsView;
}

async function usageView(ctx: ServerContext, loaded: LoadedApp): Promise<UsageView> {
  const usage = await appUsage(ctx, loaded.app);
  return {
    days: usage.days.map((day) => ({
      date: new Date(day.day * DAY_MS),
      counts: usage.grantTypes.map((name) => day.issued[name] ?? 0),
      total: day.total,
    })),
    series: usage.grantTypes.map((name) => ({ name, label: GRANT_LABELS[name] ?? name })),
    connectedUsers: usage.connectedUsers,
    threeLegged: loaded.app.grantTypes.includes('authorization_code'),
  };
}

async function recentErrorsView(ctx: ServerContext, loaded: LoadedApp): Promise<RecentErrorsView> {
  const { errors, notRecorded } = await appErrors(ctx, loaded.app);
  return {
    errors: errors.map((error) => ({
      at: new Date(error.occurredAt * 1000),
      endpoint: error.endpoint,
      ...(error.grantType !== undefined && { grantType: error.grantType }),
      error: error.error,
      reason: error.reason,
    })),
    notRecorded,
    kept: RECENT_ERRORS_KEPT,
    retentionDays: ACTIVITY_RETENTION_DAYS,
  };
}

/** The app's usage and recent errors, each if the caller's role may see it. */
export async function activityViews(ctx: ServerContext, loaded: LoadedApp): Promise<ActivityViews> {
  const [usage, recentErrors] = await Promise.all([
    may(loaded.role, 'view-usage') ? usageView(ctx, loaded) : undefined,
    may(loaded.role, 'view-errors') ? recentErrorsView(ctx, loaded) : undefined,
  ]);
  return { ...(usage && { usage }), ...(recentErrors && { recentErrors }) };
}
