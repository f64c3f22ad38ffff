/** Client authentication at the token endpoint: client_secret_basic, client_secret_post, none (RFC 6749 §2.3). */

import type { Params } from '../http/form.js';
import { ipKey } from '../http/ip-key.js';
import { type Metrics, NO_METRICS } from '../metrics/metrics.js';
import type { ClientRepository, ClientWithSecrets } from '../storage/clients.js';
import type { Limit, Throttle } from '../throttle/throttle.js';
import { DUMMY_HASH, hashesEqual, sha256Hex } from '../tokens/random.js';
import { secretMismatchReason, throttledReason } from './client-auth-reasons.js';
import { oauthError, retryAfterValue } from './errors.js';

/** The methods this server accepts, as advertised in metadata (RFC 8414 §2). */
export const CLIENT_AUTH_METHODS = ['client_secret_basic', 'client_secret_post', 'none'] as const;

/** How many times the configured limit one client ID may fail from all IPs together. */
export const PER_CLIENT_LIMIT_FACTOR = 10;

/**
 * The app a request names, as authentication learns it: for the portal's Recent errors, which records a
 * failure only for an app that exists (a made-up client ID costs nothing).
 */
export interface ClientClaim {
  /** The client ID the credentials name (Basic header or body), once they could be read. */
  clientId: string | undefined;
  /** Whether it was looked up and exists. */
  known: boolean;
}

/** What authentication needs from the request. */
export interface ClientAuthInput {
  authorization: string | undefined;
  params: Params;
  ip: string;
  /** Filled in as the credentials are read and looked up, when given. */
  claim?: ClientClaim | undefined;
}

/**
 * The failure limits of client authentication (RFC 6819 §5.2.3.7), counted in one {@link Throttle}:
 * `strict` per (client ID, IP) and per IP, so an attacker locks out only itself; `perClient` per client
 * ID from every IP, bounding a brute force spread over many addresses (LATCHKEY_AUTH_MAX_FAILURES and
 * {@link PER_CLIENT_LIMIT_FACTOR} times it).
 */
export interface ClientAuthLimits {
  strict: number;
  perClient: number;
}

/** Credentials as presented, before they are checked. */
interface Presented {
  clientId: string;
  secret: string | undefined;
}

const MAX_ID_LENGTH = 255;

/** RFC 6749 §2.3.1: id and secret are form-urlencoded before base64; the plain form is accepted too. */
function formDecode(value: string): string {
  if (!value.includes('%') && !value.includes('+')) return value;
  try {
    return decodeURIComponent(value.replaceAll('+', ' '));
  } catch {
    return value;
  }
}

/** Reads the credentials from the Basic header or the body; two methods at once is `invalid_request`. */
function presentedCredentials({ authorization, params }: ClientAuthInput): Presented {
  const bodyId = params.get('client_id');
  const bodySecret = params.get('client_secret');
  if (authorization !== undefined) {
    // RFC 6749 §2.3: a client MUST NOT use more than one authentication method per request.
    if (bodySecret !== undefined)
      throw oauthError('INVALID_REQUEST', 'client credentials sent in both the header and the body');
    const match = /^Basic +([A-Za-z0-9+/=._~-]+) *$/i.exec(authorization);
    if (!match) throw oauthError('INVALID_CLIENT', 'unsupported or malformed Authorization header');
    const decoded = Buffer.from(match[1] as string, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 1) throw oauthError('INVALID_CLIENT', 'malformed Basic credentials');
    const clientId = formDecode(decoded.slice(0, colon));
    if (bodyId !== undefined && bodyId !== clientId)
      throw oauthError('INVALID_REQUEST', 'client_id in the body differs from the header');
    return { clientId, secret: formDecode(decoded.slice(colon + 1)) };
  }
  if (bodyId === undefined) throw oauthError('INVALID_CLIENT', 'client authentication is required');
  return { clientId: bodyId, secret: bodySecret };
}

