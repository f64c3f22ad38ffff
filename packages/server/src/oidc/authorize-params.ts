/**
 * The OpenID Connect parameters of an authorization request (OIDC Core §3.1.2.1): read and checked
 * once the client and its redirect URI are known good, so every refusal goes back to the app
 * (§3.1.2.6). What they change about signing in is oidc/prompt.ts's.
 */

import type { Params } from '../http/form.js';
import { pageError } from '../http/page-errors.js';
import type { KeyManager } from '../keys/key-manager.js';
import { RedirectError } from '../oauth/redirect-error.js';
import type { Client } from '../storage/client-records.js';
import { type IdTokenHint, verifyIdTokenHint } from './id-token-hint.js';
import { isOpenId, OPENID } from './scopes.js';

/** The `prompt` values this server acts on (OIDC Core §3.1.2.1; `create`: Initiating User Registration 1.0). */
export const PROMPT_VALUES = ['none', 'login', 'consent', 'select_account', 'create'] as const;
/** One of {@link PROMPT_VALUES}. */
export type PromptValue = (typeof PROMPT_VALUES)[number];

/** OAuth 2.0 Multiple Response Type Encoding Practices §2.1, OAuth 2.0 Form Post Response Mode §2. */
export const RESPONSE_MODES = ['query', 'form_post'] as const;

/** The longest nonce stored (OIDC Core leaves it unbounded; an app's nonce is a random value). */
export const MAX_NONCE_LENGTH = 512;

/** What an authorization request asks of the sign-in, checked. */
export interface OpenIdRequest {
  /** Whether the scope granted has `openid` (OIDC Core §3.1.2.1): then an ID token is issued. */
  openid: boolean;
  /** OIDC Core §3.1.2.1 `nonce` (only of an OpenID Connect request). */
  nonce?: string;
  prompt: ReadonlySet<PromptValue>;
  /** OIDC Core §3.1.2.1 `max_age`, in seconds. */
  maxAge?: number;
  /** The verified `id_token_hint` (OIDC Core §3.1.2.1). */
  idTokenHint?: IdTokenHint;
}

const invalid = (description: string) => new RedirectError('AUTHORIZE_OIDC_INVALID_REQUEST', description);

/** Whether the raw `scope` names `openid`, before the scope is checked (tokens split as RFC 6749 §3.3). */
function namesOpenId(params: Params): boolean {
  return (params.get('scope') ?? '').split(' ').includes(OPENID);
}

/**
 * OIDC Core §3.1.2.1: `redirect_uri` is REQUIRED in an OpenID Connect request, so one that names none
 * is refused with a page, even for an app with a single redirect URI (where OAuth would take that one).
 */
export function requireRedirectUri(params: Params): void {
  if (params.get('redirect_uri') === undefined && namesOpenId(params))
    throw pageError('OIDC_MISSING_REDIRECT_URI').because(
      'redirect_uri is missing: an OpenID Connect request (scope openid) must name it (OIDC Core §3.1.2.1)',
    );
}

/**
 * The response mode (default `query`). Read before any other parameter is checked, since the answer
 * to every other refusal goes back this way; an unknown or unusable one is refused in the query.
 * `form_post` needs an http(s) redirect URI, which a page can post to.
 */
export function responseModeOf(params: Params, redirectUri: string): 'form_post' | undefined {
  const mode = params.get('response_mode');
  if (mode === undefined || mode === 'query') return undefined;
  if (mode !== 'form_post') throw invalid(`response_mode must be one of ${RESPONSE_MODES.join(', ')}`);
  if (!/^https?:/i.test(redirectUri))
    throw invalid('response_mode=form_post needs an http or https redirect_uri');
  return 'form_post';
}

/**
 * OIDC Core §6: request objects are not supported, by value or by reference; refused with the errors
 * §3.1.2.6 defines for that, before anything else of the request is read (test: the conformance
 * suite's oidcc-unsigned-request-object-... and oidcc-request-uri-unsigned-... modules).
 */
