/**
 * Two-legged token requests (RFC 6749 §4.4) with an app's ID and secret as HTTP Basic credentials
 * (RFC 6749 §2.3.1): how the portal and management API tests check that a secret shown once works.
 */
import { tokenRequest } from './attacks.js';
import type { TestServer } from './server.js';

/** The Authorization header value of HTTP Basic credentials (RFC 7617 §2). */
export const basicOf = (id: string, secret: string) =>
  `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

/** A client-credentials token request (RFC 6749 §4.4.2) with this app ID and secret. */
export const twoLegged = (s: TestServer, id: string, secret: string) =>
  tokenRequest(s.app, basicOf(id, secret), { grant_type: 'client_credentials' });
