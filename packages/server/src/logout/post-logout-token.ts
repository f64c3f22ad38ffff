/**
 * One Back-Channel Logout request (OIDC Back-Channel Logout 1.0 §2.5): `logout_token` POSTed as a form
 * to the app's `backchannel_logout_uri`, within a deadline. 200 or 204 means the app logged the user
 * out (§2.8); anything else, a failed attempt.
 */

/** How one attempt ended. */
export type AttemptOutcome =
  | { delivered: true; status: number }
  | {
      delivered: false;
      /** Why, for the log: `HTTP 500`, `timed out after 5 s`, `ECONNREFUSED` (never the token). */
      reason: string;
      /** The attempt was cut short by a shutdown: not the app's failure. */
      interrupted: boolean;
    };

/** The error code under a failed fetch (`ECONNREFUSED`, `ENOTFOUND`, ...), or its message. */
function networkReason(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } } | null)?.cause;
  if (typeof cause?.code === 'string') return cause.code;
  if (typeof cause?.message === 'string') return cause.message;
  return error instanceof Error ? error.message : String(error);
}

/**
 * POSTs `logout_token=<token>` to `uri`. Redirects are not followed (a 3xx is a failed attempt: the
 * token goes only to the registered URI); the answer's body is not read. `stop` cuts the attempt
 * short at shutdown.
 */
export async function postLogoutToken(
  uri: string,
  token: string,
  timeoutMs: number,
  stop: AbortSignal,
): Promise<AttemptOutcome> {
  const deadline = AbortSignal.timeout(timeoutMs);
  try {
    const response = await fetch(uri, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ logout_token: token }).toString(),
      redirect: 'manual',
      signal: AbortSignal.any([deadline, stop]),
    });
    await response.body?.cancel().catch(() => {});
    if (response.status === 200 || response.status === 204) {
      return { delivered: true, status: response.status };
    }
    return { delivered: false, reason: `HTTP ${response.status}`, interrupted: false };
  } catch (error) {
    if (stop.aborted) return { delivered: false, reason: 'server shutting down', interrupted: true };
    if (deadline.aborted) {
      return { delivered: false, reason: `timed out after ${timeoutMs / 1000} s`, interrupted: false };
    }
    return { delivered: false, reason: networkReason(error), interrupted: false };
  }
}
