// CLI: node packages/resource/bench/run.js [--duration 5] [--rounds 3] [--connections 50] [--json] — prints benchResource figures.
import { parseArgs } from 'node:util';
import { benchResource } from './bench-resource.js';

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '5' },
    rounds: { type: 'string', default: '3' },
    connections: { type: 'string', default: '50' },
    json: { type: 'boolean', default: false },
  },
});
const result = await benchResource({
  durationSeconds: Number(values.duration),
  connections: Number(values.connections),
  rounds: Number(values.rounds),
});
if (values.json) {
  console.log(JSON.stringify(result, null, 2));
} else {
  const row = (name, r) =>
    `${name.padEnd(28)} ${String(r.requestsPerSecond).padStart(8)} req/s   p99 ${r.latencyP99Ms} ms   non-2xx ${r.non2xx}   errors ${r.errors}   rounds ${r.rounds.join(' / ')}`;
  console.log(
    `@latchkey/resource bench: ${result.settings.connections} connections, ${result.settings.rounds} alternating rounds of ${result.settings.durationSeconds} s (median)`,
  );
  console.log(row('bare node:http', result.bare));
  console.log(row('requireToken (JWT, cached)', result.requireToken));
  console.log(`ratio ${result.ratio} (target >= ${result.target}): ${result.passed ? 'PASS' : 'FAIL'}`);
}
process.exitCode = result.passed ? 0 : 1;
