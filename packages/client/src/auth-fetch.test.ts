// Unit tests of authFetch: Bearer header, one renewal and one retry on invalid_token.

import { describe, expect, it } from 'vitest';
import { authFetch, isInvalidTokenResponse } from './auth-fetch.js';
import { OAuthClient } from './client.js';
import { json, mockFetch, tokenBody } from './test-support/mock-fetch.js';
import { TokenManager } from './token-manager.js';

function setup() {
  let n = 0;
  const as = mockFetch(() => json(tokenBody({ access_token: `at-${++n}` })));
  const client = new OAuthClient({
    clientId: 'a',
    clientSecret: 's',
    tokenEndpoint: 'https://as/token',
    fetch: as.fetch,
  });
  return { manager: new TokenManager(client), tokenCalls: as.calls };
}

const challenge = (error?: string) =>
  new Response('no', {
    status: 401,
    headers: { 'www-authenticate': `Bearer realm="api"${error ? `, error="${error}"` : ''}` },
  });

describe('authFetch', () => {
  it('adds the Bearer token and keeps method, headers and body', async () => {
    const { manager } = setup();
    const api = mockFetch(() => json({ ok: true }));
    const fetch = authFetch(manager, { fetch: api.fetch, scope: 'read' });
    const response = await fetch('https://api/items', {
      method: 'POST',
      headers: { 'x-trace': '1' },
      body: 'payload',
    });
    expect(await response.json()).toEqual({ ok: true });
    const { request, body } = api.calls[0]!;
    expect(request.headers.get('authorization')).toBe('Bearer at-1');
    expect(request.headers.get('x-trace')).toBe('1');
    expect(request.method).toBe('POST');
    expect(body).toBe('payload');
  });

  it('renews once and retries once on 401 invalid_token, replaying the body', async () => {
    const { manager, tokenCalls } = setup();
    const api = mockFetch(({ request }) =>
      request.headers.get('authorization') === 'Bearer at-1' ? challenge('invalid_token') : json({ ok: 2 }),
    );
    const fetch = authFetch(manager, { fetch: api.fetch });
    const response = await fetch(new Request('https://api/x', { method: 'PUT', body: 'data' }));
    expect(response.status).toBe(200);
    expect(api.calls.map((c) => [c.request.headers.get('authorization'), c.body])).toEqual([
      ['Bearer at-1', 'data'],
      ['Bearer at-2', 'data'],
    ]);
    expect(tokenCalls).toHaveLength(2);
  });

  it('does not retry a second time, nor on 401 without invalid_token, nor on 403', async () => {
    const { manager, tokenCalls } = setup();
    const always = mockFetch(() => challenge('invalid_token'));
    expect((await authFetch(manager, { fetch: always.fetch })('https://api/x')).status).toBe(401);
    expect(always.calls).toHaveLength(2);
    const plain = mockFetch(() => challenge());
    expect((await authFetch(manager, { fetch: plain.fetch })('https://api/x')).status).toBe(401);
    expect(plain.calls).toHaveLength(1);
    const forbidden = mockFetch(
      () =>
        new Response('', {
          status: 403,
          headers: { 'www-authenticate': 'Bearer error="insufficient_scope"' },
        }),
    );
    expect((await authFetch(manager, { fetch: forbidden.fetch })('https://api/x')).status).toBe(403);
    expect(forbidden.calls).toHaveLength(1);
    expect(tokenCalls).toHaveLength(2);
  });

  it('concurrent 401s share one renewal', async () => {
    const { manager, tokenCalls } = setup();
    const api = mockFetch(({ request }) =>
      request.headers.get('authorization') === 'Bearer at-1' ? challenge('invalid_token') : json({}),
    );
    const fetch = authFetch(manager, { fetch: api.fetch });
    await manager.getAccessToken();
    const statuses = await Promise.all(
      Array.from({ length: 10 }, () => fetch('https://api/x').then((r) => r.status)),
    );
    expect(statuses.every((s) => s === 200)).toBe(true);
    expect(tokenCalls).toHaveLength(2);
  });

  it('recognises invalid_token challenges only', () => {
    expect(isInvalidTokenResponse(challenge('invalid_token'))).toBe(true);
    expect(isInvalidTokenResponse(challenge('invalid_request'))).toBe(false);
    expect(
      isInvalidTokenResponse(
        new Response('', { status: 401, headers: { 'www-authenticate': 'Basic realm="x"' } }),
      ),
    ).toBe(false);
    expect(
      isInvalidTokenResponse(
        new Response('', { status: 401, headers: { 'WWW-Authenticate': 'bearer error=invalid_token' } }),
      ),
    ).toBe(true);
  });

  it('rejects a missing manager', () => {
    expect(() => authFetch(undefined as never)).toThrow(/manager/);
  });
});
