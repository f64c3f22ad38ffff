// Unit tests of discovery (RFC 8414 path insertion, OIDC fallback, issuer check) and presets.

import { describe, expect, it } from 'vitest';
import { OAuthClient } from './client.js';
import { metadataUrls } from './discovery.js';
import { OAuthTransportError } from './errors.js';
import { providers } from './providers.js';
import { json, mockFetch, tokenBody } from './test-support/mock-fetch.js';

const metadata = (issuer: string, extra: Record<string, unknown> = {}) => ({
  issuer,
  authorization_endpoint: `${issuer}/authorize`,
  token_endpoint: `${issuer}/token`,
  revocation_endpoint: `${issuer}/revoke`,
  introspection_endpoint: `${issuer}/introspect`,
  ...extra,
});

describe('metadataUrls', () => {
  it('inserts the well-known segment before the path (RFC 8414 §3.1), then appends for OIDC', () => {
    expect(metadataUrls('https://as.example')).toEqual([
      'https://as.example/.well-known/oauth-authorization-server',
      'https://as.example/.well-known/openid-configuration',
    ]);
    expect(metadataUrls('https://as.example/tenant/1')).toEqual([
      'https://as.example/.well-known/oauth-authorization-server/tenant/1',
      'https://as.example/tenant/1/.well-known/openid-configuration',
    ]);
  });
});

describe('OAuthClient.discover', () => {
  it('uses RFC 8414 metadata and picks up endpoints, auth method and the iss requirement', async () => {
    const { fetch, calls } = mockFetch(() =>
      json(
        metadata('https://as.example/t', {
          token_endpoint_auth_methods_supported: ['client_secret_post'],
          authorization_response_iss_parameter_supported: true,
        }),
      ),
    );
    const client = await OAuthClient.discover('https://as.example/t', {
      clientId: 'a',
      clientSecret: 's',
      fetch,
    });
    expect(calls.map((c) => c.url.href)).toEqual([
      'https://as.example/.well-known/oauth-authorization-server/t',
    ]);
    expect(client).toMatchObject({
      issuer: 'https://as.example/t',
      tokenEndpoint: 'https://as.example/t/token',
      authorizationEndpoint: 'https://as.example/t/authorize',
      revocationEndpoint: 'https://as.example/t/revoke',
      introspectionEndpoint: 'https://as.example/t/introspect',
      authMethod: 'client_secret_post',
    });
    expect(client.metadata?.issuer).toBe('https://as.example/t');
    await expect(client.handleCallback('/cb?code=c&state=s', { state: 's' })).rejects.toMatchObject({
      code: 'OAUTH_ISSUER_MISMATCH',
    });
  });

  it('falls back to OpenID Connect discovery when RFC 8414 answers 404', async () => {
    const { fetch, calls } = mockFetch(({ url }) =>
      url.pathname.includes('openid') ? json(metadata('https://as.example')) : json({}, 404),
    );
    const client = await OAuthClient.discover('https://as.example', { clientId: 'a', fetch });
    expect(calls).toHaveLength(2);
    expect(client.authMethod).toBe('none');
    const basic = await OAuthClient.discover('https://as.example', {
      clientId: 'a',
      clientSecret: 's',
      fetch,
    });
    expect(basic.authMethod).toBe('client_secret_basic');
  });

  it('picks up the OpenID Connect members: jwks_uri, userinfo_endpoint, end_session_endpoint', async () => {
    const oidc = {
      jwks_uri: 'https://as.example/jwks',
      userinfo_endpoint: 'https://as.example/userinfo',
      end_session_endpoint: 'https://as.example/logout',
      scopes_supported: ['openid', 'profile'],
    };
    const { fetch, calls } = mockFetch(() => json(metadata('https://as.example', oidc)));
    const client = await OAuthClient.discover('https://as.example', { clientId: 'a', fetch });
    expect(calls).toHaveLength(1);
    expect(client).toMatchObject({
      jwksUri: 'https://as.example/jwks',
      userinfoEndpoint: 'https://as.example/userinfo',
      endSessionEndpoint: 'https://as.example/logout',
    });
  });

  it('completes an RFC 8414 document listing openid without userinfo_endpoint by the OIDC one', async () => {
    const { fetch, calls } = mockFetch(({ url }) =>
      url.pathname.includes('openid')
        ? json(metadata('https://as.example', { userinfo_endpoint: 'https://as.example/me' }))
        : json(
            metadata('https://as.example', {
              scopes_supported: ['openid'],
              jwks_uri: 'https://as.example/k',
            }),
          ),
    );
    const client = await OAuthClient.discover('https://as.example', { clientId: 'a', fetch });
    expect(calls).toHaveLength(2);
    expect(client).toMatchObject({
      userinfoEndpoint: 'https://as.example/me',
      jwksUri: 'https://as.example/k',
    });
    // Without an OIDC document, the RFC 8414 one is used alone.
    const { fetch: only } = mockFetch(({ url }) =>
      url.pathname.includes('openid')
        ? json({}, 404)
        : json(metadata('https://as.example', { scopes_supported: ['openid'] })),
    );
    const alone = await OAuthClient.discover('https://as.example', { clientId: 'a', fetch: only });
    expect(alone.userinfoEndpoint).toBeUndefined();
  });

  it('rejects a document whose issuer differs from the one asked (RFC 8414 §3.3)', async () => {
    const { fetch } = mockFetch(() => json(metadata('https://evil.example')));
    const error = await OAuthClient.discover('https://as.example', { clientId: 'a', fetch }).catch((e) => e);
    expect(error).toBeInstanceOf(OAuthTransportError);
    expect(error).toMatchObject({ code: 'OAUTH_INVALID_METADATA' });
    const slash = await OAuthClient.discover('https://evil.example/', { clientId: 'a', fetch }).catch(
      (e) => e,
    );
    expect(slash).toMatchObject({ code: 'OAUTH_INVALID_METADATA' });
  });

  it.each([
    [{ issuer: 'https://as.example' }],
    [{ issuer: 'https://as.example', token_endpoint: 'nope' }],
    [{ ...metadata('https://as.example'), revocation_endpoint: 5 }],
    [{ ...metadata('https://as.example'), jwks_uri: 'not a url' }],
    [{ ...metadata('https://as.example'), end_session_endpoint: 7 }],
  ])('rejects invalid metadata %j', async (doc) => {
    const { fetch } = mockFetch(() => json(doc));
    await expect(OAuthClient.discover('https://as.example', { clientId: 'a', fetch })).rejects.toMatchObject({
      code: 'OAUTH_INVALID_METADATA',
    });
  });

  it('reports the last failure when neither document exists', async () => {
    const { fetch } = mockFetch(() => new Response('not found', { status: 404 }));
    await expect(OAuthClient.discover('https://as.example', { clientId: 'a', fetch })).rejects.toMatchObject({
      code: 'OAUTH_HTTP_ERROR',
      status: 404,
    });
  });

  it('throws TypeError on misuse', async () => {
    await expect(OAuthClient.discover('nope', { clientId: 'a' })).rejects.toThrow(/issuer/);
    await expect(OAuthClient.discover('https://as.example?x=1', { clientId: 'a' })).rejects.toThrow(/issuer/);
    await expect(OAuthClient.discover('https://as.example', null as never)).rejects.toThrow(/options/);
  });
});

