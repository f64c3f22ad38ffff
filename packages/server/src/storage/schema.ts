/** Table types for Kysely. Times are epoch seconds; booleans are 0/1 so one schema fits both dialects. */
import type { Generated } from 'kysely';

/** A single-use link sent by email (migration 014): only its hash is stored. */
export interface EmailLinkTable {
  id_hash: string;
  user_id: string;
  /** `verify` (24 h) or `reset` (30 min). */
  purpose: string;
  /** The address it was sent to: a verification counts only while the account still has it. */
  email: string;
  created_at: number;
  expires_at: number;
  used_at: number | null;
}

/** A Back-Channel Logout 1.0 logout token waiting to be delivered (migration 014). */
export interface LogoutDeliveryTable {
  id: Generated<number>;
  client_id: string;
  /** The signed logout token (a JWT naming `sub`/`sid`, no secret). */
  logout_token: string;
  attempts: Generated<number>;
  next_attempt_at: number;
  created_at: number;
}

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
  /** The user who owns the app (migration 012); null for an app created by the CLI without one. */
  owner_id: string | null;
  /** What the app does, as its developer says (migration 012; at most 500 characters); null: none. */
  description: string | null;
  /** The app's https home page (migration 012); null: none. */
  homepage_url: string | null;
  /** JWS algorithm of the app's ID tokens (migration 014); null: RS256 (OIDC Core §3.1.3.7). */
  id_token_signed_response_alg: string | null;
  /** `public` or `pairwise` (OIDC Core §8; migration 014). */
  subject_type: Generated<string>;
  /** JSON array of exact URIs RP-Initiated Logout may return to (migration 014). */
  post_logout_redirect_uris: Generated<string>;
  /** Where OIDC Back-Channel Logout 1.0 posts logout tokens (migration 014); null: none. */
  backchannel_logout_uri: string | null;
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
  /**
   * The private JWK sealed under the key-encryption key `kek_id` (`v1.<iv>.<ciphertext>.<tag>`,
   * keys/key-encryption.ts); in clear (JSON) only while `kek_id` is null, from before migration 007,
   * until the next start or `latchkey keys rewrap` seals it.
   */
  private_jwk: string;
  /** The KEK that sealed `private_jwk`; null: not sealed yet (migration 007). */
  kek_id: string | null;
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
  /** 1 for an admin, who sees and manages every app (migration 012; default 0). */
  is_admin: Generated<number>;
  /** Full name, shown and given as the `name` claim (migration 014); null: not given. */
  name: string | null;
  /** 1 once the user followed a verification link sent to `email` (migration 014). */
  email_verified: Generated<number>;
  /** When the name or email last changed (OIDC Core §5.1 `updated_at`); null: `created_at`. */
  updated_at: number | null;
}

/** A user who helps run an app they do not own (migration 012). */
export interface AppCollaboratorTable {
  client_id: string;
  user_id: string;
  added_at: number;
}

/** A browser session; the cookie holds a 256-bit value, the table its SHA-256. */
export interface SessionTable {
  id_hash: string;
  user_id: string;
  created_at: number;
  expires_at: number;
  /** The session's public ID, the ID token's `sid` (OIDC Core §2; migration 014); null: older rows. */
  sid: string | null;
  /** When the user last entered a password in this session (OIDC Core §2 `auth_time`); null: `created_at`. */
  auth_time: number | null;
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
  /** OIDC Core §3.1.2.1 `nonce`, echoed in the ID token (migration 014). */
  nonce: string | null;
  /** The sign-in session the request was made in (migration 014). */
  sid: string | null;
  /** When the user authenticated (migration 014). */
  auth_time: number | null;
  /** `query` or `form_post` (OAuth 2.0 Form Post Response Mode); null: query. */
  response_mode: string | null;
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
  /** OIDC Core §3.1.2.1 `nonce`, echoed in the ID token (migration 014). */
  nonce: string | null;
  /** The sign-in session the request was made in (migration 014). */
  sid: string | null;
  /** When the user authenticated (migration 014). */
  auth_time: number | null;
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
  /** The sign-in session the grant was made in (migration 014; Back-Channel Logout 1.0 §2.4). */
  sid: string | null;
  /** When the user authenticated for it: kept by refreshed ID tokens (OIDC Core §12.2). */
  auth_time: number | null;
}

