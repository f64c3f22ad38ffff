// Small helpers shared by the runner and the build comparison: means, paired ratios, formatting.

export const mean = (xs) => (xs.length === 0 ? null : xs.reduce((a, b) => a + b, 0) / xs.length);

/** `numerator`'s req/s divided by `denominator`'s in each round where both runs are valid. */
export function ratiosByRound(runs, rounds, numerator, denominator) {
  const out = [];
  for (let round = 1; round <= rounds; round++) {
    const a = runs.find((r) => r.round === round && r.target === numerator && r.reqPerSec !== null);
    const b = runs.find((r) => r.round === round && r.target === denominator && r.reqPerSec !== null);
    if (a && b) out.push(a.reqPerSec / b.reqPerSec);
  }
  return out;
}

export const fmt = (n, digits = 0) =>
  n === null || n === undefined || Number.isNaN(n)
    ? '-'
    : n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
export const pad = (s, n) => String(s).padEnd(n);
export const lpad = (s, n) => String(s).padStart(n);
