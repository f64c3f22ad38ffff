// Calls the authorization server (metadata, JWKS, introspection) and reads a bounded JSON object.
import type { FetchLike } from './types.js';

/** The authorization server could not be reached or answered something unusable. */
export class UpstreamError extends Error {
  override readonly name = 'UpstreamError';
  /** HTTP status the server answered, when it answered at all. */
  readonly status: number | undefined;
  constructor(message: string, options?: { cause?: unknown; status?: number }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.status = options?.status;
  }
}

/** Largest response body accepted from the authorization server. */
const MAX_BODY_BYTES = 1024 * 1024;

/**
 * Fetches `url` and returns its JSON object body. Throws {@link UpstreamError} on a network error,
 * timeout, non-2xx status, body over 1 MiB or anything but a JSON object. Redirects are not followed.
 * @see https://www.rfc-editor.org/rfc/rfc8414#section-3.2
 */
export async function fetchJsonObject(
  fetchImpl: FetchLike,
  url: string,
  init: RequestInit,
  timeoutMs: number,
): Promise<Record<string, unknown>> {
  let response: Response;
  try {
    response = await fetchImpl(url, { redirect: 'manual', ...init, signal: AbortSignal.timeout(timeoutMs) });
  } catch (cause) {
    throw new UpstreamError(`request to ${url} failed`, { cause });
  }
  if (response.status < 200 || response.status > 299) {
    await response.body?.cancel().catch(() => {});
    throw new UpstreamError(`${url} answered HTTP ${response.status}`, { status: response.status });
  }
  let text: string;
  try {
    const length = Number(response.headers.get('content-length') ?? '0');
    if (length > MAX_BODY_BYTES) throw new UpstreamError('body too large');
    text = await response.text();
  } catch (cause) {
    throw new UpstreamError(`reading ${url} failed`, { cause });
  }
  if (text.length > MAX_BODY_BYTES) throw new UpstreamError(`${url} answered a body over 1 MiB`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new UpstreamError(`${url} answered something other than JSON`, { cause });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new UpstreamError(`${url} answered JSON that is not an object`);
  }
  return value as Record<string, unknown>;
}