/**
 * A refresh token. `id` is the selector the token carries encrypted (tokens/refresh-token-format.ts);
 * `rotated_at` is set once a newer token replaced it.
 */
export interface RefreshTokenTable {
  id: Generated<number>;
  /** SHA-256 of the whole token. */
  token_hash: string;
  /** 1: issued before migration 006 (a bare random token), found by `token_hash` instead of `id`. */
  legacy: Generated<number>;
  grant_id: string;
  client_id: string;
  created_at: number;
  expires_at: number;
  rotated_at: number | null;
  /** The token whose presentation this one answered (null: the first token of its grant). */
  predecessor_id: Generated<number | null>;
}

/** Access tokens revoked before expiry (RFC 7009), kept until they would have expired. */
export interface RevokedTokenTable {
  jti: string;
  expires_at: number;
}

/** Per-database secrets generated by a migration, e.g. `refresh_token_selector_key` (hex). */
export interface InstanceSecretTable {
  name: string;
  value: string;
}

/**
 * A security event or admin action (storage/audit.ts): kept until LATCHKEY_AUDIT_RETENTION has passed,
 * whatever becomes of the app, user or grant it names (no foreign keys).
 */
export interface AuditEventTable {
  id: Generated<number>;
  occurred_at: number;
  /** What happened: `grant.revoked`, `app.created`, ... (storage/audit.ts `AUDIT_EVENT_TYPES`). */
  type: string;
  /** Who did it: `cli`, `system`, a user ID or a client ID. */
  actor: string;
  client_id: string | null;
  user_id: string | null;
  /** A JSON object of what else matters (a reason, a grant ID, counts); never a secret. */
  details: string;
}

/**
 * A throttle's failure count for one key in its current window (throttle/postgres.ts): shared by every
 * server on the database. The key is the throttle's name and the SHA-256 of what it counts (an
 * address, a client ID, an account), never the value itself.
 */
export interface ThrottleCounterTable {
  key: string;
  count: number;
  /** When the window ends, epoch milliseconds on the database's clock. */
  reset_at_ms: number;
}

/**
 * A failed token or authorization request of an app, for its developer (migration 013; the newest 50
 * per app are kept: storage/activity/recent-errors.ts).
 */
export interface AppErrorTable {
  id: Generated<number>;
  client_id: string;
  occurred_at: number;
  /** `token` or `authorize`. */
  endpoint: string;
  /** The token request's grant_type when it is one the server supports; null otherwise. */
  grant_type: string | null;
  /** The OAuth error code (or the error page's code) the request was answered with. */
  error: string;
  /** Why, for the developer (at most 300 characters); never a secret, code or token. */
  reason: string;
}

/** Failures of an app not recorded in `app_errors` (over the recording rate), per UTC day (migration 013). */
export interface AppErrorDropTable {
  client_id: string;
  /** Days since 1970-01-01, UTC. */
  day: number;
  dropped: number;
}

/** Tokens issued to an app per UTC day and grant type, added to by every server (migration 013). */
export interface AppUsageTable {
  client_id: string;
  /** Days since 1970-01-01, UTC. */
  day: number;
  grant_type: string;
  issued: number;
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
  instance_secrets: InstanceSecretTable;
  app_collaborators: AppCollaboratorTable;
  audit_events: AuditEventTable;
  throttle_counters: ThrottleCounterTable;
  app_errors: AppErrorTable;
  app_error_drops: AppErrorDropTable;
  app_usage: AppUsageTable;
  email_links: EmailLinkTable;
  logout_deliveries: LogoutDeliveryTable;
}
