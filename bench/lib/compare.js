// BENCH_BASELINE: compares each Latchkey target of this build with its twin from the baseline
// checkout, measured in the same interleaved rounds, and flags every figure more than 10 % worse.
import { formatBuild } from './builds.js';
import { fmt, lpad, mean, pad, ratiosByRound } from './stats.js';

/** A figure more than this share worse than the baseline's is flagged. */
export const WORSE_SHARE = 0.1;
/** autocannon reports latency in whole milliseconds: a latency is worse only if also higher by more than this. */
export const LATENCY_RESOLUTION_MS = 1;

const FIGURES = [
  { key: 'reqPerSec', label: 'req/s', digits: 0, judge: 'higher-is-better' },
  { key: 'p50Ms', label: 'p50 ms', digits: 1, judge: 'latency' },
  { key: 'p99Ms', label: 'p99 ms', digits: 0, judge: 'latency' },
  { key: 'rssMb', label: 'RSS MB', digits: 1, judge: 'none' },
];

/** true, false, or null when there is nothing to judge (a figure missing, or RSS, which is only shown). */
function isWorse(judge, mine, theirs, ratio) {
  if (judge === 'higher-is-better') return ratio === null ? null : ratio < 1 - WORSE_SHARE;
  if (judge === 'latency' && mine !== null && theirs !== null) {
    return mine > theirs * (1 + WORSE_SHARE) && mine - theirs > LATENCY_RESOLUTION_MS;
  }
  return null;
}

/**
 * One row per pair of targets. req/s is compared per round (this build's run divided by the
 * baseline's run of the same round, then averaged), like every other ratio of the benchmark; the
 * latencies and RSS compare the summary's figures (p50: mean of valid runs, p99: worst valid run).
 */
function compareTarget({ subject, baseline }, { info, summary, runs, rounds }) {
  const row = { target: subject, baselineTarget: baseline, status: 'ok', figures: {} };
  const missing = [subject, baseline].flatMap((name) => {
    const entry = info.find((t) => t.name === name);
    if (entry?.status === 'skipped') return [`${name} SKIPPED`];
    const sum = summary.find((s) => s.target === name);
    return sum && sum.validRuns > 0 ? [] : [`${name} has no valid run`];
  });
  if (missing.length > 0) return { ...row, status: 'incomplete', reason: missing.join(', ') };

  const mine = summary.find((s) => s.target === subject);
  const theirs = summary.find((s) => s.target === baseline);
  for (const { key, judge } of FIGURES) {
    const byRound = key === 'reqPerSec' ? ratiosByRound(runs, rounds, subject, baseline) : undefined;
    const ratio = byRound ? mean(byRound) : theirs[key] > 0 ? mine[key] / theirs[key] : null;
    const worse = isWorse(judge, mine[key], theirs[key], ratio);
    row.figures[key] = {
      this: mine[key],
      baseline: theirs[key],
      ratio,
      ...(byRound ? { byRound } : {}),
      judged: judge !== 'none',
      worse,
    };
    if (worse) row.status = 'WORSE';
  }
  if (row.figures.reqPerSec.ratio === null) {
    row.reason = 'req/s not compared: no round with a valid run of both builds';
    if (row.status === 'ok') row.status = 'incomplete';
  }
  return row;
}

/** Compares every pair and returns the JSON for latest.json: builds, thresholds, rows and a verdict. */
export function compareBuilds({ pairs, builds, info, summary, runs, rounds }) {
  const rows = pairs.map((pair) => compareTarget(pair, { info, summary, runs, rounds }));
  const worse = rows.flatMap((row) =>
    FIGURES.filter(({ key }) => row.figures[key]?.worse).map(({ key, label }) => {
      const f = row.figures[key];
      return `${row.target} ${label} ${fmt(f.this, 1)} vs ${fmt(f.baseline, 1)} (${fmt(f.ratio, 3)} ×)`;
    }),
  );
  const incomplete = rows.filter((r) => r.reason).map((r) => `${r.target}: ${r.reason}`);
  const verdict =
    worse.length > 0 ? 'WORSE' : incomplete.length > 0 || rows.length === 0 ? 'incomplete' : 'ok';
  return {
    this: builds.this,
    baseline: builds.baseline,
    worseShare: WORSE_SHARE,
    latencyResolutionMs: LATENCY_RESOLUTION_MS,
    rows,
    worse,
    incomplete,
    verdict,
  };
}

/** Prints the comparison table and the verdict. */
export function printComparison(comparison) {
  console.log(
    `\nthis build vs baseline, same interleaved rounds (flag: more than ${comparison.worseShare * 100} % worse)` +
      `\n  this:     ${formatBuild(comparison.this)}\n  baseline: ${formatBuild(comparison.baseline)}`,
  );
  const header = `${pad('target', 32)}${pad('figure', 8)}${lpad('this', 10)}${lpad('baseline', 10)}${lpad('this/base', 11)}  flag`;
  console.log(`${header}\n${'-'.repeat(header.length + 10)}`);
  for (const row of comparison.rows) {
    if (Object.keys(row.figures).length === 0) {
      console.log(`${pad(row.target, 32)}n/a: ${row.reason}`);
      continue;
    }
    FIGURES.forEach(({ key, label, digits }, i) => {
      const f = row.figures[key];
      const flag = !f.judged ? '(not judged)' : f.worse === null ? 'n/a' : f.worse ? 'WORSE' : 'ok';
      const rounds = f.byRound ? `  (by round: ${f.byRound.map((x) => fmt(x, 3)).join(', ') || 'none'})` : '';
      console.log(
        `${pad(i === 0 ? row.target : '', 32)}${pad(label, 8)}${lpad(fmt(f.this, digits), 10)}` +
          `${lpad(fmt(f.baseline, digits), 10)}${lpad(f.ratio === null ? '-' : `${fmt(f.ratio, 3)} ×`, 11)}  ${flag}${rounds}`,
      );
    });
  }
  console.log(
    '(req/s: this/baseline per round, averaged; p50: mean, p99: worst valid run; a latency is WORSE only if ' +
      `also higher by more than ${comparison.latencyResolutionMs} ms, autocannon's resolution)`,
  );
  if (comparison.verdict === 'WORSE') {
    console.log(
      `A/B: ${comparison.worse.length} figure(s) more than ${comparison.worseShare * 100} % worse:`,
    );
    for (const w of comparison.worse) console.log(`  WORSE ${w}`);
  } else if (comparison.verdict === 'ok') {
    console.log(`A/B: no figure more than ${comparison.worseShare * 100} % worse than the baseline`);
  }
  for (const line of comparison.incomplete) console.log(`A/B incomplete, not compared: ${line}`);
}
