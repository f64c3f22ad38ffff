/** An application (client) as the server uses it, with or without its secrets' hashes. */
import type { SigningAlgorithm } from '../keys/signing-key.js';

/** OIDC Core §8: `public` (one `sub` per user) or `pairwise` (one per user and sector). */
export type SubjectType = 'public' | 'pairwise';

/** An application as the server uses it. */
export interface Client {
  id: string;
  name: string;
  isPublic: boolean;
  /** An API that may introspect tokens issued to other apps (RFC 7662 §2.1). */
  resourceServer: boolean;
  redirectUris: string[];
  grantTypes: string[];
  scopes: string[];
  createdAt: number;
  /** What the app does, as its developer says (the portal's Description). */
  description?: string;
  /** The app's https home page (the portal's Homepage URL). */
  homepageUrl?: string;
  /** JWS algorithm of its ID tokens (OIDC Dynamic Client Registration §2); RS256 when absent. */
  idTokenSignedResponseAlg?: SigningAlgorithm;
  /** OIDC Core §8 subject identifier type. */
  subjectType: SubjectType;
  /** Exact URIs RP-Initiated Logout 1.0 §3 may send the browser back to. */
  postLogoutRedirectUris: string[];
  /** Where OIDC Back-Channel Logout 1.0 §2.2 logout tokens are posted; absent: none. */
  backchannelLogoutUri?: string;
}

/** A client with the hashes of the secrets valid now (more than one during a rotation grace). */
export interface ClientWithSecrets extends Client {
  secretHashes: string[];
}
