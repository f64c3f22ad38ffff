// Unit tests of OAuthClient's failures with an injected fetch: OAuth error bodies, bad answers, network, timeout.

import { describe, expect, it } from 'vitest';
import { OAuthClient } from './client.js';
import { OAuthResponseError, OAuthTransportError } from './errors.js';
import { json } from './test-support/mock-fetch.js';
import { base, client, rejection, SECRET } from './test-support/oauth-client-fixture.js';

describe('errors', () => {
  it('an error body becomes OAuthResponseError with all fields', async () => {
    const body = { error: 'invalid_grant', error_description: 'code expired', error_uri: 'https://e' };
    const { client: c } = client(() => json(body, 400));
    const err = await rejection(c.exchangeCode('c'));
    expect(err).toBeInstanceOf(OAuthResponseError);
    expect(err).toMatchObject({
      code: 'OAUTH_RESPONSE_ERROR',
      error: 'invalid_grant',
      errorDescription: 'code expired',
      errorUri: 'https://e',
      status: 400,
      body,
    });
    expect(err.message).toContain('invalid_grant');
  });

  it('an error body with HTTP 200 is still an OAuthResponseError', async () => {
    const { client: c } = client(() => json({ error: 'invalid_client' }, 200));
    expect(await rejection(c.clientCredentials())).toMatchObject({
      code: 'OAUTH_RESPONSE_ERROR',
      status: 200,
    });
  });

  it('a non-JSON error page is an OAuthTransportError keeping the status', async () => {
    const { client: c } = client(() => new Response('<html>Bad gateway</html>', { status: 502 }));
    const err = await rejection(c.clientCredentials());
    expect(err).toBeInstanceOf(OAuthTransportError);
    expect(err).toMatchObject({ code: 'OAUTH_HTTP_ERROR', status: 502 });
  });

  it('a non-JSON 200 is OAUTH_INVALID_RESPONSE', async () => {
    const { client: c } = client(() => new Response('hello', { status: 200 }));
    expect(await rejection(c.clientCredentials())).toMatchObject({
      code: 'OAUTH_INVALID_RESPONSE',
      status: 200,
    });
    const { client: c2 } = client(() => json([1, 2]));
    expect(await rejection(c2.clientCredentials())).toMatchObject({ code: 'OAUTH_INVALID_RESPONSE' });
  });

  it.each([
    [{ token_type: 'Bearer' }],
    [{ access_token: '' }],
    [{ access_token: 'a', expires_in: 'soon' }],
    [{ access_token: 'a', expires_in: -1 }],
    [{ access_token: 'a', token_type: 1 }],
    [{ access_token: 'a', refresh_token: 1 }],
    [{ access_token: 'a', scope: ['x'] }],
  ])('an invalid token response %j is OAUTH_INVALID_RESPONSE', async (body) => {
    const { client: c } = client(() => json(body));
    expect(await rejection(c.clientCredentials())).toMatchObject({
      code: 'OAUTH_INVALID_RESPONSE',
      status: 200,
    });
  });

  it('a network failure is OAUTH_NETWORK_ERROR with the cause', async () => {
    const { client: c } = client(() => {
      throw new TypeError('fetch failed');
    });
    const err = await rejection(c.clientCredentials());
    expect(err).toMatchObject({ code: 'OAUTH_NETWORK_ERROR', status: undefined });
    expect((err as Error & { cause: Error }).cause.message).toBe('fetch failed');
  });

  it('a slow server is OAUTH_TIMEOUT through AbortSignal', async () => {
    const slow = (_: unknown, init?: RequestInit) =>
      new Promise<Response>((_resolve, reject) => {
        init?.signal?.addEventListener('abort', () => reject(init.signal?.reason));
      });
    const c = new OAuthClient({ ...base, timeoutMs: 20, fetch: slow });
    expect(await rejection(c.clientCredentials())).toMatchObject({ code: 'OAUTH_TIMEOUT' });
  });

  it('never puts the secret or tokens in error messages', async () => {
    const { client: c } = client(() => json({ error: 'invalid_client' }, 401));
    const messages = [
      (await rejection(c.clientCredentials())).message,
      (await rejection(c.refresh('rt-secret-value'))).message,
      (await rejection(c.revoke('at-secret-value'))).message,
    ];
    for (const message of messages) {
      expect(message).not.toContain(SECRET);
      expect(message).not.toContain('secret-value');
      expect(message).not.toContain(btoa('app-1:sup3r+secret%3A%2B%2F'));
    }
  });
});
