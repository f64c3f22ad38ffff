/**
 * A strict reader of the Prometheus text exposition format 0.0.4, for tests: every line must be empty, a
 * HELP, a TYPE or a sample of the family its TYPE announced; any other line throws, naming it.
 * @see https://prometheus.io/docs/instrumenting/exposition_formats/#text-based-format
 */

/** One sample: its full name (with `_bucket`, `_sum`, `_count`), labels and value. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** A metric family: its TYPE, HELP and samples. */
export interface Family {
  type: string;
  help: string;
  samples: Sample[];
}

const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const HELP = new RegExp(`^# HELP (${NAME}) (.*)$`);
const TYPE = new RegExp(`^# TYPE (${NAME}) (counter|gauge|histogram|summary|untyped)$`);
const SAMPLE = new RegExp(`^(${NAME})(?:\\{(.*)\\})? (\\S+)(?: -?\\d+)?$`);
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"(,|$)/y;
const VALUE = /^(?:[+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)|[+-]Inf|NaN)$/;

function parseLabels(text: string, line: string): Record<string, string> {
  const labels: Record<string, string> = {};
  LABEL.lastIndex = 0;
  while (LABEL.lastIndex < text.length) {
    const match = LABEL.exec(text);
    if (!match) throw new Error(`malformed labels: ${line}`);
    const [, name = '', raw = ''] = match;
    if (name in labels) throw new Error(`label ${name} twice: ${line}`);
    labels[name] = raw.replace(/\\(.)/g, (_all, c: string) => (c === 'n' ? '\n' : c));
  }
  return labels;
}

/** The family a sample name belongs to: itself, or a histogram's or summary's base name. */
function familyOf(families: Map<string, Family>, name: string): string | undefined {
  if (families.has(name)) return name;
  const base = name.replace(/_(bucket|sum|count)$/, '');
  const type = families.get(base)?.type;
  return type === 'histogram' || (type === 'summary' && !name.endsWith('_bucket')) ? base : undefined;
}

/** Checks a histogram: buckets cumulative, ending in `+Inf` equal to `_count`, for each label set. */
function checkHistogram(name: string, family: Family): void {
  const series = new Map<string, Sample[]>();
  const key = (labels: Record<string, string>) =>
    JSON.stringify(Object.entries(labels).filter(([label]) => label !== 'le'));
  for (const sample of family.samples) {
    if (!sample.name.endsWith('_bucket')) continue;
    const list = series.get(key(sample.labels)) ?? [];
    list.push(sample);
    series.set(key(sample.labels), list);
  }
  for (const [labels, buckets] of series) {
    let previous = -1;
    let previousBound = Number.NEGATIVE_INFINITY;
    for (const bucket of buckets) {
      const bound = Number(bucket.labels['le'] === '+Inf' ? Number.POSITIVE_INFINITY : bucket.labels['le']);
      if (!(bound > previousBound) || bucket.value < previous)
        throw new Error(`${name}${labels}: buckets not cumulative`);
      previous = bucket.value;
      previousBound = bound;
    }
    const count = family.samples.find((s) => s.name === `${name}_count` && key(s.labels) === labels);
    if (previousBound !== Number.POSITIVE_INFINITY || count?.value !== previous)
      throw new Error(`${name}${labels}: +Inf bucket differs from _count`);
  }
}

/** Parses an exposition, throwing on the first line that breaks the format. */
export function parseExposition(text: string): Map<string, Family> {
  if (!text.endsWith('\n')) throw new Error('the exposition must end with a line break');
  const families = new Map<string, Family>();
  const seen = new Set<string>();
  let current: string | undefined;
  for (const line of text.slice(0, -1).split('\n')) {
    // The format ignores empty lines (prom-client writes one between families).
    if (line === '') continue;
    const help = HELP.exec(line);
    const type = TYPE.exec(line);
    if (help || type) {
      const name = (help ?? type)?.[1] as string;
      const family = families.get(name) ?? { type: 'untyped', help: '', samples: [] };
      if (family.samples.length > 0) throw new Error(`HELP or TYPE after samples: ${line}`);
      if (help) family.help = help[2] as string;
      if (type) family.type = type[2] as string;
      families.set(name, family);
      current = name;
      continue;
    }
    const sample = SAMPLE.exec(line);
    if (!sample) throw new Error(`not a HELP, TYPE or sample line: ${JSON.stringify(line)}`);
    const [, name = '', labelText = '', value = ''] = sample;
    const family = familyOf(families, name);
    if (family === undefined || family !== current)
      throw new Error(`sample outside its family's block: ${line}`);
    if (!VALUE.test(value)) throw new Error(`not a number: ${line}`);
    const labels = parseLabels(labelText, line);
    const id = `${name}${JSON.stringify(Object.entries(labels).sort())}`;
    if (seen.has(id)) throw new Error(`series twice: ${line}`);
    seen.add(id);
    families.get(family)?.samples.push({ name, labels, value: Number(value.replace('Inf', 'Infinity')) });
  }
  for (const [name, family] of families) if (family.type === 'histogram') checkHistogram(name, family);
  return families;
}

/**
 * The value of the sample `name` whose labels include `labels` (exactly one must match), or
 * `undefined` when none does.
 */
export function sampleValue(
  families: Map<string, Family>,
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  const matches = [...families.values()]
    .flatMap((family) => family.samples)
    .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  if (matches.length > 1)
    throw new Error(`${name} ${JSON.stringify(labels)} matches ${matches.length} series`);
  return matches[0]?.value;
}
