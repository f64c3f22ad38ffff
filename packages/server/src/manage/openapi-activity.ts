/** The OpenAPI description of an app's activity routes (manage/routes/activity-routes.ts). */
import { GRANT_TYPE_NAMES } from '../grants/index.js';
import { RECENT_ERRORS_KEPT } from '../storage/activity/recent-errors.js';
import { ACTIVITY_RETENTION_DAYS } from '../storage/activity/shared.js';
import { USAGE_DAYS } from './app-activity.js';
import { ok, ref } from './openapi-parts.js';

/** The paths `/apps/{id}/errors` and `/apps/{id}/usage`, with the document's id parameter and problems. */
export function activityPaths(idParam: object, problems: object) {
  return {
    '/apps/{id}/errors': {
      parameters: [idParam],
      get: {
        summary: `Its last ${RECENT_ERRORS_KEPT} failed token and authorization requests, newest first, with why each failed`,
        responses: { 200: ok('Recent errors', ref('RecentErrors')), ...problems },
      },
    },
    '/apps/{id}/usage': {
      parameters: [idParam],
      get: {
        summary: `Tokens issued per day for the last ${USAGE_DAYS} days by grant type, and how many users have it connected`,
        responses: { 200: ok('Usage', ref('Usage')), ...problems },
      },
    },
  };
}

/** The schemas of those answers. */
export function activitySchemas() {
  return {
    RecentErrors: {
      type: 'object',
      required: ['errors', 'not_recorded', 'kept', 'retention_days'],
      properties: {
        errors: {
          type: 'array',
          maxItems: RECENT_ERRORS_KEPT,
          items: {
            type: 'object',
            required: ['occurred_at', 'endpoint', 'grant_type', 'error', 'reason'],
            properties: {
              occurred_at: { type: 'string', format: 'date-time' },
              endpoint: { enum: ['token', 'authorize'] },
              grant_type: { type: ['string', 'null'], description: 'the token request’s grant_type' },
              error: { type: 'string', description: 'the OAuth error code (or error page code) answered' },
              reason: {
                type: 'string',
                description:
                  'why, for the app’s developer; never a secret, code or token (the answer on the wire stays generic)',
              },
            },
          },
        },
        not_recorded: {
          type: 'integer',
          minimum: 0,
          description: `failures of the last ${ACTIVITY_RETENTION_DAYS} days counted but not listed: each server records a few a second per app`,
        },
        kept: { type: 'integer', description: 'the most errors kept per app' },
        retention_days: { type: 'integer', description: 'days an error is kept' },
      },
    },
    Usage: {
      type: 'object',
      required: ['days', 'grant_types', 'connected_users'],
      properties: {
        days: {
          type: 'array',
          minItems: USAGE_DAYS,
          maxItems: USAGE_DAYS,
          description: 'oldest first; today (UTC) last',
          items: {
            type: 'object',
            required: ['date', 'issued', 'total'],
            properties: {
              date: { type: 'string', format: 'date' },
              issued: {
                type: 'object',
                description: 'tokens issued by each grant type of grant_types',
                additionalProperties: { type: 'integer', minimum: 0 },
              },
              total: { type: 'integer', minimum: 0 },
            },
          },
        },
        grant_types: { type: 'array', items: { type: 'string', examples: [...GRANT_TYPE_NAMES] } },
        connected_users: {
          type: 'integer',
          minimum: 0,
          description: 'users with a remembered consent or a live grant to the app',
        },
      },
    },
  };
}
