// Error messages name what went wrong: both issuers on a mismatch, the URL (without secrets) on a transport error.

import { describe, expect, it } from 'vitest';
import { OAuthClient } from './client.js';
import { AuthorizationResponseError, OAuthTransportError } from './errors.js';
import type { FetchLike } from './http.js';
import { displayUrl, quoteValue } from './message-text.js';
import { json, tokenBody } from './test-support/mock-fetch.js';

const ISSUER = 'https://as.example/tenant/0d9a5f2c-1234-4bcd-9ef0-123456789abc/v2.0';
const WELL_KNOWN =
  'https://as.example/.well-known/oauth-authorization-server/tenant/0d9a5f2c-1234-4bcd-9ef0-123456789abc/v2.0';
const metadata = (issuer: unknown) => ({ issuer, token_endpoint: 'https://as.example/token' });
// Userinfo, query and fragment may carry credentials: none of them may reach a message.
const ENDPOINT = 'https://app-user:pa55word@as.example/oauth/token?tenant=t-secret&sig=s1gn4ture#frag';
const SHOWN = 'https://as.example/oauth/token';
const SECRETS = ['app-user', 'pa55word', 't-secret', 's1gn4ture', 'frag', '?'];

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

/** A client whose token and introspection endpoints carry userinfo and a query, answering with `fetch`. */
function clientWith(fetch: FetchLike, timeoutMs = 30_000): OAuthClient {
  return new OAuthClient({
    clientId: 'app-1',
    clientSecret: 'secret',
    tokenEndpoint: ENDPOINT,
    introspectionEndpoint: ENDPOINT,
    fetch,
    timeoutMs,
  });
}

function expectNamesEndpoint(error: Error, code: string): void {
  expect(error).toBeInstanceOf(OAuthTransportError);
  expect(error).toMatchObject({ code });
  expect(error.message).toContain(SHOWN);
  for (const secret of SECRETS) expect(error.message).not.toContain(secret);
}

describe('issuer mismatch messages name the expected and the received issuer', () => {
  it('discovery: the document names another issuer (RFC 8414 §3.3)', async () => {
    const fetch: FetchLike = async () => json(metadata('https://evil.example'));
    const error = await rejection(OAuthClient.discover(ISSUER, { clientId: 'a', fetch }));
    expect(error).toMatchObject({ code: 'OAUTH_INVALID_METADATA' });
    expect(error.message).toContain(`"https://evil.example"`);
    expect(error.message).toContain(`"${ISSUER}"`);
    expect(error.message).toContain(WELL_KNOWN);
  });

  it('discovery: the document names no issuer, or one that is not a string', async () => {
    const none = await rejection(
      OAuthClient.discover(ISSUER, { clientId: 'a', fetch: async () => json(metadata(undefined)) }),
    );
    expect(none.message).toContain(`names no issuer, not the expected issuer "${ISSUER}"`);
    const odd = await rejection(
      OAuthClient.discover(ISSUER, { clientId: 'a', fetch: async () => json(metadata(42)) }),
    );
    expect(odd.message).toContain(`names the issuer "42", not the expected issuer "${ISSUER}"`);
  });

  it('authorization response: iss differs from the issuer (RFC 9207 §2.4), both shown whole', async () => {
    const client = new OAuthClient({
      clientId: 'a',
      tokenEndpoint: 'https://as.example/token',
      issuer: ISSUER,
    });
    const evil = `https://evil.example/${'x'.repeat(60)}`;
    const error = await rejection(
      client.handleCallback(`/cb?code=c&state=s&iss=${encodeURIComponent(evil)}`, { state: 's' }),
    );
    expect(error).toBeInstanceOf(AuthorizationResponseError);
    expect(error).toMatchObject({ code: 'OAUTH_ISSUER_MISMATCH', error: 'issuer_mismatch' });
    expect(error.message).toContain(`"${evil}"`);
    expect(error.message).toContain(`the expected issuer "${ISSUER}"`);
  });

  it('authorization response: a missing iss names the expected issuer', async () => {
    const client = new OAuthClient({
      clientId: 'a',
      tokenEndpoint: 'https://as.example/token',
      issuer: ISSUER,
      authorizationResponseIssParameterSupported: true,
    });
    const error = await rejection(client.handleCallback('/cb?code=c&state=s', { state: 's' }));
    expect(error).toMatchObject({ code: 'OAUTH_ISSUER_MISMATCH' });
    expect(error.message).toContain(`the iss parameter is missing, expected the issuer "${ISSUER}"`);
  });

  it('a received issuer is quoted with control characters escaped and cut at 100 characters', () => {
    expect(quoteValue('a\nb')).toBe('"a\\nb"');
    expect(quoteValue('y'.repeat(150))).toBe(`"${'y'.repeat(100)}…"`);
    expect(quoteValue(['x'])).toBe('"[\\"x\\"]"');
  });
});

