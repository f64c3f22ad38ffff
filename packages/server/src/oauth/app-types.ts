/**
 * The kinds of app a developer picks in the portal, and the client type and grants each implies
 * (RFC 6749 §2.1 client types; RFC 8252 for native apps; RFC 9700 §2.1.1: PKCE for every code flow).
 */

/** An app type's name, as the portal form and the management API take it. */
export type AppTypeName = 'web' | 'native' | 'service';

/** What a type means. */
export interface AppType {
  /** The label the portal shows. */
  label: string;
  /** A public client has no secret (RFC 6749 §2.1). */
  isPublic: boolean;
  grants: string[];
  /** Whether the type redirects a user back to it, so it needs a redirect URI. */
  redirects: boolean;
}

/** Every type: a server-side web app with a secret, a browser/mobile/desktop app without one, a service. */
export const APP_TYPES: Readonly<Record<AppTypeName, AppType>> = {
  web: {
    label: 'Server-side web app (has a client secret)',
    isPublic: false,
    grants: ['authorization_code', 'refresh_token'],
    redirects: true,
  },
  native: {
    label: 'Browser, mobile or desktop app (no secret; PKCE)',
    isPublic: true,
    grants: ['authorization_code', 'refresh_token'],
    redirects: true,
  },
  service: {
    label: 'Server-to-server (client credentials)',
    isPublic: false,
    grants: ['client_credentials'],
    redirects: false,
  },
};

/** Whether `name` is a type. */
export function isAppTypeName(name: unknown): name is AppTypeName {
  return typeof name === 'string' && Object.hasOwn(APP_TYPES, name);
}

/** The type an existing app is, from its client type and grants. */
export function appTypeOf(app: { isPublic: boolean; grantTypes: readonly string[] }): AppTypeName {
  if (app.isPublic) return 'native';
  return app.grantTypes.includes('authorization_code') ? 'web' : 'service';
}
