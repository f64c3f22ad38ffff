// Unit tests of the OAuthClient constructor: option validation, auth method defaults, no secret exposed.

import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { OAuthClient } from './client.js';
import { base, SECRET } from './test-support/oauth-client-fixture.js';

describe('OAuthClient constructor', () => {
  it.each([
    [{}, 'clientId'],
    [{ clientId: '' }, 'clientId'],
    [{ clientId: 'a', clientSecret: 5 }, 'clientSecret'],
    [{ clientId: 'a', tokenEndpoint: 'not a url' }, 'tokenEndpoint'],
    [{ clientId: 'a', authorizationEndpoint: '/relative' }, 'authorizationEndpoint'],
    [{ clientId: 'a', issuer: 7 }, 'issuer'],
    [{ clientId: 'a', redirectUri: 'x' }, 'redirectUri'],
    [{ clientId: 'a', authMethod: 'private_key_jwt', clientSecret: 's' }, 'authMethod'],
    [{ clientId: 'a', authMethod: 'client_secret_post' }, 'clientSecret'],
    [{ clientId: 'a', tokenRequestEncoding: 'xml' }, 'tokenRequestEncoding'],
    [{ clientId: 'a', timeoutMs: 0 }, 'timeoutMs'],
    [{ clientId: 'a', fetch: 'no' }, 'fetch'],
    [{ clientId: 'a', jwksUri: 'keys' }, 'jwksUri'],
    [{ clientId: 'a', userinfoEndpoint: 5 }, 'userinfoEndpoint'],
    [{ clientId: 'a', endSessionEndpoint: '/logout' }, 'endSessionEndpoint'],
    [{ clientId: 'a', clockToleranceSeconds: -1 }, 'clockToleranceSeconds'],
  ])('rejects %j with a TypeError naming %s', (options, name) => {
    expect(() => new OAuthClient(options as never)).toThrow(TypeError);
    expect(() => new OAuthClient(options as never)).toThrow(name);
  });

  it('rejects a missing options object', () => {
    expect(() => new OAuthClient(undefined as never)).toThrow(TypeError);
  });

  it('defaults to client_secret_basic with a secret and none without', () => {
    expect(new OAuthClient({ clientId: 'a', clientSecret: 's' }).authMethod).toBe('client_secret_basic');
    expect(new OAuthClient({ clientId: 'a' }).authMethod).toBe('none');
  });

  it('does not expose the secret when inspected or serialised', () => {
    const c = new OAuthClient(base);
    expect(JSON.stringify(c)).not.toContain(SECRET);
    expect(Object.values(c)).not.toContain(SECRET);
    expect(inspect(c, { depth: 8, showHidden: true })).not.toContain(SECRET);
  });
});
