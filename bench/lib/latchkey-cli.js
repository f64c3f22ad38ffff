// Runs the latchkey CLI for bench set-up and returns its stdout.
import { execFile } from 'node:child_process';

/** Runs `node <bin> ...args` with `env` added (in `cwd`); rejects with stderr on a non-zero exit. */
export function run(bin, args, env, cwd) {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [bin, ...args],
      { env: { ...process.env, ...env }, cwd },
      (error, stdout, stderr) =>
        error ? reject(new Error(`latchkey ${args.join(' ')}: ${stderr || error.message}`)) : resolve(stdout),
    );
  });
}

/**
 * Node flags for a `latchkey start` under load: with BENCH_CPU_PROF=<dir>, a V8 CPU profile of the
 * server is written there when it stops (`node --cpu-prof`; NODE_OPTIONS refuses that flag).
 */
export function profileFlags() {
  const dir = process.env.BENCH_CPU_PROF;
  return dir ? ['--cpu-prof', `--cpu-prof-dir=${dir}`] : [];
}
