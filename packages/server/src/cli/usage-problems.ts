/**
 * A command refused for every problem found in its arguments at once, so the operator fixes them all
 * in one go: one problem is one line, as any usage error; several are a line saying how many, then one
 * indented line each.
 */
import { UsageError } from './args.js';

/** The usage error listing `problems` (at least one); `outcome` says what did not happen. */
export function usageProblems(problems: readonly string[], outcome: string): UsageError {
  if (problems.length === 1) return new UsageError(problems[0]);
  return new UsageError(
    `${problems.length} problems; ${outcome}:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`,
  );
}
