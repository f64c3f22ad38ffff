// The builds a benchmark run can measure: this checkout, and with BENCH_BASELINE=<path> another
// checkout of the repository (already built) whose Latchkey targets run beside this one's.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The checkout's server command: its own bin, which loads its own dist and node_modules. */
export const binOf = (build) => join(build.root, 'packages/server/bin/latchkey.js');

function git(root, args) {
  try {
    return execFileSync('git', ['-C', root, ...args], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return undefined;
  }
}

/** Where a build comes from: its path, commit and whether tracked files differ from that commit. */
export function describeBuild(build) {
  const commit = git(build.root, ['rev-parse', '--short', 'HEAD']);
  const status = git(build.root, ['status', '--porcelain', '--untracked-files=no']);
  return {
    name: build.name,
    root: build.root,
    commit,
    dirty: status === undefined ? undefined : status !== '',
  };
}

export const formatBuild = ({ root, commit, dirty }) =>
  `${root} @ ${commit ?? 'unknown commit'}${dirty ? ' + uncommitted changes' : ''}`;

/** This checkout. Targets take a build; `suffix` is appended to their names. */
export const thisBuild = {
  name: 'this',
  root: fileURLToPath(new URL('../../', import.meta.url)),
  suffix: '',
};

/**
 * The baseline from BENCH_BASELINE, or undefined when it is not set. Throws when the path is not a
 * built checkout: a baseline that cannot start must stop the run, not leave a one-sided comparison.
 */
export function baselineBuild(path = process.env.BENCH_BASELINE) {
  if (!path) return undefined;
  const build = { name: 'baseline', root: `${resolve(path)}/`, suffix: '@baseline' };
  const missing = [
    binOf(build),
    join(build.root, 'packages/server/dist'),
    join(build.root, 'node_modules'),
  ].filter((p) => !existsSync(p));
  if (missing.length > 0) {
    throw new Error(
      `BENCH_BASELINE=${path} is not a built checkout of this repository (missing ${missing.join(', ')}); ` +
        'install its node_modules and run `npx tsc -b` there first',
    );
  }
  return build;
}
