// Test helper: an OAuthClient with every endpoint set and an injected recording fetch, and a rejection catcher.

import { OAuthClient } from '../client.js';
import { mockFetch } from './mock-fetch.js';

/** The client secret of the fixture: it must never appear in messages or serialised clients. */
export const SECRET = 'sup3r secret:+/';

/** Options of the fixture client: every endpoint of `https://as.example`, id `app-1`, {@link SECRET}. */
export const base = {
  clientId: 'app-1',
  clientSecret: SECRET,
  authorizationEndpoint: 'https://as.example/authorize',
  tokenEndpoint: 'https://as.example/token',
  revocationEndpoint: 'https://as.example/revoke',
  introspectionEndpoint: 'https://as.example/introspect',
  issuer: 'https://as.example',
};

/** A fixture client (with `options` over {@link base}) whose fetch answers with `handler` and records the calls. */
export function client(handler: Parameters<typeof mockFetch>[0], options: Record<string, unknown> = {}) {
  const mock = mockFetch(handler);
  return { client: new OAuthClient({ ...base, ...options, fetch: mock.fetch }), calls: mock.calls };
}

/** The error `promise` rejects with; throws when it resolves. */
export async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}
