// Builds the RFC 6750 / RFC 9728 `WWW-Authenticate: Bearer ...` challenge.

/** Parameters of a Bearer challenge. */
export interface BearerChallenge {
  realm: string;
  error?: string | undefined;
  errorDescription?: string | undefined;
  scope?: string | undefined;
  resourceMetadata?: string | undefined;
}

/**
 * Keeps only the characters RFC 6750 §3 allows inside these quoted values
 * (`%x20-21 / %x23-5B / %x5D-7E`): no quote, no backslash, no control or non-ASCII character.
 */
function quote(value: string): string {
  return `"${value.replace(/[^\x20\x21\x23-\x5b\x5d-\x7e]/g, '')}"`;
}

/**
 * Formats a `Bearer` challenge: realm first, then error, error_description, scope, resource_metadata.
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-3
 * @see https://www.rfc-editor.org/rfc/rfc9728#section-5.1
 */
export function formatBearerChallenge(challenge: BearerChallenge): string {
  const params = [`realm=${quote(challenge.realm)}`];
  if (challenge.error !== undefined) params.push(`error=${quote(challenge.error)}`);
  if (challenge.errorDescription !== undefined) {
    params.push(`error_description=${quote(challenge.errorDescription)}`);
  }
  if (challenge.scope !== undefined) params.push(`scope=${quote(challenge.scope)}`);
  if (challenge.resourceMetadata !== undefined) {
    params.push(`resource_metadata=${quote(challenge.resourceMetadata)}`);
  }
  return `Bearer ${params.join(', ')}`;
}
