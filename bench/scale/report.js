// What `npm run bench:scale` prints: one line per run, then the ratios (large / empty database, and
// with a baseline build this build / the baseline) and the goal of issue 10.
import { readFileSync } from 'node:fs';
import { fmt, lpad, mean, pad } from '../lib/stats.js';

/** The goal of issue 10: refresh p99 on the large database within this factor of the empty one's. */
export const P99_GOAL = 1.5;
/** A run with more than this share of errors or non-2xx answers is flagged. */
const WARN_SHARE = 0.01;
/** Linux's USER_HZ: /proc reports CPU time in ticks of 10 ms. */
const TICK_MS = 10;

/** CPU time (ms) used so far by process `pid`, all threads, and by its main thread (the event loop). */
export function cpuMs(pid) {
  const ticks = (path) => {
    try {
      const fields = readFileSync(path, 'utf8').split(') ')[1].split(' ');
      return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
    } catch {
      return Number.NaN;
    }
  };
  return { process: ticks(`/proc/${pid}/stat`), eventLoop: ticks(`/proc/${pid}/task/${pid}/stat`) };
}

const NAME = 30;
export const RUN_HEADER =
  `${pad('round', 6)}${pad('run', NAME)}${lpad('req/s', 8)}${lpad('p50 ms', 8)}${lpad('p99 ms', 8)}` +
  `${lpad('max ms', 8)}${lpad('CPU µs/req', 12)}${lpad('loop µs', 9)}${lpad('RSS MB', 8)}${lpad('2xx', 9)}` +
  `${lpad('non-2xx', 9)}${lpad('errors', 8)}  status`;

/** One run's line. CPU µs/req: the server's CPU time per answered request (all threads; event loop). */
export function printRun(round, label, f) {
  const status = f.badShare > WARN_SHARE ? `WARN codes ${JSON.stringify(f.statusCodes)}` : 'ok';
  console.log(
    `${pad(round, 6)}${pad(label, NAME)}${lpad(fmt(f.reqPerSec), 8)}${lpad(fmt(f.p50Ms), 8)}${lpad(fmt(f.p99Ms), 8)}` +
      `${lpad(fmt(f.maxMs), 8)}${lpad(fmt(f.cpuUsPerReq), 12)}${lpad(fmt(f.loopUsPerReq), 9)}` +
      `${lpad(fmt(f.rssMb, 1), 8)}${lpad(fmt(f.ok), 9)}${lpad(fmt(f.non2xx), 9)}${lpad(fmt(f.errors), 8)}  ${status}`,
  );
}

/** `key` of run `a` divided by `key` of run `b`, per round, for the runs matching each filter. */
function byRound(runs, rounds, kind, a, b, key) {
  return [...Array(rounds).keys()].map((i) => {
    const of = (subject) =>
      runs.find((r) => r.round === i + 1 && r.kind === kind && r.subject === subject)?.[key];
    return of(a) / of(b);
  });
}

const KEYS = [
  ['reqPerSec', 'req/s'],
  ['p99Ms', 'p99'],
  ['cpuUsPerReq', 'CPU/req'],
];

/** Prints `a / b` for each kind of run and figure (mean of the per-round ratios) and returns them. */
export function printRatios(title, runs, rounds, a, b) {
  console.log(`\n${pad(title, 34)}${KEYS.map(([, label]) => lpad(label, 10)).join('')}   (by round)`);
  const out = {};
  for (const kind of ['refresh', 'client-credentials']) {
    const ratios = Object.fromEntries(KEYS.map(([key]) => [key, byRound(runs, rounds, kind, a, b, key)]));
    out[kind] = Object.fromEntries(KEYS.map(([key]) => [key, mean(ratios[key])]));
    out[kind].byRound = ratios;
    console.log(
      `${pad(kind, 34)}${KEYS.map(([key]) => lpad(`${fmt(mean(ratios[key]), 2)} ×`, 10)).join('')}   (` +
        `${KEYS.map(([key]) => ratios[key].map((x) => fmt(x, 2)).join(', ')).join('; ')})`,
    );
  }
  return out;
}
