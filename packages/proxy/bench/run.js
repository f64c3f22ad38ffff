// `node packages/proxy/bench/run.js`: runs benchProxy once and prints the figures as JSON.
import { benchProxy } from './bench-proxy.js';

const result = await benchProxy({ durationSeconds: Number(process.env.BENCH_DURATION ?? 5) });
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
