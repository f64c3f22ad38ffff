/** Counts requests whose handlers are still running, so shutdown closes the database only after them. */

/** A counter of running handlers with a way to wait until none is left. */
export class InFlight {
  private count = 0;
  private waiters: (() => void)[] = [];
  /** Whether shutdown has begun: requests that still arrive (on kept-alive connections) are turned away. */
  draining = false;

  /** Shutdown began. */
  startDraining(): void {
    this.draining = true;
  }

  /** A request entered (Fastify `onRequest`). */
  enter(): void {
    this.count++;
  }

  /** Its answer is being sent (Fastify `onSend`, which runs even when the client went away). */
  leave(): void {
    this.count = Math.max(0, this.count - 1);
    if (this.count === 0) for (const wake of this.waiters.splice(0)) wake();
  }

  /** Resolves when no handler runs, or after `timeoutMs`. */
  async idle(timeoutMs: number): Promise<void> {
    if (this.count === 0) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      this.waiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}
