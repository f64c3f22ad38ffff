/**
 * Records failed token and authorization requests for their app's developer (the portal's Recent
 * errors) without slowing the request down or letting a flood of failures cost a write each: the
 * request only queues its failure, in order; a write per app and in all is capped by token buckets
 * (a failure over the cap is counted, and the count written, but not the row); the queue is written
 * in one transaction a moment later, one write at a time, so the rows keep the order they failed in.
 * A write that fails is logged without its contents and its failures counted as not recorded.
 */
import type { Logger } from 'pino';
import { PageError } from '../http/page-errors.js';
import type { ClientClaim } from '../oauth/client-auth.js';
import { type DeveloperReason, OAuthError } from '../oauth/errors.js';
import type {
  DroppedErrors,
  FailedEndpoint,
  RecentError,
  RecentErrorRepository,
} from '../storage/activity/recent-errors.js';
import { dayOf } from '../storage/activity/shared.js';
import { TokenBucket, TokenBuckets } from './token-bucket.js';

/** A failure to record. */
export interface FailureReport {
  clientId: string;
  /**
   * Whether the app was looked up and exists. A failure that names an app not looked up (a throttled
   * request) is recorded only for an app that failed before, so a made-up client ID costs nothing.
   */
  known: boolean;
  endpoint: FailedEndpoint;
  /** The token request's grant_type, when the server supports it. */
  grantType?: string | undefined;
  /** The error code the request was answered with. */
  error: string;
  /** The answer's own description: the reason when none was given, or when finding one out failed. */
  description: string;
  reason?: DeveloperReason | undefined;
}

/** How many failures are written: per app and in all, a burst and then a steady rate (per server). */
export interface RecordingLimits {
  perAppBurst: number;
  perAppPerSecond: number;
  totalBurst: number;
  totalPerSecond: number;
  /** Failures waiting for a write at most (a slow database): more are counted as not recorded. */
  maxQueued: number;
  /** How long a failure waits for others to be written with it (ms). */
  flushDelayMs: number;
  /** How long after a failed write the next one is tried (ms). */
  retryDelayMs: number;
}

/** The limits of a server: 10 failures of an app at once, then 2 a second; 100 and 50 a second in all. */
export const RECORDING_LIMITS: RecordingLimits = {
  perAppBurst: 10,
  perAppPerSecond: 2,
  totalBurst: 100,
  totalPerSecond: 50,
  maxQueued: 1_000,
  flushDelayMs: 200,
  retryDelayMs: 5_000,
};

/** The longest reason stored (characters); a longer one is cut with an ellipsis. */
export const MAX_REASON_LENGTH = 300;

/** A queued failure: its time taken when it happened. */
interface Queued extends FailureReport {
  occurredAt: number;
}

/** The code, description and reason of a failure a client caused (a 4xx), or `undefined`. */
function answerOf(
  error: unknown,
): { error: string; description: string; reason: DeveloperReason | undefined } | undefined {
  if (error instanceof OAuthError && error.status < 500)
    return { error: error.error, description: error.description, reason: error.reason };
  if (error instanceof PageError && error.status < 500)
    return { error: error.code, description: error.detail, reason: error.reason };
  return undefined;
}

/** One line of at most {@link MAX_REASON_LENGTH} characters, without control characters. */
export function cleanReason(text: string): string {
  const line = text.replace(/\p{Cc}+/gu, ' ').trim();
  if (line.length <= MAX_REASON_LENGTH) return line;
  return `${[...line].slice(0, MAX_REASON_LENGTH - 1).join('')}…`;
}

async function reasonOf(failure: Queued): Promise<string> {
  const { reason } = failure;
  if (reason === undefined) return failure.description;
  if (typeof reason === 'string') return reason;
  try {
    return await reason();
  } catch {
    return failure.description;
  }
}

