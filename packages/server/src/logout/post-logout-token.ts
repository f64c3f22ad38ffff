/**
 * One Back-Channel Logout request (OIDC Back-Channel Logout 1.0 §2.5): `logout_token` POSTed as a form
 * to the app's `backchannel_logout_uri`, within a deadline. 200 or 204 means the app logged the user
 * out (§2.8); anything else, a failed attempt. With private networks denied, the request goes only to
 * a public address (http/private-address.ts), checked on the address the socket connects to.
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { privateHost } from '../http/private-address.js';
import {
  PrivateAddressError,
  type Resolver,
  resolvingLookup,
  systemResolver,
} from '../http/public-lookup.js';
import type { PrivateNetworks } from './settings.js';

/** How one attempt ended. */
export type AttemptOutcome =
  | { delivered: true; status: number }
  | {
      delivered: false;
      /**
       * Why, for the log: `HTTP 500`, `timed out after 5 s`, `ECONNREFUSED`, `localhost resolves to a
       * private or loopback address (127.0.0.1): not sent` (never the token).
       */
      reason: string;
      /** The attempt was cut short by a shutdown: not the app's failure. */
      interrupted: boolean;
    };

/** Where a logout token may go. */
export interface ReceiverPolicy {
  /** LATCHKEY_BACKCHANNEL_PRIVATE_NETWORKS: `deny` sends only to public addresses. */
  privateNetworks: PrivateNetworks;
  /** Resolves the receiver's host name (default: the system's resolver; tests give their own). */
  resolve?: Resolver;
}

/** The error code of a failed request (`ECONNREFUSED`, `ENOTFOUND`, ...), or its message. */
function networkReason(error: unknown): string {
  if (error instanceof PrivateAddressError) return error.message;
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string') return code;
  return error instanceof Error ? error.message : String(error);
}

/** The status of one POST, its answer's body left unread; rejects with the network's error. */
function post(uri: URL, body: string, signal: AbortSignal, policy: ReceiverPolicy): Promise<number> {
  const send = uri.protocol === 'https:' ? httpsRequest : httpRequest;
  // A host name is resolved by `lookup`, and with private networks denied only to public addresses
  // (no second resolution between the check and the connection); an IP literal skips `lookup`, and
  // was checked by the caller.
  const lookup = resolvingLookup(policy.resolve ?? systemResolver, policy.privateNetworks === 'deny');
  return new Promise((done, fail) => {
    const request = send(
      uri,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'content-length': Buffer.byteLength(body),
        },
        // A connection of its own, closed after the answer: never a pooled socket another check made.
        agent: false,
        lookup,
        signal,
      },
      (response: IncomingMessage) => {
        done(response.statusCode ?? 0);
        // The body is not read: the status is the answer (§2.8).
        response.destroy();
      },
    );
    request.on('error', fail);
    request.end(body);
  });
}

/**
 * POSTs `logout_token=<token>` to `uri`. Redirects are not followed (a 3xx is a failed attempt: the
 * token goes only to the registered URI); the answer's body is not read. `stop` cuts the attempt
 * short at shutdown. With private networks denied (`policy`), a receiver whose host is, or resolves
 * to, a private or loopback address is not sent to: the server would otherwise POST into its own
 * network at any developer's word (server-side request forgery).
 * @see https://openid.net/specs/openid-connect-backchannel-1_0.html#BCRequest
 * @see https://cheatsheetseries.owasp.org/cheatsheets/Server_Side_Request_Forgery_Prevention_Cheat_Sheet.html
 */
export async function postLogoutToken(
  uri: string,
  token: string,
  timeoutMs: number,
  stop: AbortSignal,
  policy: ReceiverPolicy,
): Promise<AttemptOutcome> {
  const failed = (reason: string) => ({ delivered: false as const, reason, interrupted: false });
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return failed('not an absolute URI');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return failed(`${url.protocol} is not http(s)`);
  // `localhost` and IP literals (`0x7f.1` and `[::ffff:127.0.0.1]` normalised by the URL) are judged
  // here: an IP literal never reaches `lookup`.
  const host = policy.privateNetworks === 'deny' ? privateHost(url.hostname) : undefined;
  if (host !== undefined) return failed(new PrivateAddressError(host, host).message);
  const deadline = AbortSignal.timeout(timeoutMs);
  try {
    const body = new URLSearchParams({ logout_token: token }).toString();
    const status = await post(url, body, AbortSignal.any([deadline, stop]), policy);
    if (status === 200 || status === 204) return { delivered: true, status };
    return failed(`HTTP ${status}`);
  } catch (error) {
    if (stop.aborted) return { delivered: false, reason: 'server shutting down', interrupted: true };
    if (deadline.aborted) return failed(`timed out after ${timeoutMs / 1000} s`);
    return failed(networkReason(error));
  }
}
