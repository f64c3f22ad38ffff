// `npm run bench:scale`: how the token endpoint holds up on a large SQLite database. Populates one
// database with SCALE_GRANTS live grants and SCALE_EXPIRED expired refresh-token rows and another with
// SCALE_EMPTY_GRANTS grants only, starts a server on each, and prints refresh and client-credentials
// throughput, p99 and server CPU per request on both (interleaved rounds, with the large/empty ratios),
// start-up time, and the purge's time and the refresh figures while it runs. With SCALE_BASELINE, the
// same again for another built checkout, in the same rounds. Everything lives in os.tmpdir() and is
// removed at the end.
// Env: SCALE_GRANTS (1000000), SCALE_EXPIRED (1000000), SCALE_EMPTY_GRANTS (1000), SCALE_APPS (1000),
//      SCALE_PURGE_MAX (s, 600), SCALE_BUILD (measure another built checkout instead of this one),
//      SCALE_BASELINE (another built checkout measured beside this one), BENCH_DURATION (s, 10),
//      BENCH_CONNECTIONS (50), BENCH_ROUNDS (2), BENCH_WARMUP (s, 3), BENCH_CPU_PROF (dir: V8 CPU
//      profiles of the servers).
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { baselineBuild, describeBuild, formatBuild, thisBuild } from './lib/builds.js';
import { installExitHandlers, onCleanup, rssMb, sleep } from './lib/child.js';
import { fmt, mean, pad } from './lib/stats.js';
import { clientCredentialsRequests, drive, figures, refreshRequests } from './scale/load.js';
import { populate, serverModules } from './scale/populate.js';
import { cpuMs, P99_GOAL, printRatios, printRun, RUN_HEADER } from './scale/report.js';
import { runPurge, startServer } from './scale/server.js';

const number = (name, fallback) => Number(process.env[name] ?? fallback);
const config = {
  grants: number('SCALE_GRANTS', 1_000_000),
  expired: number('SCALE_EXPIRED', 1_000_000),
  emptyGrants: number('SCALE_EMPTY_GRANTS', 1000),
  apps: number('SCALE_APPS', 1000),
  purgeMaxS: number('SCALE_PURGE_MAX', 600),
  durationS: number('BENCH_DURATION', 10),
  connections: number('BENCH_CONNECTIONS', 50),
  rounds: number('BENCH_ROUNDS', 2),
  warmupS: number('BENCH_WARMUP', 3),
};

let builds;
try {
  const subject = process.env.SCALE_BUILD
    ? { ...baselineBuild(process.env.SCALE_BUILD), name: 'this', suffix: '' }
    : thisBuild;
  const baseline = baselineBuild(process.env.SCALE_BASELINE);
  builds = baseline ? [subject, baseline] : [subject];
} catch (error) {
  console.error(error.message);
  process.exit(1);
}

installExitHandlers();

const seconds = (ms) => `${fmt(ms / 1000, 1)} s`;

/** Populates one database (its own data dir under `root`) with the build's code and starts its server. */
async function prepare(root, build, db, sizes) {
  const name = `${db}${build.suffix}`;
  const dataDir = join(root, name);
  mkdirSync(dataDir, { mode: 0o700 });
  const file = join(dataDir, 'latchkey.db');
  const t0 = performance.now();
  let dots = 0;
  const population = await populate(await serverModules(build.root), file, {
    ...sizes,
    apps: config.apps,
    onProgress: () => {
      if (++dots % 10 === 0) process.stdout.write('.');
    },
  });
  const populateMs = performance.now() - t0;
  const sizeMb = statSync(file).size / 2 ** 20;
  const server = await startServer(build, `latchkey-${name}`, dataDir, file);
  console.log(
    `${dots >= 10 ? '\n' : ''}${pad(name, 15)} ${fmt(sizes.live)} live grants, ${fmt(sizes.expired)} expired ` +
      `refresh tokens, ${fmt(population.users)} users, ${config.apps} apps: ${fmt(population.rows)} ` +
      `refresh-token rows, ${fmt(sizeMb)} MB, populated in ${seconds(populateMs)}; server pid ` +
      `${server.proc.pid} ready in ${fmt(server.startupMs)} ms`,
  );
  return {
    name,
    db,
    build,
    dataDir,
    file,
    server,
    refresh: refreshRequests(population, sizes.live),
    cc: clientCredentialsRequests(population),
    info: { ...sizes, users: population.users, rows: population.rows, sizeMb, populateMs },
  };
}

/** Drives `requests` at a subject's server, then adds its CPU time per answered request. */
async function measured(subject, requests, durationS, until) {
  const pid = subject.server.proc.pid;
  const before = cpuMs(pid);
  const run = drive(subject.server.baseUrl, requests, { durationS, connections: config.connections });
  if (until) until.then(() => run.stop());
  const f = figures(await run);
  const after = cpuMs(pid);
  const answered = f.ok + f.non2xx;
  await subject.refresh.settle(subject.server.baseUrl);
  return {
    ...f,
    cpuUsPerReq: ((after.process - before.process) * 1000) / answered,
    loopUsPerReq: ((after.eventLoop - before.eventLoop) * 1000) / answered,
    rssMb: rssMb(pid),
  };
}

const timed = (subject, kind, durationS) =>
  measured(subject, kind === 'refresh' ? subject.refresh.requests : subject.cc.requests, durationS);

