/**
 * Counts the tokens issued per app, UTC day and grant type in memory (a clock read and two map
 * look-ups per token) and adds the counts to the database every LATCHKEY_USAGE_FLUSH_INTERVAL and at
 * shutdown, with an upsert that adds, so several servers on one database add up. Counts a write could
 * not save are kept and added to the next one: none is lost to a database outage.
 */
import type { Logger } from 'pino';
import { DAY_MS, dayOf } from '../storage/activity/shared.js';
import type { UsageCount, UsageRepository } from '../storage/activity/usage.js';

/** This server's counts of one day: app -> grant type -> tokens. */
type DayCounts = Map<string, Map<string, number>>;

/** The usage counter of one server. */
export class UsageCounter {
  private day: number;
  private dayEndsAt: number;
  private counts: DayCounts = new Map();
  /** Counts of a day that ended, or of a write that failed, by `clientId day grantType`. */
  private waiting = new Map<string, UsageCount>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private failing = false;

  constructor(
    private readonly repository: UsageRepository,
    private readonly logger: Logger,
  ) {
    this.day = dayOf();
    this.dayEndsAt = (this.day + 1) * DAY_MS;
  }

  /** One token issued to `clientId` by `grantType` (one of the grant catalogue's names). */
  issued(clientId: string, grantType: string): void {
    if (Date.now() >= this.dayEndsAt) this.nextDay();
    let byGrant = this.counts.get(clientId);
    if (byGrant === undefined) {
      byGrant = new Map();
      this.counts.set(clientId, byGrant);
    }
    byGrant.set(grantType, (byGrant.get(grantType) ?? 0) + 1);
  }

  /** The counts of `clientId` not written yet (added to what the database says when it is shown). */
  unwritten(clientId: string): UsageCount[] {
    const mine = [...this.waiting.values()].filter((count) => count.clientId === clientId);
    for (const [grantType, issued] of this.counts.get(clientId) ?? [])
      mine.push({ clientId, day: this.day, grantType, issued });
    return mine;
  }

  /** Writes every count not written yet (after any write in flight). */
  async flush(): Promise<void> {
    while (this.running) await this.running;
    if (Date.now() >= this.dayEndsAt) this.nextDay();
    this.park(this.day, this.counts);
    this.counts = new Map();
    if (this.waiting.size === 0) return;
    this.running = this.write();
    try {
      await this.running;
    } finally {
      this.running = undefined;
    }
  }

  /** Flushes every `intervalMs` (the timer never keeps the process alive). */
  start(intervalMs: number): void {
    this.timer = setInterval(() => void this.flush(), intervalMs);
    this.timer.unref();
  }

  /** Stops the timer and writes what is left (server shutdown). */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }

  private nextDay(): void {
    this.park(this.day, this.counts);
    this.counts = new Map();
    this.day = dayOf();
    this.dayEndsAt = (this.day + 1) * DAY_MS;
  }

  /** Moves counts to those waiting for a write, adding to any already there. */
  private park(day: number, counts: DayCounts): void {
    for (const [clientId, byGrant] of counts) {
      for (const [grantType, issued] of byGrant) this.keep({ clientId, day, grantType, issued });
    }
  }

  private keep(count: UsageCount): void {
    const key = `${count.clientId} ${count.day} ${count.grantType}`;
    const known = this.waiting.get(key);
    if (known) known.issued += count.issued;
    else this.waiting.set(key, { ...count });
  }

  private async write(): Promise<void> {
    const batch = [...this.waiting.values()];
    this.waiting = new Map();
    try {
      await this.repository.add(batch);
      this.failing = false;
    } catch (error) {
      // Kept for the next write: counted once, whenever the database answers.
      for (const count of batch) this.keep(count);
      const code = (error as { code?: unknown } | null)?.code;
      const fields = { code: typeof code === 'string' ? code : undefined, counts: batch.length };
      const message = 'could not write usage counts; keeping them for the next write';
      if (this.failing) this.logger.debug(fields, message);
      else this.logger.warn(fields, message);
      this.failing = true;
    }
  }
}
