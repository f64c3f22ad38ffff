// The proxy's log sink: warnings about upstream failures, never carrying tokens or the client secret.

/** Fields attached to a log line: codes, statuses and counts only, never a token or a secret. */
export type LogFields = Record<string, string | number | boolean | undefined>;

/**
 * Where the proxy reports upstream failures and hook errors. Compatible with pino / console style
 * loggers through a small wrapper: `{ warn: (msg, f) => log.warn(f, msg), error: ... }`.
 * @see https://www.rfc-editor.org/rfc/rfc6819#section-5.1.4.1
 */
export interface ProxyLogger {
  /** An upstream failure the proxy answered with 502 / 504, or a failed background refresh. */
  warn(message: string, fields: LogFields): void;
  /** A bug or a throwing hook (answered 500). */
  error(message: string, fields: LogFields): void;
}

/**
 * The default logger: one JSON line per event on stderr.
 * @see https://www.rfc-editor.org/rfc/rfc6819#section-5.1.4.1
 */
export const stderrLogger: ProxyLogger = {
  warn(message, fields) {
    process.stderr.write(
      `${JSON.stringify({ level: 'warn', name: 'latchkey-proxy', msg: message, ...fields })}\n`,
    );
  },
  error(message, fields) {
    process.stderr.write(
      `${JSON.stringify({ level: 'error', name: 'latchkey-proxy', msg: message, ...fields })}\n`,
    );
  },
};

/**
 * A logger that drops everything (`logger: false`).
 * @see https://www.rfc-editor.org/rfc/rfc6819#section-5.1.4.1
 */
export const silentLogger: ProxyLogger = { warn() {}, error() {} };
