/**
 * The OpenID Connect members of an app's registration (OIDC Dynamic Client Registration 1.0 §2):
 * `subject_type` (OIDC Core §8) and `id_token_signed_response_alg`, checked for registration and
 * changes alike; oauth/app-registration.ts calls it and reports its refusals with its own.
 */
import { SIGNING_ALGORITHMS, type SigningAlgorithm } from '../keys/signing-key.js';
import type { Client, SubjectType } from '../storage/client-records.js';
import { sectorOfUri } from './subject.js';

/** The subject types an app may register (OIDC Discovery `subject_types_supported`). */
export const SUBJECT_TYPES: readonly SubjectType[] = ['public', 'pairwise'];

/** What a developer asks for; absent: `public` and RS256 at registration, unchanged on a change. */
export interface OidcRegistrationRequest {
  subjectType?: string;
  idTokenSignedResponseAlg?: string;
}

/** The registration members these rules may refuse (RFC 7591 §2 names). */
export type OidcField = 'subject_type' | 'id_token_signed_response_alg';

/** A refusal: the member at fault and why. */
export interface OidcRegistrationProblem {
  field: OidcField | 'redirect_uris';
  detail: string;
}

/** The checked values to store (only those asked for) and every refusal. */
export interface OidcRegistration {
  values: { subjectType?: SubjectType; idTokenSignedResponseAlg?: SigningAlgorithm };
  problems: OidcRegistrationProblem[];
}

/** The sectors (hosts) `uris` name, once each, in order. */
function sectors(uris: readonly string[]): string[] {
  const names = uris.flatMap((uri) => {
    try {
      return [sectorOfUri(uri)];
    } catch {
      return []; // refused by the redirect URI rules, reported there
    }
  });
  return [...new Set(names)];
}

/**
 * Checks the OpenID Connect members. `redirectUris` are the app's redirect URIs once registered or
 * changed; `current` the app as it is (for a change). A pairwise app's redirect URIs name one host,
 * its sector (OIDC Core §8.1: without a `sector_identifier_uri`, which this server does not take), and
 * keep it: its users' subject identifiers are derived from it, so another host would give every user
 * a new `sub`.
 */
export function checkOidcRegistration(
  request: OidcRegistrationRequest,
  redirectUris: readonly string[],
  current?: Pick<Client, 'subjectType' | 'redirectUris'>,
): OidcRegistration {
  const problems: OidcRegistrationProblem[] = [];
  const values: OidcRegistration['values'] = {};
  const { subjectType, idTokenSignedResponseAlg: alg } = request;
  if (subjectType !== undefined) {
    if ((SUBJECT_TYPES as readonly string[]).includes(subjectType))
      values.subjectType = subjectType as SubjectType;
    else
      problems.push({
        field: 'subject_type',
        detail: `subject_type must be one of ${SUBJECT_TYPES.join(', ')}`,
      });
  }
  if (alg !== undefined) {
    if ((SIGNING_ALGORITHMS as readonly string[]).includes(alg))
      values.idTokenSignedResponseAlg = alg as SigningAlgorithm;
    else
      problems.push({
        field: 'id_token_signed_response_alg',
        detail: `id_token_signed_response_alg must be one of RS256, ES256, EdDSA (none is never accepted)`,
      });
  }
  const pairwise = (values.subjectType ?? current?.subjectType) === 'pairwise';
  const named = sectors(redirectUris);
  if (pairwise && named.length > 1)
    problems.push({
      field: 'subject_type',
      detail: `a pairwise app's redirect URIs must name one host, its sector (OIDC Core §8.1); these name ${named.join(', ')}`,
    });
  const before = current && sectors(current.redirectUris)[0];
  if (
    pairwise &&
    current?.subjectType === 'pairwise' &&
    before !== undefined &&
    named.length === 1 &&
    named[0] !== before
  )
    problems.push({
      field: 'redirect_uris',
      detail: `a pairwise app's redirect URIs keep their host ${before}: its users' subject identifiers are derived from it`,
    });
  return { values, problems };
}
