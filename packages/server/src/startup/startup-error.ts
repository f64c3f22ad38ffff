/** Why a start failed, as the one line the CLI prints before exiting non-zero. */

/** A start failed; the message names the cause on one line. */
export class StartupError extends Error {
  override readonly name = 'StartupError';

  constructor(message: string, options?: { cause?: unknown }) {
    super(oneLine(message), options);
  }
}

/** A thrown value's message on one line (driver errors sometimes span several). */
export function reason(error: unknown): string {
  return oneLine(error instanceof Error ? error.message : String(error));
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}
