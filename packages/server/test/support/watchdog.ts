/** Test harness: what the throwaway servers (postgres.ts, redis.ts) share to never outlive the test run. */
import { type ChildProcess, spawn } from 'node:child_process';

/**
 * A detached shell running `script` (with `args` as $1, $2, ...) once EOF arrives on a pipe from this
 * process: if this process dies without stopping its server (even SIGKILL), the pipe closes and the
 * script stops that server by its PID. Kill the watchdog by its PID when the server stops normally.
 */
export function spawnWatchdog(name: string, script: string, args: string[]): ChildProcess {
  const watchdog = spawn('sh', ['-c', `read _ignored; ${script}`, name, ...args], {
    stdio: ['pipe', 'ignore', 'ignore'],
    detached: true,
  });
  watchdog.on('error', () => {});
  watchdog.unref();
  (watchdog.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  return watchdog;
}

/** Resolves true once `child` has exited, or false after `ms`. */
export function waitForExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}
