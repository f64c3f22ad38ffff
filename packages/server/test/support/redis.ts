/**
 * Test harness: a throwaway Redis (Debian's `redis-server`) on 127.0.0.1 at a free port, with no
 * persistence (`--save ''`, `--appendonly no`) in a temp dir, stopped by its PID.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './process.js';
import { spawnWatchdog, waitForExit } from './watchdog.js';

/** A running throwaway Redis. */
export interface RedisInstance {
  /** `redis://127.0.0.1:<port>` */
  url: string;
  port: number;
  /** PID of the redis-server this harness started. */
  pid: number;
  /** SIGSTOP: connections stay open, nothing answers (a hung Redis). */
  freeze(): void;
  /** SIGCONT after {@link RedisInstance.freeze}. */
  thaw(): void;
  /** Stops it (SIGTERM, then SIGKILL), waits for the exit, removes its dir. Idempotent. */
  stop(): Promise<void>;
}

/** Where the server binary is: LATCHKEY_REDIS_SERVER, else Debian's. */
export function redisServerPath(): string {
  return process.env['LATCHKEY_REDIS_SERVER'] || '/usr/bin/redis-server';
}

function redisAvailable(): boolean {
  try {
    accessSync(redisServerPath(), constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Decides whether Redis suites run: true when `redis-server` is there. Without it, with `CI=true` it
 * throws, so the suite FAILS instead of silently skipping; otherwise it says why and returns false.
 * Use as `describe.skipIf(!requireRedis())('... on Redis', ...)`.
 */
export function requireRedis(what = 'Redis tests'): boolean {
  if (redisAvailable()) return true;
  const reason = `need ${redisServerPath()} (Debian package redis-server, or set LATCHKEY_REDIS_SERVER)`;
  if (process.env['CI'] === 'true')
    throw new Error(`${what}: Redis is required in CI but not available: ${reason}`);
  console.warn(`[redis] SKIPPING ${what}: ${reason}. (In CI, CI=true makes this a failure.)`);
  return false;
}

/** Whether the server at `port` answers PING. */
function pings(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.on('error', () => done(false));
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (data) => done(data.toString().startsWith('+PONG')));
  });
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // already gone
  }
}

/** A watchdog (watchdog.ts): if this process dies without calling stop(), it kills this Redis by its PID. */
function startWatchdog(pid: number, dir: string): ChildProcess {
  const script = 'kill -CONT "$1" 2>/dev/null; kill -KILL "$1" 2>/dev/null; rm -rf "$2"';
  return spawnWatchdog('latchkey-redis-watchdog', script, [String(pid), dir]);
}

/**
 * Starts `redis-server` on 127.0.0.1 at a free port and waits (up to `timeoutMs`) until it answers;
 * another port if one was taken between the probe and the bind.
 */
export async function startRedis(timeoutMs = 10_000): Promise<RedisInstance> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await launch(timeoutMs);
    } catch (error) {
      if (attempt >= 3 || !/Address already in use/i.test((error as Error).message)) throw error;
    }
  }
}

async function launch(timeoutMs: number): Promise<RedisInstance> {
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-redis-'));
  const port = await freePort();
  const child = spawn(
    redisServerPath(),
    ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no'],
    { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let log = '';
  const keep = (d: Buffer) => {
    log = (log + d).slice(-8_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  child.on('error', (error) => keep(Buffer.from(`\n[spawn error] ${error.message}`)));
  const pid = child.pid;
  if (pid === undefined) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`startRedis: could not start ${redisServerPath()}: ${log}`);
  }
  const watchdog = startWatchdog(pid, dir);
  const onExit = () => {
    signal(pid, 'SIGCONT');
    signal(pid, 'SIGKILL');
  };
  process.on('exit', onExit);
  let stopped: Promise<void> | undefined;
  const stop = () => {
    stopped ??= (async () => {
      if (watchdog.pid !== undefined) signal(watchdog.pid, 'SIGKILL');
      signal(pid, 'SIGCONT');
      signal(pid, 'SIGTERM');
      if (!(await waitForExit(child, 5_000))) {
        signal(pid, 'SIGKILL');
        await waitForExit(child, 5_000);
      }
      process.off('exit', onExit);
      rmSync(dir, { recursive: true, force: true });
    })();
    return stopped;
  };
  const deadline = Date.now() + timeoutMs;
  while (!(await pings(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`startRedis: redis-server did not answer on port ${port}:\n${log}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    pid,
    freeze: () => signal(pid, 'SIGSTOP'),
    thaw: () => signal(pid, 'SIGCONT'),
    stop,
  };
}
