/** The shape every grant handler has, and the token response it returns (RFC 6749 §5.1). */
import type { ServerContext } from '../context.js';
import type { Params } from '../shared/form.js';
import type { ClientWithSecrets } from '../storage/clients.js';

/** A successful token response, wire names per RFC 6749 §5.1. */
export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  scope: string;
  refresh_token?: string;
}

/** Handles one `grant_type` for an authenticated client that is allowed to use it. */
export type GrantHandler = (
  ctx: ServerContext,
  client: ClientWithSecrets,
  params: Params,
) => Promise<TokenResponse>;
