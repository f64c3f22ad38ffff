// Unit tests of userInfo() (OpenID Connect Core §5.3) and endSessionUrl() (RP-Initiated Logout 1.0).

import { describe, expect, it } from 'vitest';
import { OAuthClient } from '../client.js';
import { OAuthResponseError, OAuthTransportError, OpenIdError } from '../errors.js';
import { json } from '../test-support/mock-fetch.js';
import { CLIENT_ID, ISSUER, oidcClient, type ProviderState } from '../test-support/oidc-fixture.js';

function provider(userinfo: () => Response): ProviderState {
  return { jwks: [], token: {}, userinfo };
}

describe('userInfo', () => {
  it('GETs the userinfo endpoint with the access token as Bearer and returns the claims', async () => {
    const { client, calls } = oidcClient(
      provider(() => json({ sub: 'user-1', name: 'Ada', email_verified: true })),
    );
    const info = await client.userInfo('at-1');
    expect(info).toEqual({ sub: 'user-1', name: 'Ada', email_verified: true });
    expect(calls[0]!.request.method).toBe('GET');
    expect(calls[0]!.url.href).toBe(`${ISSUER}/userinfo`);
    expect(calls[0]!.request.headers.get('authorization')).toBe('Bearer at-1');
  });

  it('checks sub against the ID token of a token result, or options.sub (§5.3.2)', async () => {
    const { client } = oidcClient(provider(() => json({ sub: 'user-2' })));
    const tokens = { accessToken: 'at-1', idTokenClaims: { sub: 'user-1' } as never };
    const error = await client.userInfo(tokens).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenIdError);
    expect(error).toMatchObject({ code: 'OIDC_USERINFO_SUBJECT_MISMATCH' });
    await expect(client.userInfo('at-1', { sub: 'user-1' })).rejects.toMatchObject({
      code: 'OIDC_USERINFO_SUBJECT_MISMATCH',
    });
    expect((await client.userInfo({ accessToken: 'at-1' })).sub).toBe('user-2');
    expect((await client.userInfo(tokens, { sub: 'user-2' })).sub).toBe('user-2');
  });

  it('turns a Bearer challenge into OAuthResponseError (RFC 6750 §3), without the token in the message', async () => {
    const { client } = oidcClient(
      provider(
        () =>
          new Response(null, {
            status: 401,
            headers: {
              'www-authenticate': 'Bearer realm="op", error="invalid_token", error_description="gone"',
            },
          }),
      ),
    );
    const error = await client.userInfo('secret-access-token').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OAuthResponseError);
    expect(error).toMatchObject({ error: 'invalid_token', status: 401 });
    expect((error as Error).message).not.toContain('secret-access-token');
  });

  it('refuses an answer without sub, or not JSON (a signed userinfo JWT is not supported)', async () => {
    for (const answer of [
      () => json({ name: 'x' }),
      () => new Response('eyJ.e30.sig', { headers: { 'content-type': 'application/jwt' } }),
    ]) {
      const { client } = oidcClient(provider(answer));
      const error = await client.userInfo('at-1').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OAuthTransportError);
      expect(error).toMatchObject({ code: 'OAUTH_INVALID_RESPONSE' });
    }
  });

  it('throws TypeError on misuse', async () => {
    const { client } = oidcClient(provider(() => json({ sub: 'u' })));
    await expect(client.userInfo('')).rejects.toThrow(/accessToken/);
    await expect(client.userInfo(undefined as never)).rejects.toThrow(/accessToken/);
    const bare = new OAuthClient({ clientId: 'a' });
    await expect(bare.userInfo('at')).rejects.toThrow(/userinfoEndpoint is not configured/);
  });
});

describe('endSessionUrl', () => {
  it('builds the logout URL: endpoint query kept, client_id, id_token_hint, post_logout_redirect_uri, state', () => {
    const { client } = oidcClient(provider(() => json({})));
    const url = new URL(
      client.endSessionUrl({
        idTokenHint: 'id.token.hint',
        postLogoutRedirectUri: 'https://rp.example/signed-out',
        state: 'st-1',
        params: { ui_locales: 'fr', client_id: 'evil', state: 'evil' },
      }),
    );
    expect(url.origin + url.pathname).toBe(`${ISSUER}/logout`);
    expect(Object.fromEntries(url.searchParams)).toEqual({
      ui: 'compact',
      ui_locales: 'fr',
      client_id: CLIENT_ID,
      id_token_hint: 'id.token.hint',
      post_logout_redirect_uri: 'https://rp.example/signed-out',
      state: 'st-1',
    });
    expect(new URL(client.endSessionUrl()).searchParams.toString()).toBe(`ui=compact&client_id=${CLIENT_ID}`);
  });

  it('throws TypeError on misuse', () => {
    const { client } = oidcClient(provider(() => json({})));
    expect(() => client.endSessionUrl({ postLogoutRedirectUri: 'not a url' })).toThrow(
      /postLogoutRedirectUri/,
    );
    expect(() => new OAuthClient({ clientId: 'a' }).endSessionUrl()).toThrow(/endSessionEndpoint/);
  });
});
