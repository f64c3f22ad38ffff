/** Table types for Kysely. Times are epoch seconds; booleans are 0/1 so one schema fits both dialects. */
/** A registered application (OAuth client). */
export interface ClientTable {
  id: string;
  name: string;
  is_public: number;
  /** JSON array of exact redirect URIs. */
  redirect_uris: string;
  /** JSON array of enabled grant types. */
  grant_types: string;
  /** Space-delimited allowed scopes. */
  scopes: string;
  created_at: number;
  /** 1 if the app is an API that may introspect tokens issued to other apps (RFC 7662 §2.1). */
  is_resource_server: number;
}

/** A client secret, stored as SHA-256; several may be valid during a rotation's grace period. */
export interface ClientSecretTable {
  id: string;
  client_id: string;
  secret_hash: string;
  created_at: number;
  /** null: valid until rotated. */
  expires_at: number | null;
}

/** A signing key: `next` (published, not yet signing), `active` (signing), `retired` (published until expiry). */
export interface SigningKeyTable {
  kid: string;
  alg: string;
  state: 'next' | 'active' | 'retired';
  private_jwk: string;
  public_jwk: string;
  created_at: number;
  /** For retired keys: when every token it signed has expired, so it may leave the JWKS. */
  publish_until: number | null;
}

/** A person who signs in on the login page. */
export interface UserTable {
  id: string;
  /** Lower-cased. */
  email: string;
  /** `scrypt$N$r$p$salt$hash`. */
  password_hash: string;
  created_at: number;
}

/** A browser session; the cookie holds a 256-bit value, the table its SHA-256. */
export interface SessionTable {
  id_hash: string;
  user_id: string;
  created_at: number;
  expires_at: number;
}

/** What a user allowed an app: remembered per user and app, the scopes as a space-delimited set. */
export interface ConsentTable {
  user_id: string;
  client_id: string;
  scopes: string;
  created_at: number;
}

/** A validated authorization request waiting for the user's decision on the consent page. */
export interface AuthorizationRequestTable {
  id_hash: string;
  client_id: string;
  user_id: string;
  redirect_uri: string;
  redirect_uri_given: number;
  scopes: string;
  state: string | null;
  code_challenge: string | null;
  expires_at: number;
}

/** An authorization code (hashed), single use, bound to client, redirect URI, PKCE, user, scopes. */
export interface AuthorizationCodeTable {
  code_hash: string;
  client_id: string;
  user_id: string;
  redirect_uri: string;
  /** 1 if the authorization request named redirect_uri (then the token request must repeat it). */
  redirect_uri_given: number;
  scopes: string;
  code_challenge: string | null;
  expires_at: number;
  used_at: number | null;
  /** The grant created when the code was redeemed (to revoke it on replay). */
  grant_id: string | null;
}

/** A user's grant to a client: the family that its refresh tokens and access tokens belong to. */
export interface GrantTable {
  id: string;
  user_id: string;
  client_id: string;
  scopes: string;
  created_at: number;
  revoked_at: number | null;
}

/** A refresh token (hashed). `rotated_at` is set once a newer token replaced it. */
export interface RefreshTokenTable {
  token_hash: string;
  grant_id: string;
  client_id: string;
  created_at: number;
  expires_at: number;
  rotated_at: number | null;
}

/** Access tokens revoked before expiry (RFC 7009), kept until they would have expired. */
export interface RevokedTokenTable {
  jti: string;
  expires_at: number;
}

/** All tables. */
export interface Database {
  clients: ClientTable;
  client_secrets: ClientSecretTable;
  signing_keys: SigningKeyTable;
  users: UserTable;
  sessions: SessionTable;
  consents: ConsentTable;
  authorization_requests: AuthorizationRequestTable;
  authorization_codes: AuthorizationCodeTable;
  grants: GrantTable;
  refresh_tokens: RefreshTokenTable;
  revoked_tokens: RevokedTokenTable;
}
