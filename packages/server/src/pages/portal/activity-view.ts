/** What the app page shows of an app's traffic: its recent failed requests and its usage. */

/** A failed request. */
export interface RecentErrorView {
  at: Date;
  /** `token` or `authorize`. */
  endpoint: string;
  /** The token request's grant type. */
  grantType?: string;
  /** The error code answered. */
  error: string;
  /** Why, for the developer. */
  reason: string;
}

/** The Recent errors section's values. */
export interface RecentErrorsView {
  /** Newest first. */
  errors: readonly RecentErrorView[];
  /** Failures counted but not listed (over the recording rate). */
  notRecorded: number;
  /** The most kept per app. */
  kept: number;
  /** Days an error is kept. */
  retentionDays: number;
}

/** One grant type's series in the chart. */
export interface UsageSeries {
  /** The grant type (`client_credentials`). */
  name: string;
  /** In words (`Client credentials`). */
  label: string;
}

/** Tokens issued on one day. */
export interface UsageDayView {
  /** Midnight UTC of the day. */
  date: Date;
  /** Per series, in the order of {@link UsageView.series}. */
  counts: readonly number[];
  total: number;
}

/** The Usage section's values. */
export interface UsageView {
  /** Oldest first, today last. */
  days: readonly UsageDayView[];
  series: readonly UsageSeries[];
  connectedUsers: number;
  /** Whether users can connect the app at all (it has the authorization code grant). */
  threeLegged: boolean;
}

/** The words of each grant type the server supports. */
export const GRANT_LABELS: Readonly<Record<string, string>> = {
  authorization_code: 'Authorization code',
  client_credentials: 'Client credentials',
  refresh_token: 'Refresh token',
};
