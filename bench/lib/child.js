// Child-process helpers for the benchmark: start a server in its own process, wait until it is ready,
// read its RSS, and stop exactly the PIDs we started (also on Ctrl-C, exceptions and exit).
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/** Every child this process started and has not yet seen exit: pid -> ChildProcess. */
const live = new Map();
const cleanups = new Set();

/** A free loopback port: bind 127.0.0.1:0, read it, close. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Registers a synchronous cleanup (e.g. removing a temp dir) that also runs on abnormal exit. */
export function onCleanup(fn) {
  cleanups.add(fn);
  return () => cleanups.delete(fn);
}

/**
 * Spawns `command args` with its output captured (shown only when something fails).
 * Returns { child, pid, log(), exited, stop() }.
 */
export function startProcess({ name, command, args, env, cwd }) {
  const child = spawn(command, args, {
    cwd,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk) => {
    output = (output + chunk).slice(-16_000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      live.delete(child.pid);
      resolve({ code, signal });
    });
    child.once('error', (error) => {
      keep(`\n[spawn error] ${error.message}\n`);
      live.delete(child.pid);
      resolve({ code: null, signal: null, error });
    });
  });
  if (child.pid !== undefined) live.set(child.pid, child);

  let stopping;
  const stop = () => {
    stopping ??= (async () => {
      if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
      child.kill('SIGTERM');
      const done = await Promise.race([exited.then(() => true), sleep(5000).then(() => false)]);
      if (!done) {
        child.kill('SIGKILL');
        await exited;
      }
    })();
    return stopping;
  };

  return {
    name,
    child,
    pid: child.pid,
    exited,
    stop,
    log: () => output,
    /** Resolves with the regex match once `pattern` appears in the output. */
    waitForOutput(pattern, timeoutMs) {
      return waitUntil(
        name,
        async () => {
          const m = output.match(pattern);
          return m ?? undefined;
        },
        timeoutMs,
        this,
      );
    },
    /** Resolves once GET `url` answers 200. */
    waitForHttp(url, timeoutMs) {
      return waitUntil(
        name,
        async () => {
          try {
            const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
            await res.arrayBuffer();
            return res.status === 200 ? true : undefined;
          } catch {
            return undefined;
          }
        },
        timeoutMs,
        this,
      );
    },
  };
}

async function waitUntil(name, probe, timeoutMs, proc) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (proc.child.exitCode !== null || proc.child.signalCode !== null) {
      throw new Error(
        `${name} exited (${proc.child.exitCode ?? proc.child.signalCode}) before it was ready:\n${tail(proc.log())}`,
      );
    }
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline)
      throw new Error(`${name} not ready within ${timeoutMs} ms:\n${tail(proc.log())}`);
    await sleep(50);
  }
}

function tail(text, lines = 15) {
  const all = text.trimEnd().split('\n');
  return all
    .slice(-lines)
    .map((l) => `    | ${l}`)
    .join('\n');
}

/** Resident set size in MB of `pid` plus all its descendants (from /proc/<pid>/status VmRSS). */
export function rssMb(pid) {
  const kb = (p) => {
    try {
      const m = readFileSync(`/proc/${p}/status`, 'utf8').match(/^VmRSS:\s+(\d+)\s+kB/m);
      return m ? Number(m[1]) : 0;
    } catch {
      return 0;
    }
  };
  const parents = new Map();
  try {
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
        const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        parents.set(Number(entry), ppid);
      } catch {
        // process vanished
      }
    }
  } catch {
    return kb(pid) / 1024;
  }
  let total = kb(pid);
  const queue = [pid];
  while (queue.length > 0) {
    const current = queue.shift();
    for (const [child, ppid] of parents) {
      if (ppid === current) {
        total += kb(child);
        queue.push(child);
      }
    }
  }
  return total / 1024;
}

/** SIGKILL every child still alive and run the cleanups; synchronous, for exit paths. */
export function killAllNow() {
  for (const [pid] of live) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  live.clear();
  for (const fn of cleanups) {
    try {
      fn();
    } catch {
      // best effort
    }
  }
  cleanups.clear();
}

/** Installs handlers so an interrupted or crashed run never leaves servers behind. */
export function installExitHandlers() {
  process.once('exit', killAllNow);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.once(signal, () => {
      console.error(`\n${signal}: stopping benchmark servers`);
      killAllNow();
      process.exit(130);
    });
  }
  process.once('uncaughtException', (error) => {
    console.error(error);
    killAllNow();
    process.exit(1);
  });
  process.once('unhandledRejection', (error) => {
    console.error(error);
    killAllNow();
    process.exit(1);
  });
}
