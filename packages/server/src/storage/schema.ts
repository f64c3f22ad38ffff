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

/** All tables. */
export interface Database {
  clients: ClientTable;
  client_secrets: ClientSecretTable;
  signing_keys: SigningKeyTable;
}
