// The demo's child processes (scripts/demo.js): each started detached so only this script signals it, by
// PID; their output kept in a log file per process and the last lines for an error; a stop that escalates
// to SIGKILL after a grace period; and no child outliving the script, however it ends.
import { execFile, spawn } from 'node:child_process';
import { createWriteStream, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository's root folder. */
export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** The `latchkey` CLI. */
export const LATCHKEY = join(ROOT, 'packages/server/bin/latchkey.js');
/** Every demo process listens on loopback only. */
export const HOST = '127.0.0.1';
const READY_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 8_000;

/** Every process this script started: `{ name, child, tail, exited }`. */
export const children = [];
let stopping = false;
let dataDirToRemove;

/** Whether the demo is stopping (a failure after that is part of the stop, not news). */
export function isStopping() {
  return stopping;
}

/** A folder removed once every child has stopped (the ephemeral demo's data). */
export function removeOnExit(dir) {
  dataDirToRemove = dir;
}

/** Children get a clean environment: nothing of the caller's LATCHKEY_*, PORT, CLIENT_* leaks in. */
function baseEnv() {
  const keep = ['PATH', 'HOME', 'TMPDIR', 'TMP', 'TEMP', 'LANG', 'LC_ALL', 'TZ', 'SYSTEMROOT'];
  return Object.fromEntries(keep.filter((k) => process.env[k] !== undefined).map((k) => [k, process.env[k]]));
}

/** Starts `node <args>` as a named child logging to `<logDir>/<name>.log`. */
export function start(name, args, env, logDir) {
  // detached: each child leads its own process group, so only this script signals it (once, by PID).
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...baseEnv(), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const log = createWriteStream(join(logDir, `${name}.log`));
  const entry = { name, child, tail: [], exited: false, log };
  const keep = (chunk) => {
    log.write(chunk);
    entry.tail.push(...String(chunk).split('\n').filter(Boolean));
    if (entry.tail.length > 30) entry.tail.splice(0, entry.tail.length - 30);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  entry.exit = new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      entry.exited = true;
      log.end();
      resolve(code ?? signal);
      if (!stopping) {
        process.stderr.write(`\ndemo: ${name} exited unexpectedly (${code ?? signal})\n`);
        for (const line of entry.tail) process.stderr.write(`  ${name} | ${line}\n`);
        void shutdown(1);
      }
    });
  });
  children.push(entry);
  return entry;
}

/** Polls `url` until `accept(status)`, the child exits, or the time is up. */
export async function waitReady(entry, url, { method = 'GET', accept = (s) => s === 200 } = {}) {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (entry.exited) throw new Error(`${entry.name} exited before it was ready`);
    try {
      const response = await fetch(url, { method, signal: AbortSignal.timeout(2000) });
      await response.body?.cancel();
      if (accept(response.status)) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${entry.name} was not ready at ${url} within ${READY_TIMEOUT_MS / 1000} s`);
}

/** Runs one `latchkey` CLI command (tracked like the other children until it ends). */
export function latchkey(args, env) {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [LATCHKEY, ...args],
      { cwd: ROOT, env: { ...baseEnv(), ...env }, timeout: 30_000 },
      (error, stdout, stderr) => {
        const index = children.indexOf(entry);
        if (index !== -1) children.splice(index, 1);
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
      },
    );
    const entry = { name: `latchkey ${args[0]}`, child, tail: [], exited: false, cli: true };
    entry.exit = new Promise((r) => child.once('exit', (code) => r(code)));
    child.once('exit', () => {
      entry.exited = true;
    });
    children.push(entry);
  });
}

async function stopChild(entry) {
  if (entry.exited) return;
  try {
    process.kill(entry.child.pid, 'SIGTERM');
  } catch {
    // already gone
  }
  const timer = new Promise((r) => setTimeout(() => r('timeout'), STOP_TIMEOUT_MS));
  if ((await Promise.race([entry.exit, timer])) === 'timeout' && !entry.exited) {
    process.stderr.write(`demo: ${entry.name} (pid ${entry.child.pid}) did not stop; killing it\n`);
    try {
      process.kill(entry.child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
    await entry.exit;
  }
}

/** Stops every running child (SIGTERM, then SIGKILL after a grace), removes the ephemeral folder, exits. */
export async function shutdown(code) {
  if (stopping) return;
  stopping = true;
  const running = children.filter((c) => !c.exited);
  if (running.length > 0) process.stderr.write(`\ndemo: stopping ${running.map((c) => c.name).join(', ')}\n`);
  await Promise.all(running.map(stopChild));
  if (dataDirToRemove) rmSync(dataDirToRemove, { recursive: true, force: true });
  if (children.length > 0) process.stderr.write(`demo: all ${children.length} processes stopped\n`);
  process.exit(code);
}

// A second Ctrl-C does not wait: every child still running is killed at once.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    if (!stopping) return void shutdown(0);
    for (const c of children) if (!c.exited) c.child.kill('SIGKILL');
  });
}
// Last resort when this process ends some other way: no child outlives it.
process.on('exit', () => {
  for (const c of children) if (!c.exited) c.child.kill('SIGKILL');
});
