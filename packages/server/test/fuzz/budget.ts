/**
 * How long the fuzz properties run. In `npm test` each property tries a fixed number of cases from a
 * fixed seed (the same cases every run, a few seconds for the whole suite); under `npm run fuzz`
 * (FUZZ_SECONDS set) each runs for that many seconds from a fresh seed. Either way a failure reports
 * fast-check's seed and path, and FUZZ_SEED with FUZZ_PATH replays it:
 *
 *     FUZZ_SEED=-1187363011 FUZZ_PATH="42:3:0" npx vitest run packages/server/test/fuzz/token.test.ts
 */
import fc from 'fast-check';
import { it } from 'vitest';

/** An integer (a seed) or a positive number (seconds) from the environment; `undefined` when unset. */
function numberFromEnv(name: string, integer: boolean): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value) || (integer ? !Number.isInteger(value) : value <= 0)) {
    throw new Error(`${name} must be ${integer ? 'an integer' : 'a positive number of seconds'}: "${raw}"`);
  }
  return value;
}

/** Seconds each property runs under `npm run fuzz`; unset in `npm test`. */
const LONG_SECONDS = numberFromEnv('FUZZ_SECONDS', false);
const SEED = numberFromEnv('FUZZ_SEED', true);
const PATH = process.env['FUZZ_PATH'] || undefined;

/** The seed of `npm test`: fixed, so every run tries the same cases and a failure there is repeatable. */
const TEST_SEED = 20_260_110;

/**
 * The most one property may take in `npm test`, whatever the machine: past it the run stops early and
 * passes with the cases it tried (fast-check's `interruptAfterTimeLimit`), so the suite stays bounded.
 */
const TEST_TIME_LIMIT_MS = 4_000;

/** Whether this is the long run (`npm run fuzz`). */
const LONG_RUN = LONG_SECONDS !== undefined;

/** The vitest timeout of one property: its budget, plus room to shrink a counterexample. */
const FUZZ_TEST_TIMEOUT = LONG_RUN ? (LONG_SECONDS as number) * 1000 + 60_000 : 30_000;

/** A property of any arity, synchronous or not. */
// biome-ignore lint/suspicious/noExplicitAny: the arity of a property does not matter here
type AnyProperty = fc.IProperty<any> | fc.IAsyncProperty<any>;

/**
 * A vitest test that runs a property (see {@link fuzz}); `build` makes it when the test starts, after
 * `beforeAll`, so its arbitraries can draw on what the suite set up.
 */
export function fuzzTest(
  title: string,
  name: string,
  runs: number,
  build: () => AnyProperty | Promise<AnyProperty>,
): void {
  it(title, async () => fuzz(name, await build(), runs), FUZZ_TEST_TIMEOUT);
}

/**
 * Runs a property: `runs` cases in `npm test`, FUZZ_SECONDS of cases under `npm run fuzz`. A failure
 * throws fast-check's report: the counterexample (shrunk), the seed and the path to replay it.
 */
async function fuzz<Ts extends [unknown, ...unknown[]]>(
  name: string,
  property: fc.IAsyncProperty<Ts> | fc.IProperty<Ts>,
  runs: number,
): Promise<void> {
  const limitMs = LONG_RUN ? (LONG_SECONDS as number) * 1000 : TEST_TIME_LIMIT_MS;
  const details = await fc.check(property as fc.IAsyncProperty<Ts>, {
    numRuns: LONG_RUN ? Number.MAX_SAFE_INTEGER : runs,
    // The long run leaves the seed to fast-check (the clock): new cases every time, reported below.
    seed: SEED ?? (LONG_RUN ? undefined : TEST_SEED),
    path: PATH,
    plugins: [fc.interruptAfterTimeLimit(limitMs)],
  });
  if (LONG_RUN) console.log(`fuzz ${name}: ${details.numRuns} cases, seed ${details.seed}`);
  if (details.failed) {
    // An oversized counterexample would bury the seed: the report is cut (the seed and path replay it).
    const full = (await fc.asyncDefaultReportMessage(details)) ?? '';
    const report = full.length > 4000 ? `${full.slice(0, 4000)}... (${full.length} characters)` : full;
    const cause = details.errorInstance;
    throw new Error(
      `fuzz ${name} failed; replay with FUZZ_SEED=${details.seed} FUZZ_PATH="${details.counterexamplePath}"\n` +
        `${report}\n${cause instanceof Error ? cause.message : String(cause)}`,
      { cause },
    );
  }
  if (details.numRuns === 0) throw new Error(`fuzz ${name} ran no case`);
}
