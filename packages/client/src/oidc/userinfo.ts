// The UserInfo request (OpenID Connect Core §5.3): a GET with the access token as Bearer.

import { OAuthResponseError, OpenIdError } from '../errors.js';
import { type FetchLike, invalidResponse, parseOAuthJson, send } from '../http.js';

/**
 * Claims returned by the UserInfo endpoint; `sub` is always there.
 * @see https://openid.net/specs/openid-connect-core-1_0.html#StandardClaims
 */
export interface UserInfo {
  /** The subject: the same user as the ID token's `sub`. */
  sub: string;
  /** `name`, with the `profile` scope. */
  name?: string;
  /** `email`, with the `email` scope. */
  email?: string;
  /** `email_verified`, with the `email` scope. */
  email_verified?: boolean;
  /** Any other claim. */
  [claim: string]: unknown;
}

/**
 * Sends the UserInfo request and checks the answer: a Bearer error in `WWW-Authenticate` (RFC 6750
 * §3) becomes {@link OAuthResponseError}; a JSON object without a string `sub` is an invalid response;
 * a `sub` other than `expectedSub` (the ID token's) is `OIDC_USERINFO_SUBJECT_MISMATCH` (§5.3.2).
 * @see https://openid.net/specs/openid-connect-core-1_0.html#UserInfoRequest
 * @see https://openid.net/specs/openid-connect-core-1_0.html#UserInfoResponse
 */
export async function requestUserInfo(
  fetchFn: FetchLike,
  endpoint: string,
  accessToken: string,
  expectedSub: string | undefined,
  timeoutMs: number,
): Promise<UserInfo> {
  const response = await send(
    fetchFn,
    endpoint,
    { headers: { accept: 'application/json', authorization: `Bearer ${accessToken}` } },
    timeoutMs,
    'userinfo request',
  );
  // RFC 6750 §3: the error is in the Bearer challenge (error="invalid_token"), the body often empty.
  const error = /\berror="([^"]*)"/.exec(response.headers.get('www-authenticate') ?? '')?.[1];
  if (!response.ok && error) throw new OAuthResponseError(response.status, { error });
  const body = parseOAuthJson(response, 'userinfo request');
  const sub = body['sub'];
  if (typeof sub !== 'string' || !sub) throw invalidResponse(response, 'userinfo response has no sub');
  if (expectedSub !== undefined && sub !== expectedSub) {
    throw new OpenIdError('OIDC_USERINFO_SUBJECT_MISMATCH', 'userinfo sub is not the ID token sub');
  }
  return body as UserInfo;
}
