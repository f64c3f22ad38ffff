/**
 * The OpenID Connect options of `apps create` and `apps update`: `--subject-type public|pairwise`
 * (OIDC Core §8) and `--id-token-signed-response-alg RS256|ES256|EdDSA` (the app's ID tokens).
 */
import type { OidcRegistrationRequest } from '../oidc/registration.js';
import type { Client } from '../storage/clients.js';

/** The options, for `parse`. */
export const OIDC_APP_OPTIONS = {
  'subject-type': { type: 'string' },
  'id-token-signed-response-alg': { type: 'string' },
} as const;

/** The usage lines of the options. */
export const OIDC_APP_USAGE = `              [--subject-type public|pairwise] [--id-token-signed-response-alg RS256|ES256|EdDSA]
                                      pairwise: a sub per user for this app's sector (its redirect
                                      URIs' one host); the algorithm of its ID tokens (default RS256)`;

/** The registration members the parsed options ask for (absent when not given). */
export function oidcAppRequest(values: Record<string, unknown>): OidcRegistrationRequest {
  const subjectType = values['subject-type'];
  const alg = values['id-token-signed-response-alg'];
  return {
    ...(typeof subjectType === 'string' && { subjectType }),
    ...(typeof alg === 'string' && { idTokenSignedResponseAlg: alg }),
  };
}

/** Whether any OpenID Connect option was given. */
export function hasOidcOptions(values: Record<string, unknown>): boolean {
  return Object.keys(oidcAppRequest(values)).length > 0;
}

/** The lines `apps show` prints for the OpenID Connect registration. */
export function oidcLines(client: Client): string[] {
  return [`subject_type:  ${client.subjectType}, ID tokens ${client.idTokenSignedResponseAlg ?? 'RS256'}`];
}