describe('transport error messages name the URL, without userinfo, query or fragment', () => {
  it('fetch failed: OAUTH_NETWORK_ERROR', async () => {
    const client = clientWith(async () => {
      throw new TypeError('fetch failed');
    });
    expectNamesEndpoint(await rejection(client.clientCredentials()), 'OAUTH_NETWORK_ERROR');
  });

  it('no answer in time: OAUTH_TIMEOUT', async () => {
    const slow: FetchLike = (_input, init) =>
      new Promise((_resolve, reject) => {
        init?.signal?.addEventListener('abort', () => reject(init.signal?.reason));
      });
    expectNamesEndpoint(await rejection(clientWith(slow, 20).clientCredentials()), 'OAUTH_TIMEOUT');
  });

  it('HTTP error without an OAuth body: OAUTH_HTTP_ERROR', async () => {
    const client = clientWith(async () => new Response('<html>Bad gateway</html>', { status: 502 }));
    const error = await rejection(client.clientCredentials());
    expectNamesEndpoint(error, 'OAUTH_HTTP_ERROR');
    expect(error.message).toContain('HTTP 502');
  });

  it('a body that is not JSON, or a token / introspection answer missing members: OAUTH_INVALID_RESPONSE', async () => {
    expectNamesEndpoint(
      await rejection(clientWith(async () => new Response('hello')).clientCredentials()),
      'OAUTH_INVALID_RESPONSE',
    );
    expectNamesEndpoint(
      await rejection(clientWith(async () => json(tokenBody({ access_token: '' }))).clientCredentials()),
      'OAUTH_INVALID_RESPONSE',
    );
    expectNamesEndpoint(
      await rejection(clientWith(async () => json({ scope: 'x' })).introspect('t')),
      'OAUTH_INVALID_RESPONSE',
    );
  });

  it('discovery: the metadata URL that failed', async () => {
    const fetch: FetchLike = async () => {
      throw new TypeError('fetch failed');
    };
    const error = await rejection(OAuthClient.discover(ISSUER, { clientId: 'a', fetch }));
    expect(error).toMatchObject({ code: 'OAUTH_NETWORK_ERROR' });
    expect(error.message).toContain(WELL_KNOWN);
    const page = await rejection(
      OAuthClient.discover(ISSUER, { clientId: 'a', fetch: async () => new Response('<html>') }),
    );
    expect(page).toMatchObject({ code: 'OAUTH_INVALID_RESPONSE' });
    expect(page.message).toContain(WELL_KNOWN);
  });

  it('displayUrl drops userinfo, query and fragment, also from text that does not parse as a URL', () => {
    expect(displayUrl(ENDPOINT)).toBe(SHOWN);
    expect(displayUrl('https://as.example')).toBe('https://as.example/');
    expect(displayUrl('https://u:p@bad host/x?token=t#f')).toBe('https://bad host/x');
    expect(displayUrl('not a url?token=t')).toBe('not a url');
  });
});
