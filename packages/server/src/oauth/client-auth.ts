/** Client authentication at the token endpoint: client_secret_basic, client_secret_post, none (RFC 6749 §2.3). */

import type { Params } from '../http/form.js';
import { ipKey } from '../http/ip-key.js';
import type { FailureLimiter } from '../http/rate-limit.js';
import { type Metrics, NO_METRICS } from '../metrics/metrics.js';
import type { ClientRepository, ClientWithSecrets } from '../storage/clients.js';
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
 * The failure limits of client authentication (RFC 6819 §5.2.3.7). `strict` counts per (client ID, IP)
 * and per IP, so an attacker locks out only itself; `perClient` counts per client ID from every IP
 * with a higher limit, bounding a brute force spread over many addresses.
 */
export interface ClientAuthLimits {
  strict: FailureLimiter;
  perClient: FailureLimiter;
}

/** Credentials as presented, before they are checked. */
interface Presented {
  clientId: string;
  secret: string | undefined;
}

/** The keys one request counts against. */
interface LimitKeys {
  strict: string[];
  perClient: string[];
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

function limitKeys(clientId: string, ip: string): LimitKeys {
  const id = clientId.slice(0, MAX_ID_LENGTH);
  // IPv6 counts per /64, IPv4 per address (http/ip-key.ts). A key holds no space, so
  // `client-ip:<key> <id>` cannot collide for different pairs.
  const address = ipKey(ip);
  return { strict: [`client-ip:${address} ${id}`, `ip:${address}`], perClient: [`client:${id}`] };
}

/** Client authentication with throttling of failures per (client ID, IP), per IP and per client ID. */
export class ClientAuthenticator {
  /**
   * @param metrics counts failures and refusals (never by client ID: an unknown one is whatever the
   *   caller sent, and a label per value would grow without bound)
   */
  constructor(
    private readonly clients: ClientRepository,
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
    const keys = limitKeys(presented.clientId, input.ip);
    // Sheds load: a caller already over a limit costs no lookup.
    this.refuseIfLimited(keys);
    // An ID that cannot exist is not looked up (storage/clients.ts) and costs the same dummy comparison.
    const client = await this.clients.findWithSecrets(presented.clientId);
    if (claim) claim.known = client !== undefined;
    // RFC 6819 §5.2.3.7: from here on nothing awaits, so checking the limit, comparing the secret and
    // recording a failure are one step; N guesses sent in parallel cannot all pass the limit, and
    // right secrets in flight are never counted as failures.
    this.refuseIfLimited(keys);
    // A public app presents no secret: nothing to hash (verify compares none).
    const presentedHash = client?.isPublic ? '' : sha256Hex(presented.secret ?? '');
    if (!this.verify(client, presented.secret, presentedHash)) {
      this.limits.strict.fail(keys.strict);
      this.limits.perClient.fail(keys.perClient);
      this.metrics.clientAuthFailed();
      // The same answer whatever failed; why, only for the developer of an app that exists.
      const failed = oauthError('INVALID_CLIENT', 'client authentication failed');
      if (client) failed.because(secretMismatchReason(this.clients, client, presented.secret, presentedHash));
      throw failed;
    }
    return client as ClientWithSecrets;
  }

  private refuseIfLimited(keys: LimitKeys): void {
    const strict = this.limits.strict.retryAfter(keys.strict);
    const perClient = this.limits.perClient.retryAfter(keys.perClient);
    if (strict === undefined && perClient === undefined) return;
    this.metrics.throttleRefused('client_auth');
    const wait = Math.max(strict ?? 0, perClient ?? 0);
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
