// `npm run bench`: starts each target server in its own child process on 127.0.0.1, drives them with
// autocannon from this process (interleaved rounds), and prints req/s, p50/p99, RSS and ratios.
// Env: BENCH_DURATION (s, default 10), BENCH_CONNECTIONS (50), BENCH_ROUNDS (2), BENCH_WARMUP (s, 3),
//      BENCH_TARGETS (comma-separated names, default all), BENCH_BASELINE (path to another built
//      checkout: its Latchkey targets run beside this one's and a comparison table follows the summary).

import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, platform, release, totalmem } from 'node:os';
import autocannon from 'autocannon';
import { runExtras } from './extras.js';
import { baselineBuild, describeBuild, formatBuild, thisBuild } from './lib/builds.js';
import { installExitHandlers, rssMb, sleep } from './lib/child.js';
import { compareBuilds, printComparison } from './lib/compare.js';
import { fmt, lpad, mean, pad, ratiosByRound } from './lib/stats.js';
import { verifyTokenResponse } from './lib/verify.js';
import { targetsFor } from './targets/index.js';

const config = {
  durationS: Number(process.env.BENCH_DURATION ?? 10),
  connections: Number(process.env.BENCH_CONNECTIONS ?? 50),
  rounds: Number(process.env.BENCH_ROUNDS ?? 2),
  warmupS: Number(process.env.BENCH_WARMUP ?? 3),
};
let baseline;
try {
  baseline = baselineBuild();
} catch (error) {
  console.error(error.message);
  process.exit(1);
}
const allTargets = targetsFor(baseline);
const only = process.env.BENCH_TARGETS?.split(',').map((s) => s.trim());
// A selected Latchkey target brings its baseline twin along.
const targets = only
  ? allTargets.filter((t) => only.includes(t.name) || only.includes(t.baselineOf))
  : allTargets;
const NAME_WIDTH = 38;

/** A run where more than this share of answers are errors is INVALID (never reported as a speed). */
const INVALID_SHARE = 0.5;
/** Above this share of errors a run is reported but flagged WARN. */
const WARN_SHARE = 0.01;

installExitHandlers();

function drive(started, durationS) {
  const { baseUrl, request } = started;
  return autocannon({
    url: new URL(request.path, baseUrl).href,
    method: request.method,
    headers: request.headers,
    body: request.body,
    // A target whose every request differs (a rotated refresh token per connection) supplies `requests`.
    ...(started.requests ? { requests: started.requests } : {}),
    connections: config.connections,
    duration: durationS,
    timeout: 10,
  });
}

function summarizeRun(target, round, result, pid) {
  const ok = result['2xx'];
  const bad = result.non2xx + result.errors;
  const answered = ok + bad;
  const badShare = answered === 0 ? 1 : bad / answered;
  const status = badShare > INVALID_SHARE ? 'INVALID' : badShare > WARN_SHARE ? 'WARN' : 'ok';
  const statusCodes = Object.fromEntries(
    Object.entries(result.statusCodeStats).map(([c, v]) => [c, v.count]),
  );
  return {
    round,
    target: target.name,
    status,
    reqPerSec: status === 'INVALID' ? null : result.requests.average,
    okPerSec: ok / result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    rssMb: rssMb(pid),
    counts: { ok, non2xx: result.non2xx, errors: result.errors, timeouts: result.timeouts, statusCodes },
    durationS: result.duration,
  };
}

const verdict = (ratio, pass) => (ratio === null ? 'n/a (no valid pair of runs)' : pass ? 'met' : 'NOT met');

/** Even rounds run each baseline twin before its subject, so neither build always goes first. */
function roundOrder(started, round) {
  const order = [...started];
  if (round % 2 === 1) return order;
  for (let i = 1; i < order.length; i++) {
    if (order[i].target.baselineOf && order[i].target.baselineOf === order[i - 1].target.name) {
      [order[i - 1], order[i]] = [order[i], order[i - 1]];
    }
  }
  return order;
}