/** The limits one request counts against. */
function limitsFor(clientId: string, ip: string, max: ClientAuthLimits): Limit[] {
  const id = clientId.slice(0, MAX_ID_LENGTH);
  // IPv6 counts per /64, IPv4 per address (http/ip-key.ts). A key holds no space, so
  // `client-ip:<key> <id>` cannot collide for different pairs.
  const address = ipKey(ip);
  return [
    { key: `client-ip:${address} ${id}`, max: max.strict },
    { key: `ip:${address}`, max: max.strict },
    { key: `client:${id}`, max: max.perClient },
  ];
}

/** Client authentication with throttling of failures per (client ID, IP), per IP and per client ID. */
export class ClientAuthenticator {
  /**
   * @param throttle where failures are counted: this process (SQLite) or the store every server
   *   shares (PostgreSQL, Redis); under a store outage it counts in this process (`local`, server.ts)
   * @param metrics counts failures and refusals (never by client ID: an unknown one is whatever the
   *   caller sent, and a label per value would grow without bound)
   */
  constructor(
    private readonly clients: ClientRepository,
    private readonly throttle: Throttle,
    private readonly limits: ClientAuthLimits,
    private readonly metrics: Metrics = NO_METRICS,
  ) {}

  /**
   * Authenticates the client of a token, revocation or introspection request. Unknown client and wrong
   * secret cost the same (a dummy hash comparison) and answer the same 401 `invalid_client`; a caller
   * over a limit gets 429 whatever it presents, the right secret included.
   * @see https://www.rfc-editor.org/rfc/rfc6749#section-2.3.1
   */
  async authenticate(input: ClientAuthInput): Promise<ClientWithSecrets> {
    const presented = presentedCredentials(input);
    const { claim } = input;
    if (claim) claim.clientId = presented.clientId;
    const tally = this.throttle.tally(limitsFor(presented.clientId, input.ip, this.limits));
    // Sheds load: a caller this server already saw over a limit costs no lookup and no store call.
    this.refuseIfWaiting(this.throttle.remembered(tally));
    // An ID that cannot exist is not looked up (storage/clients.ts) and costs the same dummy comparison.
    const client = await this.clients.findWithSecrets(presented.clientId);
    if (claim) claim.known = client !== undefined;
    // RFC 6819 §5.2.3.7: the counts are read or incremented only once the secret has been compared,
    // never before (test/shared-throttle.test.ts). A wrong secret is counted by an atomic increment
    // in the store and judged on the count it returns, so N guesses sent in parallel, to one server or
    // to several, cannot all pass the limit. A right one reads the counts: a guess is answered 200 only
    // if fewer than the limit of failures were counted before it, wherever they were counted. (Read
    // before the comparison, as one step with the lookup, the counts could not see the failures of the
    // rest of a burst, and a right guess anywhere in it would pass.) The comparison does not await,
    // so on one server the order is exactly the order of comparisons.
    // A public app presents no secret: nothing to hash (verify compares none).
    const presentedHash = client?.isPublic ? '' : sha256Hex(presented.secret ?? '');
    if (this.verify(client, presented.secret, presentedHash)) {
      this.refuseIfWaiting(await this.throttle.check(tally));
      return client as ClientWithSecrets;
    }
    const attempt = await this.throttle.attempt(tally);
    if (attempt.refused) this.refuseIfWaiting(attempt.retryAfter);
    this.metrics.clientAuthFailed();
    // The same answer whatever failed; why, only for the developer of an app that exists.
    const failed = oauthError('INVALID_CLIENT', 'client authentication failed');
    if (client) failed.because(secretMismatchReason(this.clients, client, presented.secret, presentedHash));
    throw failed;
  }

  private refuseIfWaiting(wait: number | undefined): void {
    if (wait === undefined) return;
    this.metrics.throttleRefused('client_auth');
    throw oauthError('TOO_MANY_REQUESTS', 'too many failed attempts; retry later', {
      'retry-after': retryAfterValue(wait),
    }).because(throttledReason(wait));
  }

  private verify(
    client: ClientWithSecrets | undefined,
    secret: string | undefined,
    presentedHash: string,
  ): boolean {
    if (client?.isPublic) return secret === undefined;
    const hashes = client && client.secretHashes.length > 0 ? client.secretHashes : [DUMMY_HASH];
    let ok = false;
    for (const hash of hashes) ok = hashesEqual(presentedHash, hash) || ok;
    return ok && client !== undefined && secret !== undefined;
  }
}
