/**
 * `/manage/v1/apps/{id}/errors` and `/manage/v1/apps/{id}/usage`: what the app page's Recent errors
 * and Usage show, for anyone with a role for the app (a 404 to anyone else).
 */
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../../context.js';
import { RECENT_ERRORS_KEPT } from '../../storage/activity/recent-errors.js';
import { ACTIVITY_RETENTION_DAYS, isoDay } from '../../storage/activity/shared.js';
import { appErrors, appUsage } from '../app-activity.js';
import { isoTime } from '../app-view.js';
import { callerOf } from '../caller.js';
import { loadApp } from '../load-app.js';

/** Registers the activity routes. */
export function activityRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get<{ Params: { id: string } }>('/apps/:id/errors', async (request) => {
    const caller = await callerOf(ctx, request);
    const { app: client } = await loadApp(ctx, caller, request.params.id, 'view-errors');
    const { errors, notRecorded } = await appErrors(ctx, client);
    return {
      errors: errors.map((error) => ({
        occurred_at: isoTime(error.occurredAt),
        endpoint: error.endpoint,
        grant_type: error.grantType ?? null,
        error: error.error,
        reason: error.reason,
      })),
      not_recorded: notRecorded,
      kept: RECENT_ERRORS_KEPT,
      retention_days: ACTIVITY_RETENTION_DAYS,
    };
  });

  app.get<{ Params: { id: string } }>('/apps/:id/usage', async (request) => {
    const caller = await callerOf(ctx, request);
    const { app: client } = await loadApp(ctx, caller, request.params.id, 'view-usage');
    const usage = await appUsage(ctx, client);
    return {
      days: usage.days.map((day) => ({ date: isoDay(day.day), issued: day.issued, total: day.total })),
      grant_types: usage.grantTypes,
      connected_users: usage.connectedUsers,
    };
  });
}
