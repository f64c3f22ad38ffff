/**
 * The OpenID Provider members of the discovery document (OIDC Discovery 1.0 §3), beside the RFC 8414
 * members both documents share (endpoints/metadata.ts).
 */
import { SIGNING_ALGORITHMS } from '../keys/signing-key.js';
import { PROMPT_VALUES, RESPONSE_MODES } from './authorize-params.js';
import { CLAIMS_SUPPORTED } from './scopes.js';

/** What the members depend on. */
export interface OpenIdProviderFacts {
  /** RP-Initiated Logout 1.0 §2.1: the end-session endpoint's URL (endpoints/logout.ts). */
  endSessionEndpoint: string;
  /** Whether sign-up is open: `prompt=create` is advertised only then (Initiating User Registration §4.2). */
  signupEnabled: boolean;
}

/**
 * The members only an OpenID Provider advertises. Request objects and the `claims` parameter are not
 * supported (§3: `request_parameter_supported`, `request_uri_parameter_supported` and
 * `claims_parameter_supported` false; the first two refused with `request_not_supported` and
 * `request_uri_not_supported`). ID tokens are signed with RS256 (the default, §3 requires it), ES256 or
 * EdDSA as each app registered; nothing is signed with `none`.
 */
export function openIdProviderMembers(facts: OpenIdProviderFacts): Record<string, unknown> {
  return {
    end_session_endpoint: facts.endSessionEndpoint,
    subject_types_supported: ['public', 'pairwise'],
    id_token_signing_alg_values_supported: ['RS256', ...SIGNING_ALGORITHMS.filter((alg) => alg !== 'RS256')],
    response_modes_supported: [...RESPONSE_MODES],
    claims_supported: [...CLAIMS_SUPPORTED],
    claim_types_supported: ['normal'],
    prompt_values_supported: PROMPT_VALUES.filter((value) => value !== 'create' || facts.signupEnabled),
    request_parameter_supported: false,
    request_uri_parameter_supported: false,
    claims_parameter_supported: false,
    // OIDC Back-Channel Logout 1.0 §2.1: logout tokens carry sid.
    backchannel_logout_supported: true,
    backchannel_logout_session_supported: true,
  };
}
