/** The pino logger: structured, with credentials redacted and query strings never written. */
import pino, { type Logger } from 'pino';

/** Paths pino replaces with "[redacted]" wherever they appear in a log object. */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'headers.cookie',
  '*.client_secret',
  '*.access_token',
  '*.refresh_token',
  // An authorization code where a request's parameters would be logged. Not `*.code`: that hides a
  // logged error's `err.code` (ECONNRESET, a SQLSTATE), which is no credential and tells what failed.
  'body.code',
  'query.code',
  'params.code',
  'form.code',
  'req.body.code',
  'req.query.code',
  '*.code_verifier',
  '*.password',
  'client_secret',
  'access_token',
  'refresh_token',
  'password',
];

/** Creates the server logger writing JSON lines to `destination` (stdout by default). */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      base: { service: 'latchkey' },
    },
    destination,
  );
}