async function main() {
  const startedAt = new Date();
  const machine = {
    node: process.version,
    platform: `${platform()} ${release()}`,
    cpus: availableParallelism(),
    cpuModel: cpus()[0]?.model,
    memGb: Math.round(totalmem() / 2 ** 30),
  };
  console.log(
    `Latchkey benchmark: ${config.connections} connections, ${config.durationS} s per run, ${config.rounds} rounds ` +
      `interleaved, ${config.warmupS} s warm-up; node ${machine.node}, ${machine.cpus} CPUs (${machine.cpuModel})`,
  );
  console.log('All servers run in their own processes on 127.0.0.1; autocannon runs in this process.');
  const builds = baseline ? { this: describeBuild(thisBuild), baseline: describeBuild(baseline) } : undefined;
  if (builds) {
    console.log(`this build: ${formatBuild(builds.this)}`);
    console.log(`baseline:   ${formatBuild(builds.baseline)} (Latchkey targets named <target>@baseline)`);
  }
  console.log('');

  const info = [];
  const started = [];
  for (const target of targets) {
    const entry = { name: target.name, role: target.role, description: target.description, status: 'ok' };
    if (builds && target.build) entry.build = target.build.name;
    info.push(entry);
    let s;
    try {
      s = await target.start();
    } catch (error) {
      entry.status = 'skipped';
      entry.reason = `start failed: ${error.message}`;
      console.log(`SKIPPED ${target.name}: ${entry.reason}\n`);
      continue;
    }
    try {
      entry.verify = s.verify
        ? await s.verify()
        : await verifyTokenResponse(s.baseUrl, s.request, { expectJwt: target.expectJwt });
    } catch (error) {
      await s.stop();
      entry.status = 'skipped';
      entry.reason = `verification failed: ${error.message}`;
      console.log(`SKIPPED ${target.name}: ${entry.reason}\n`);
      continue;
    }
    entry.pid = s.proc.pid;
    const v = entry.verify;
    const verified = v.jwt
      ? `200 + JWT ${v.alg}${v.typ ? ` typ ${v.typ}` : ''} scope "${v.scope}", ${v.fresh ? 'fresh token per request' : 'SAME token twice (cached?)'}`
      : '200 + JSON';
    console.log(
      `ready   ${pad(target.name, NAME_WIDTH)} pid ${lpad(entry.pid, 7)}  ${s.baseUrl}  verified: ${verified}`,
    );
    started.push({ target, s });
  }
  if (started.length === 0) throw new Error('no target could be started');

  if (config.warmupS > 0) {
    for (const { s } of started) await drive(s, config.warmupS);
  }

  const runs = [];
  const header = `${pad('round', 6)}${pad('target', NAME_WIDTH)}${lpad('req/s', 10)}${lpad('p50 ms', 8)}${lpad('p99 ms', 8)}${lpad('RSS MB', 8)}${lpad('2xx', 10)}${lpad('non-2xx', 9)}${lpad('errors', 8)}${lpad('timeouts', 9)}  status`;
  console.log(`\n${header}\n${'-'.repeat(header.length)}`);
  for (let round = 1; round <= config.rounds; round++) {
    for (const { target, s } of roundOrder(started, round)) {
      await sleep(300);
      const result = await drive(s, config.durationS);
      const run = summarizeRun(target, round, result, s.proc.pid);
      runs.push(run);
      const valid = run.status !== 'INVALID';
      const speed = valid ? fmt(run.reqPerSec) : 'INVALID';
      const latency = `${lpad(valid ? fmt(run.p50Ms) : '-', 8)}${lpad(valid ? fmt(run.p99Ms) : '-', 8)}`;
      const codes =
        run.counts.non2xx > 0
          ? ` codes ${Object.entries(run.counts.statusCodes)
              .map(([c, n]) => `${c}:${n}`)
              .join(' ')}`
          : '';
      console.log(
        `${pad(round, 6)}${pad(target.name, NAME_WIDTH)}${lpad(speed, 10)}${latency}` +
          `${lpad(fmt(run.rssMb, 1), 8)}${lpad(fmt(run.counts.ok), 10)}${lpad(fmt(run.counts.non2xx), 9)}` +
          `${lpad(fmt(run.counts.errors), 8)}${lpad(fmt(run.counts.timeouts), 9)}  ${run.status}${codes}`,
      );
    }
  }

  for (const { s } of started) await s.stop();

  // Summary and ratios: each ratio is computed within a round (same machine state), then averaged.
  const ceiling = started.find(({ target }) => target.role === 'ceiling')?.target.name;
  const references = started
    .filter(({ target }) => target.role === 'reference')
    .map(({ target }) => target.name);
  const summary = started.map(({ target }) => {
    const mine = runs.filter((r) => r.target === target.name);
    const valid = mine.filter((r) => r.reqPerSec !== null);
    const vsCeiling = ceiling ? ratiosByRound(runs, config.rounds, target.name, ceiling) : [];
    return {
      target: target.name,
      role: target.role,
      validRuns: valid.length,
      invalidRuns: mine.length - valid.length,
      reqPerSec: mean(valid.map((r) => r.reqPerSec)),
      p50Ms: mean(valid.map((r) => r.p50Ms)),
      p99Ms: valid.length ? Math.max(...valid.map((r) => r.p99Ms)) : null,
      rssMb: Math.max(...mine.map((r) => r.rssMb)),
      vsCeiling: mean(vsCeiling),
      vsCeilingByRound: vsCeiling,
      goals: target.goals,
    };
  });

  const sumHeader = `${pad('summary', NAME_WIDTH + 6)}${lpad('req/s', 10)}${lpad('p50 ms', 8)}${lpad('p99 ms', 8)}${lpad('RSS MB', 8)}${lpad('× bare', 9)}  runs`;
  console.log(`\n${sumHeader}\n${'-'.repeat(sumHeader.length)}`);
  for (const row of summary) {
    const speed = row.validRuns === 0 ? 'INVALID' : fmt(row.reqPerSec);
    console.log(
      `${pad(row.target, NAME_WIDTH + 6)}${lpad(speed, 10)}${lpad(fmt(row.p50Ms, 1), 8)}${lpad(fmt(row.p99Ms), 8)}` +
        `${lpad(fmt(row.rssMb, 1), 8)}${lpad(fmt(row.vsCeiling, 3), 9)}  ${row.validRuns} valid` +
        (row.invalidRuns ? `, ${row.invalidRuns} INVALID` : ''),
    );
  }
  console.log(
    '(req/s and p50: mean of valid runs; p99: worst valid run; RSS: largest, end of run; × bare: per round, averaged)',
  );

  const comparisons = [];
  for (const row of summary.filter((r) => r.role === 'subject')) {
    for (const ref of references) {
      const byRound = ratiosByRound(runs, config.rounds, row.target, ref);
      comparisons.push({ subject: row.target, reference: ref, ratio: mean(byRound), byRound });
      console.log(
        `\n${row.target} vs ${ref}: ${byRound.length ? `${fmt(mean(byRound), 2)} ×` : 'n/a (no valid pair of runs)'}` +
          (byRound.length ? ` (by round: ${byRound.map((x) => fmt(x, 2)).join(', ')})` : ''),
      );
    }
    if (row.goals) {
      const checks = [];
      if (row.goals.vsCeiling !== undefined) {
        const pass = row.vsCeiling !== null && row.vsCeiling >= row.goals.vsCeiling;
        checks.push(
          `≥ ${row.goals.vsCeiling} × bare: ${verdict(row.vsCeiling, pass)} (${fmt(row.vsCeiling, 3)})`,
        );
      }
      if (row.goals.vsReference !== undefined) {
        for (const c of comparisons.filter((c) => c.subject === row.target)) {
          const pass = c.ratio !== null && c.ratio >= row.goals.vsReference;
          checks.push(
            `≥ ${row.goals.vsReference} × ${c.reference}: ${verdict(c.ratio, pass)} (${fmt(c.ratio, 2)})`,
          );
        }
      }
      console.log(`goals for ${row.target}: ${checks.join('; ')}`);
    }
  }
  for (const t of info.filter((t) => t.status === 'skipped')) console.log(`\nSKIPPED ${t.name}: ${t.reason}`);

  let buildComparison;
  if (builds) {
    const pairs = targets
      .filter((t) => t.baselineOf)
      .map((t) => ({ subject: t.baselineOf, baseline: t.name }));
    buildComparison = compareBuilds({ pairs, builds, info, summary, runs, rounds: config.rounds });
    printComparison(buildComparison);
  }

  let extras = { lines: [], results: {} };
  if (process.env.BENCH_EXTRAS !== '0') {
    console.log('\nextras (proxy, resource middleware, client bundle):');
    extras = await runExtras({ durationSeconds: config.durationS, connections: config.connections });
    for (const line of extras.lines) console.log(`  ${line}`);
  }

  const results = {
    startedAt,
    finishedAt: new Date(),
    extras: extras.results,
    config,
    machine,
    targets: info,
    runs,
    summary,
    comparisons,
    ...(buildComparison ? { buildComparison } : {}),
  };
  const dir = new URL('./results/', import.meta.url);
  mkdirSync(dir, { recursive: true });
  writeFileSync(new URL('latest.json', dir), `${JSON.stringify(results, null, 2)}\n`);
  console.log('\nwrote bench/results/latest.json');
}

await main();
