/** Argument parsing for the CLI: bad arguments are a one-line message and exit code 2, never a stack. */
import { type ParseArgsConfig, parseArgs } from 'node:util';

/** A usage mistake: printed as one line, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Parses options strictly; unknown or malformed options become a {@link UsageError} naming them. */
export function parse(args: string[], options: NonNullable<ParseArgsConfig['options']>) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new UsageError(message ?? 'invalid arguments');
  }
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
