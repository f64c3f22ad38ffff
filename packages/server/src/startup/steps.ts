/** Start-up in steps: a step that fails closes what the steps before it opened, so nothing keeps running. */
import { ConfigError } from '../config.js';
import type { ServerContext } from '../context.js';
import { reason, StartupError } from './startup-error.js';

/** The steps of one start and how to close what each opened. */
export class StartupSteps {
  private readonly closers: Array<() => unknown> = [];

  /**
   * Runs a step. If it throws, everything opened so far is closed (newest first) and a
   * {@link StartupError} "`what`: cause" is thrown (a StartupError or a {@link ConfigError}, which
   * already name their cause, as they are); otherwise `close` is remembered for a later failure.
   */
  async run<T>(what: string, step: () => T | Promise<T>, close?: (value: T) => unknown): Promise<T> {
    let value: T;
    try {
      value = await step();
    } catch (error) {
      await this.closeAll();
      throw error instanceof StartupError || error instanceof ConfigError
        ? error
        : new StartupError(`${what}: ${reason(error)}`, { cause: error });
    }
    if (close) this.closers.push(() => close(value));
    return value;
  }

  /** Closes what the steps opened, newest first; one failing to close does not keep the others open. */
  async closeAll(): Promise<void> {
    for (const close of this.closers.splice(0).reverse()) {
      try {
        await close();
      } catch {
        // The failure that stopped the start is the one to report.
      }
    }
  }
}

/**
 * Closes what a server context holds open: the back-channel logout worker (its rows stay queued), the
 * usage and recent-error writers (after writing what they hold), the account emails (after sending those queued, within the shutdown grace), the key reload timer, the signing worker, the throttle counters' connection (Redis), the
 * database. Each is closed even if one before it fails; the first failure is then thrown.
 */
export async function closeContext(ctx: ServerContext): Promise<void> {
  const failures: unknown[] = [];
  const closers = [
    () => ctx.logout.stop(),
    () => ctx.usage.stop(),
    () => ctx.accountMail.stop(ctx.config.shutdownGraceMs),
    () => ctx.recentErrors.stop(),
    () => ctx.keys.stop(),
    () => ctx.signer.close(),
    () => ctx.counters?.close(),
    () => ctx.db.destroy(),
  ];
  for (const close of closers) {
    try {
      await close();
    } catch (error) {
      failures.push(error);
    }
  }
  if (failures.length > 0) throw failures[0];
}
