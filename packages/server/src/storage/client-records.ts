/** An application (client) as the server uses it, with or without its secrets' hashes. */

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
}

/** A client with the hashes of the secrets valid now (more than one during a rotation grace). */
export interface ClientWithSecrets extends Client {
  secretHashes: string[];
}
