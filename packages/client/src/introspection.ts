// The introspection response, validated and turned into a camelCase IntrospectionResult.

import { invalidResponse, type ReadResponse } from './http.js';
import { toScopeList } from './scope.js';

/**
 * What the authorization server says about a token.
 * @see https://www.rfc-editor.org/rfc/rfc7662#section-2.2
 */
export interface IntrospectionResult {
  /** Whether the token is currently active. */
  active: boolean;
  /** `scope`, as a list. */
  scope: string[];
  /** `client_id`. */
  clientId: string | undefined;
  /** `username`. */
  username: string | undefined;
  /** `token_type`. */
  tokenType: string | undefined;
  /** `exp`, seconds since the epoch. */
  exp: number | undefined;
  /** `iat`, seconds since the epoch. */
  iat: number | undefined;
  /** `sub`. */
  sub: string | undefined;
  /** `aud`. */
  aud: string | string[] | undefined;
  /** `iss`. */
  iss: string | undefined;
  /** The full JSON response. */
  raw: Record<string, unknown>;
}

const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
const num = (value: unknown): number | undefined => (typeof value === 'number' ? value : undefined);

/**
 * Validates an introspection response body and builds an {@link IntrospectionResult}.
 * @see https://www.rfc-editor.org/rfc/rfc7662#section-2.2
 */
export function toIntrospectionResult(
  body: Record<string, unknown>,
  response: Pick<ReadResponse, 'status' | 'requestUrl'>,
): IntrospectionResult {
  if (typeof body['active'] !== 'boolean') {
    throw invalidResponse(response, 'introspection response has no boolean active');
  }
  const aud = body['aud'];
  return {
    active: body['active'],
    scope: typeof body['scope'] === 'string' ? toScopeList(body['scope']) : [],
    clientId: str(body['client_id']),
    username: str(body['username']),
    tokenType: str(body['token_type']),
    exp: num(body['exp']),
    iat: num(body['iat']),
    sub: str(body['sub']),
    aud: typeof aud === 'string' || Array.isArray(aud) ? (aud as string | string[]) : undefined,
    iss: str(body['iss']),
    raw: body,
  };
}
