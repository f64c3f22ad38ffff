// The benchmark scenarios, in run order. Each file exports { name, role, description, expectJwt, start() }.
// role: 'ceiling' (the bare baseline all ratios divide by), 'reference' (what we compare against), 'subject',
// or 'baseline' (a Latchkey target started from the BENCH_BASELINE checkout, compared with its subject).
import { thisBuild } from '../lib/builds.js';
import bare from './bare.js';
import { clientCredentialsTarget } from './latchkey-client-credentials.js';
import { refreshTarget } from './latchkey-refresh.js';
import oidcProvider from './oidc-provider.js';

/**
 * Every target; with a baseline build (bench/lib/builds.js), each Latchkey target is followed by its
 * twin from the baseline checkout, named `<name>@baseline`, whose `baselineOf` names this build's target.
 */
export function targetsFor(baseline) {
  const latchkey = (make) => {
    const subject = make(thisBuild);
    return baseline ? [subject, { ...make(baseline), baselineOf: subject.name }] : [subject];
  };
  return [
    bare,
    oidcProvider,
    ...latchkey(clientCredentialsTarget),
    ...latchkey((build) => clientCredentialsTarget(build, 'postgres')),
    ...latchkey((build) => clientCredentialsTarget(build, 'postgres-redis')),
    ...latchkey((build) => refreshTarget('sqlite', build)),
    ...latchkey((build) => refreshTarget('postgres', build)),
  ];
}