/** The purge of the large database, with refresh load for as long as it runs. */
async function purgeUnderLoad(subject) {
  const purge = runPurge(subject.build, subject.dataDir, subject.file);
  const timer = setTimeout(() => purge.stop(), config.purgeMaxS * 1000);
  const during = await measured(subject, subject.refresh.requests, config.purgeMaxS + 5, purge.done);
  clearTimeout(timer);
  return { ...(await purge.done), during };
}

async function main() {
  console.log(
    `Latchkey at scale (SQLite): ${config.connections} connections, ${config.durationS} s per run, ` +
      `${config.rounds} rounds interleaved, ${config.warmupS} s warm-up; node ${process.version}, ` +
      `${availableParallelism()} CPUs (${cpus()[0]?.model})`,
  );
  for (const build of builds) console.log(`${pad(`${build.name}:`, 10)}${formatBuild(describeBuild(build))}`);
  console.log('');
  const root = mkdtempSync(join(tmpdir(), 'latchkey-scale-'));
  const unregister = onCleanup(() => rmSync(root, { recursive: true, force: true }));
  const subjects = [];
  for (const build of builds) {
    subjects.push(await prepare(root, build, 'empty', { live: config.emptyGrants, expired: 0 }));
    subjects.push(await prepare(root, build, 'scale', { live: config.grants, expired: config.expired }));
  }

  if (config.warmupS > 0) {
    for (const s of subjects) {
      await timed(s, 'refresh', config.warmupS);
      await timed(s, 'client-credentials', config.warmupS);
    }
  }
  console.log(`\n${RUN_HEADER}\n${'-'.repeat(RUN_HEADER.length)}`);
  const runs = [];
  for (let round = 1; round <= config.rounds; round++) {
    // Even rounds run in reverse order, so no subject always runs right after the same other one.
    const order = round % 2 === 1 ? subjects : [...subjects].reverse();
    for (const kind of ['refresh', 'client-credentials']) {
      for (const s of order) {
        await sleep(300);
        const run = { round, subject: s.name, kind, ...(await timed(s, kind, config.durationS)) };
        runs.push(run);
        printRun(round, `${kind} ${s.name}`, run);
      }
    }
  }

  const purges = {};
  for (const s of subjects.filter((x) => x.db === 'scale')) {
    console.log(
      `\npurge (latchkey purge) of ${s.name}'s ${fmt(config.expired)} expired rows, under refresh load:`,
    );
    const purge = await purgeUnderLoad(s);
    purges[s.name] = purge;
    printRun('-', `refresh ${s.name} in purge`, purge.during);
    console.log(
      `purge ${purge.finished ? 'took' : `did NOT finish (${purge.error ?? `stopped after ${config.purgeMaxS} s`})`} ` +
        `${seconds(purge.ms)}: deleted ${fmt(purge.deleted)} rows ${JSON.stringify(purge.perTable)}`,
    );
  }
  for (const s of subjects) await s.server.proc.stop();

  const summary = {};
  for (const build of builds) {
    const [scale, empty] = [`scale${build.suffix}`, `empty${build.suffix}`];
    const ratios = printRatios(`${scale} / ${empty}`, runs, config.rounds, scale, empty);
    const p99 = ratios.refresh.p99Ms;
    const during = purges[scale].during;
    const without = mean(
      runs.filter((r) => r.kind === 'refresh' && r.subject === scale).map((r) => r.reqPerSec),
    );
    console.log(
      `goal: refresh p99 at ${fmt(config.grants)} grants within ${P99_GOAL} × the empty database's: ` +
        `${p99 <= P99_GOAL ? 'met' : 'NOT met'} (${fmt(p99, 2)} ×)\n` +
        `refresh during the purge: ${fmt(during.reqPerSec)} req/s (${fmt(during.reqPerSec / without, 2)} × ` +
        `without it), p99 ${fmt(during.p99Ms)} ms; purge ${seconds(purges[scale].ms)}; start-up ` +
        `${fmt(subjects.find((s) => s.name === scale).server.startupMs)} ms at scale, ` +
        `${fmt(subjects.find((s) => s.name === empty).server.startupMs)} ms empty`,
    );
    summary[build.name] = ratios;
  }
  if (builds.length > 1) {
    for (const db of ['scale', 'empty']) {
      summary[`${db} this/baseline`] = printRatios(
        `${db} / ${db}@baseline`,
        runs,
        config.rounds,
        db,
        `${db}@baseline`,
      );
    }
  }
  console.log(
    `refresh clients: ${JSON.stringify(Object.fromEntries(subjects.map((s) => [s.name, s.refresh.stats])))}`,
  );

  const results = {
    finishedAt: new Date(),
    config,
    builds: builds.map(describeBuild),
    databases: Object.fromEntries(
      subjects.map((s) => [s.name, { ...s.info, startupMs: s.server.startupMs, clients: s.refresh.stats }]),
    ),
    runs,
    purges,
    summary,
  };
  const dir = new URL('./results/', import.meta.url);
  mkdirSync(dir, { recursive: true });
  writeFileSync(new URL('scale.json', dir), `${JSON.stringify(results, null, 2)}\n`);
  console.log('wrote bench/results/scale.json');
  rmSync(root, { recursive: true, force: true });
  unregister();
}

await main();