export function refuseRequestObjects(params: Params): void {
  if (params.has('request'))
    throw new RedirectError(
      'REQUEST_NOT_SUPPORTED',
      'request objects are not supported; send the parameters in the query',
    );
  if (params.has('request_uri'))
    throw new RedirectError(
      'REQUEST_URI_NOT_SUPPORTED',
      'request_uri is not supported; send the parameters in the query',
    );
}

/** `prompt` (OIDC Core §3.1.2.1): known values; `none` alone; `create` only while sign-up is open. */
function promptOf(raw: string | undefined, signupEnabled: boolean): Set<PromptValue> {
  const values = new Set((raw ?? '').split(' ').filter(Boolean));
  const unknown = [...values].find((v) => !(PROMPT_VALUES as readonly string[]).includes(v));
  // Initiating User Registration 1.0 §4.1: an unsupported value is invalid_request.
  if (unknown !== undefined)
    throw invalid(`prompt "${unknown.slice(0, 40)}" is not supported; use ${PROMPT_VALUES.join(', ')}`);
  if (values.has('none') && values.size > 1)
    throw invalid('prompt=none cannot be combined with other values');
  if (values.has('create') && !signupEnabled)
    throw invalid('prompt=create is not supported here: sign-up is closed');
  return values as Set<PromptValue>;
}

/** `max_age` (OIDC Core §3.1.2.1): a whole number of seconds. */
function maxAgeOf(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  if (!/^\d{1,10}$/.test(raw)) throw invalid('max_age must be a whole number of seconds');
  return Number(raw);
}

/** `nonce`: printable, bounded (it is stored and signed into the ID token). */
function nonceOf(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  if (raw.length === 0 || raw.length > MAX_NONCE_LENGTH || /[^\x20-\x7e]/.test(raw))
    throw invalid(`nonce must be 1 to ${MAX_NONCE_LENGTH} printable ASCII characters`);
  return raw;
}

/**
 * `id_token_hint` (OIDC Core §3.1.2.1): an ID token this server issued to this app (its signature,
 * `iss` and `aud` checked; its expiry is not, as the specification expects expired ones).
 */
function hintOf(
  raw: string | undefined,
  keys: KeyManager,
  issuer: string,
  client: Client,
): IdTokenHint | undefined {
  if (raw === undefined) return undefined;
  const hint = verifyIdTokenHint(keys, issuer, raw);
  if (!hint) throw invalid('id_token_hint is not an ID token issued here');
  if (!hint.aud.includes(client.id)) throw invalid('id_token_hint was issued to another app');
  return hint;
}

/**
 * Reads the OpenID Connect parameters of a request whose scope was granted as `scopes`. `display`,
 * `ui_locales`, `claims_locales`, `acr_values` and `login_hint` are accepted (§3.1.2.1: optional; the
 * pages are in English, there is one level of authentication, and the sign-in page reads
 * `login_hint` itself); `claims` and `registration` are ignored, as §5.5 and §7.2.1 allow for a
 * server that advertises no support.
 */
export function readOpenIdRequest(
  params: Params,
  scopes: readonly string[],
  client: Client,
  server: { keys: KeyManager; issuer: string; signupEnabled: boolean },
): OpenIdRequest {
  const openid = isOpenId(scopes);
  const prompt = promptOf(params.get('prompt'), server.signupEnabled);
  const maxAge = maxAgeOf(params.get('max_age'));
  const nonce = nonceOf(params.get('nonce'));
  const idTokenHint = hintOf(params.get('id_token_hint'), server.keys, server.issuer, client);
  return {
    openid,
    prompt,
    ...(openid && nonce !== undefined && { nonce }),
    ...(maxAge !== undefined && { maxAge }),
    ...(idTokenHint !== undefined && { idTokenHint }),
  };
}
