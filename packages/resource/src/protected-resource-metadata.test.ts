// RFC 9728 metadata URL construction and document; option validation of requireToken.
import { describe, expect, it } from 'vitest';
import { authorizationServerMetadataUrl } from './discovery.js';
import { protectedResourceMetadata, resourceMetadataUrl } from './protected-resource-metadata.js';
import { requireToken } from './require-token.js';
import { formatBearerChallenge } from './www-authenticate.js';

describe('RFC 9728 §3.1 metadata URL', () => {
  it('inserts the well-known path between host and path', () => {
    expect(resourceMetadataUrl('https://api.example.com')).toBe(
      'https://api.example.com/.well-known/oauth-protected-resource',
    );
    expect(resourceMetadataUrl('https://api.example.com/')).toBe(
      'https://api.example.com/.well-known/oauth-protected-resource',
    );
    expect(resourceMetadataUrl('https://api.example.com/v1/projects')).toBe(
      'https://api.example.com/.well-known/oauth-protected-resource/v1/projects',
    );
    expect(resourceMetadataUrl('http://127.0.0.1:8080/api')).toBe(
      'http://127.0.0.1:8080/.well-known/oauth-protected-resource/api',
    );
  });

  it('refuses fragments and non-URLs', () => {
    expect(() => resourceMetadataUrl('https://api.example.com/#x')).toThrow(TypeError);
    expect(() => resourceMetadataUrl('not a url')).toThrow(/not a valid URL/);
  });

  it('document holds resource, authorization_servers, scopes_supported, bearer_methods_supported', () => {
    const m = protectedResourceMetadata({
      resource: 'https://api.example.com/v1',
      authorizationServers: ['https://auth.example.com'],
      scopesSupported: ['data:read'],
      resourceName: 'Projects API',
    });
    expect(m.path).toBe('/.well-known/oauth-protected-resource/v1');
    expect(m.document).toEqual({
      resource: 'https://api.example.com/v1',
      authorization_servers: ['https://auth.example.com'],
      bearer_methods_supported: ['header'],
      scopes_supported: ['data:read'],
      resource_name: 'Projects API',
    });
  });
});

describe('RFC 8414 §3.1 metadata URL', () => {
  it('inserts the well-known path between host and issuer path', () => {
    expect(authorizationServerMetadataUrl('https://as.example')).toBe(
      'https://as.example/.well-known/oauth-authorization-server',
    );
    expect(authorizationServerMetadataUrl('https://as.example/tenant')).toBe(
      'https://as.example/.well-known/oauth-authorization-server/tenant',
    );
  });
});

describe('WWW-Authenticate', () => {
  it('strips quotes, backslashes and control characters from quoted values', () => {
    expect(formatBearerChallenge({ realm: 'a"b\\c\r\nd', error: 'invalid_token' })).toBe(
      'Bearer realm="abcd", error="invalid_token"',
    );
  });
});

describe('requireToken options fail fast, naming the option', () => {
  const base = { issuer: 'https://as.example', audience: 'https://api.example' };
  const cases: Array<[Record<string, unknown>, RegExp]> = [
    [{ issuer: undefined }, /"issuer"/],
    [{ issuer: 'ftp://as.example' }, /"issuer"/],
    [{ audience: undefined }, /"audience"/],
    [{ audience: [] }, /"audience"/],
    [{ algorithms: ['none'] }, /"algorithms"/],
    [{ algorithms: ['HS256'] }, /"algorithms"/],
    [{ algorithms: [] }, /"algorithms"/],
    [{ mode: 'opaque' }, /"mode"/],
    [{ mode: 'introspect' }, /"introspection"/],
    [{ mode: 'introspect', introspection: { clientId: 'a' } }, /"introspection.clientSecret"/],
    [{ leewaySeconds: -1 }, /"leewaySeconds"/],
    [{ jwksMaxBackoffSeconds: -1 }, /"jwksMaxBackoffSeconds"/],
    [{ scopes: ['a b'] }, /"scopes"/],
    [{ cache: { maxEntries: 0 } }, /"cache.maxEntries"/],
    [{ jwksUri: 'nope' }, /"jwksUri"/],
  ];
  for (const [override, message] of cases) {
    it(`${JSON.stringify(override)} → TypeError ${message}`, () => {
      expect(() => requireToken({ ...base, ...override } as never)).toThrow(TypeError);
      expect(() => requireToken({ ...base, ...override } as never)).toThrow(message);
    });
  }
});
