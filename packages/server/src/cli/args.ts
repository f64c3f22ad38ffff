/** Argument parsing for the CLI: bad arguments are a one-line message and exit code 2, never a stack. */
import { type ParseArgsConfig, parseArgs } from 'node:util';

/** A usage mistake: printed as one line, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Node's parseArgs error as one line naming the option, the command and where help is. */
function parseProblem(error: unknown, command: string): string {
  const message = error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error);
  const code = (error as { code?: string }).code;
  const option = /'(-[^' ]*)/.exec(message)?.[1];
  const where = `for "${command}"; see latchkey help`;
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && option) return `unknown option ${option} ${where}`;
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && option) {
    if (/does not take an argument/.test(message)) return `option ${option} takes no value ${where}`;
    return `option ${option} needs a value ${where}`;
  }
  return `${message.replace(/\.$/, '')} ${where}`;
}

/**
 * Parses the options of `command` (as the user typed it, e.g. `apps create`) strictly; unknown or
 * malformed options become a one-line {@link UsageError} naming the option and the command.
 */
export function parse(command: string, args: string[], options: NonNullable<ParseArgsConfig['options']>) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(parseProblem(error, command));
  }
}

/** Not a mistake to report in one line: `main` prints `text` (a usage) and exits with `exitCode`. */
export class ShowUsage extends Error {
  override readonly name = 'ShowUsage';
  constructor(
    readonly text: string,
    readonly exitCode: 0 | 2,
  ) {
    super('usage');
  }
}

/** Rows as lines of columns padded to the widest value of each (the last column is not padded). */
export function table(rows: string[][]): string[] {
  const widths: number[] = [];
  for (const row of rows) {
    for (const [i, cell] of row.entries()) widths[i] = Math.max(widths[i] ?? 0, cell.length);
  }
  return rows.map((row) =>
    row
      .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd(),
  );
}

/** The single positional argument a command needs, or a {@link UsageError} naming it. */
export function onePositional(positionals: string[], name: string): string {
  const [value, extra] = positionals;
  if (value === undefined) throw new UsageError(`missing argument <${name}>`);
  if (extra !== undefined) throw new UsageError(`unexpected argument "${extra}"`);
  return value;
}

/** Writes a line to stdout. */
export const out = (line: string) => process.stdout.write(`${line}\n`);
