// Unit tests of OAuthClient's revoke and introspect requests with an injected fetch.

import { describe, expect, it } from 'vitest';
import { OAuthClient } from './client.js';
import { json } from './test-support/mock-fetch.js';
import { client, rejection } from './test-support/oauth-client-fixture.js';

describe('revoke and introspect', () => {
  it('revoke posts token and hint with client auth and accepts an empty 200', async () => {
    const { client: c, calls } = client(() => new Response(null, { status: 200 }));
    await c.revoke('rt-1', 'refresh_token');
    expect(calls[0]!.url.href).toBe('https://as.example/revoke');
    expect(calls[0]!.request.headers.get('authorization')).toMatch(/^Basic /);
    expect(Object.fromEntries(calls[0]!.form)).toEqual({ token: 'rt-1', token_type_hint: 'refresh_token' });
  });

  it('revoke surfaces errors', async () => {
    const { client: c } = client(() => json({ error: 'unsupported_token_type' }, 400));
    expect(await rejection(c.revoke('x'))).toMatchObject({ error: 'unsupported_token_type' });
    const { client: c2 } = client(() => new Response('busy', { status: 503 }));
    expect(await rejection(c2.revoke('x'))).toMatchObject({ code: 'OAUTH_HTTP_ERROR', status: 503 });
  });

  it('introspect returns a camelCase result', async () => {
    const body = {
      active: true,
      scope: 'a b',
      client_id: 'app-1',
      username: 'u',
      token_type: 'Bearer',
      exp: 10,
      iat: 5,
      sub: 's',
      aud: ['x'],
      iss: 'https://as.example',
    };
    const { client: c, calls } = client(() => json(body));
    expect(await c.introspect('at-1')).toEqual({
      active: true,
      scope: ['a', 'b'],
      clientId: 'app-1',
      username: 'u',
      tokenType: 'Bearer',
      exp: 10,
      iat: 5,
      sub: 's',
      aud: ['x'],
      iss: 'https://as.example',
      raw: body,
    });
    expect(calls[0]!.form.get('token')).toBe('at-1');
    const { client: c2 } = client(() => json({ active: false }));
    expect(await c2.introspect('x', 'access_token')).toMatchObject({
      active: false,
      scope: [],
      clientId: undefined,
    });
  });

  it('introspect rejects a body without boolean active', async () => {
    const { client: c } = client(() => json({ active: 'yes' }));
    expect(await rejection(c.introspect('x'))).toMatchObject({ code: 'OAUTH_INVALID_RESPONSE' });
  });

  it('throws TypeError on misuse', async () => {
    const bare = new OAuthClient({ clientId: 'a', tokenEndpoint: 'https://as/token' });
    await expect(bare.revoke('t')).rejects.toThrow(/revocationEndpoint/);
    await expect(bare.introspect('t')).rejects.toThrow(/introspectionEndpoint/);
    await expect(bare.revoke('')).rejects.toThrow(/token/);
    await expect(bare.introspect(1 as never)).rejects.toThrow(/token/);
  });
});