describe('providers', () => {
  it('autodesk() is APS v2 with Basic auth', () => {
    const client = new OAuthClient({ ...providers.autodesk(), clientId: 'id', clientSecret: 's' });
    expect(client).toMatchObject({
      authorizationEndpoint: 'https://developer.api.autodesk.com/authentication/v2/authorize',
      tokenEndpoint: 'https://developer.api.autodesk.com/authentication/v2/token',
      revocationEndpoint: 'https://developer.api.autodesk.com/authentication/v2/revoke',
      introspectionEndpoint: 'https://developer.api.autodesk.com/authentication/v2/introspect',
      authMethod: 'client_secret_basic',
    });
  });

  it('autodesk() carries APS OpenID Connect: issuer, keys, userinfo and logout', () => {
    const client = new OAuthClient({ ...providers.autodesk(), clientId: 'id', clientSecret: 's' });
    expect(client).toMatchObject({
      issuer: 'https://developer.api.autodesk.com',
      jwksUri: 'https://developer.api.autodesk.com/authentication/v2/keys',
      userinfoEndpoint: 'https://api.aps.autodesk.com/userinfo',
      endSessionEndpoint: 'https://developer.api.autodesk.com/authentication/v2/logout',
    });
    const logout = new URL(client.endSessionUrl({ postLogoutRedirectUri: 'https://app.example/out' }));
    expect(logout.searchParams.get('post_logout_redirect_uri')).toBe('https://app.example/out');
  });

  it('lokalise() sends a JSON token request with the credentials inside', async () => {
    const { fetch, calls } = mockFetch(() => json(tokenBody({ refresh_token: 'r' })));
    const client = new OAuthClient({ ...providers.lokalise(), clientId: 'id', clientSecret: 's', fetch });
    const url = new URL(client.auth(['read_projects'], 'https://app/cb', 'st'));
    expect(url.origin + url.pathname).toBe('https://app.lokalise.com/oauth2/auth');
    await client.token('c');
    await client.refresh('r');
    expect(calls[0]!.url.href).toBe('https://app.lokalise.com/oauth2/token');
    expect(JSON.parse(calls[0]!.body)).toEqual({
      grant_type: 'authorization_code',
      code: 'c',
      client_id: 'id',
      client_secret: 's',
    });
    expect(JSON.parse(calls[1]!.body)).toMatchObject({ grant_type: 'refresh_token', refresh_token: 'r' });
  });

  it('latchkey(issuer) is data that OAuthClient.create resolves by discovery', async () => {
    expect(providers.latchkey('https://auth.example')).toEqual({ issuer: 'https://auth.example' });
    const { fetch } = mockFetch(() => json(metadata('https://auth.example')));
    const client = await OAuthClient.create({
      ...providers.latchkey('https://auth.example'),
      clientId: 'a',
      fetch,
    });
    expect(client.tokenEndpoint).toBe('https://auth.example/token');
    const direct = await OAuthClient.create({ clientId: 'a', tokenEndpoint: 'https://x/token' });
    expect(direct.metadata).toBeUndefined();
  });
});