/** A database error's code, never its message (which may quote a value). */
function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** The recorder of one server. */
export class ErrorRecorder {
  private readonly perApp: TokenBuckets;
  private readonly total: TokenBucket;
  private queue: Queued[] = [];
  /** Failures counted but not recorded, by `clientId day`, waiting for the next write. */
  private readonly drops = new Map<string, DroppedErrors>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private retryAt = 0;
  private failing = false;
  private stopped = false;

  constructor(
    private readonly repository: RecentErrorRepository,
    private readonly logger: Logger,
    private readonly limits: RecordingLimits = RECORDING_LIMITS,
  ) {
    this.perApp = new TokenBuckets(limits.perAppBurst, limits.perAppPerSecond);
    this.total = new TokenBucket(limits.totalBurst, limits.totalPerSecond);
  }

  /**
   * Records what `error` answered, for the app `claim` names (nothing if it names none, or if the
   * error is not a client's failure: a 5xx is the server's).
   */
  failed(claim: ClientClaim, endpoint: FailedEndpoint, grantType: string | undefined, error: unknown): void {
    if (claim.clientId === undefined) return;
    const answer = answerOf(error);
    if (answer) this.record({ clientId: claim.clientId, known: claim.known, endpoint, grantType, ...answer });
  }

  /** Queues one failure (or counts it, over the limits). Never throws, never waits. */
  record(report: FailureReport): void {
    if (this.stopped || (!report.known && !this.perApp.has(report.clientId))) return;
    const now = Date.now();
    const admitted =
      this.perApp.take(report.clientId, true, now) &&
      this.total.take(now) &&
      this.queue.length < this.limits.maxQueued;
    if (admitted) this.queue.push({ ...report, occurredAt: Math.floor(now / 1000) });
    else this.countDropped(report.clientId, dayOf(now), 1);
    this.schedule();
  }

  /** Writes what is waiting now (after any write in flight), one write at a time. */
  async flush(): Promise<void> {
    while (this.running) await this.running;
    if (this.queue.length === 0 && this.drops.size === 0) return;
    this.running = this.write();
    try {
      await this.running;
    } finally {
      this.running = undefined;
    }
    this.schedule();
  }

  /** Stops recording and writes what is waiting (server shutdown). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.retryAt = 0;
    await this.flush();
  }

  private schedule(): void {
    if (this.timer !== undefined || this.running !== undefined) return;
    if (this.queue.length === 0 && this.drops.size === 0) return;
    if (this.stopped) return;
    const delay = Math.max(this.limits.flushDelayMs, this.retryAt - Date.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, delay);
    this.timer.unref();
  }

  private countDropped(clientId: string, day: number, count: number): void {
    const key = `${clientId} ${day}`;
    const known = this.drops.get(key);
    if (known) known.dropped += count;
    else this.drops.set(key, { clientId, day, dropped: count });
  }

  private async write(): Promise<void> {
    const batch = this.queue;
    this.queue = [];
    const drops = [...this.drops.values()];
    this.drops.clear();
    try {
      const rows: RecentError[] = await Promise.all(
        batch.map(async (failure) => ({
          clientId: failure.clientId,
          occurredAt: failure.occurredAt,
          endpoint: failure.endpoint,
          grantType: failure.grantType,
          error: failure.error,
          reason: cleanReason(await reasonOf(failure)),
        })),
      );
      await this.repository.write(rows, drops);
      this.failing = false;
      this.retryAt = 0;
    } catch (error) {
      // Kept as counts for the next write; the failures themselves are not tried again.
      for (const drop of drops) this.countDropped(drop.clientId, drop.day, drop.dropped);
      for (const failure of batch) this.countDropped(failure.clientId, dayOf(failure.occurredAt * 1000), 1);
      this.retryAt = Date.now() + this.limits.retryDelayMs;
      const fields = { code: codeOf(error), failures: batch.length };
      const message = 'could not write recent errors; they are counted as not recorded';
      if (this.failing) this.logger.debug(fields, message);
      else this.logger.warn(fields, message);
      this.failing = true;
    }
  }
}
