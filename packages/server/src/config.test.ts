import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, parseDuration } from './config.js';

describe('loadConfig', () => {
  it('has the documented defaults', () => {
    const c = loadConfig({}, '/srv');
    expect(c).toMatchObject({
      port: 4000,
      host: '127.0.0.1',
      issuer: 'http://localhost:4000',
      audience: 'http://localhost:4000',
      dataDir: '/srv/.latchkey',
      databaseUrl: '/srv/.latchkey/latchkey.db',
      signingAlg: 'ES256',
      accessTokenTtl: 3600,
      scopes: ['data:read', 'data:write'],
    });
  });
  it('follows PORT in the default issuer; LATCHKEY_AUDIENCE overrides aud', () => {
    const c = loadConfig({ PORT: '5000', LATCHKEY_AUDIENCE: 'https://api.example' }, '/srv');
    expect(c.issuer).toBe('http://localhost:5000');
    expect(c.audience).toBe('https://api.example');
  });
  it.each([
    [{ PORT: 'eighty' }, /PORT/],
    [{ LATCHKEY_ISSUER: 'not a url' }, /LATCHKEY_ISSUER/],
    [{ LATCHKEY_ISSUER: 'https://a.example/?x=1' }, /LATCHKEY_ISSUER/],
    [{ LATCHKEY_SIGNING_ALG: 'HS256' }, /LATCHKEY_SIGNING_ALG/],
    [{ LATCHKEY_ACCESS_TOKEN_TTL: '1 week' }, /LATCHKEY_ACCESS_TOKEN_TTL/],
    [{ LATCHKEY_LOG_LEVEL: 'loud' }, /LATCHKEY_LOG_LEVEL/],
    [{ LATCHKEY_DEMO_APP: 'yes' }, /LATCHKEY_DEMO_APP must be true or false, got "yes"/],
    [{ LATCHKEY_SCOPES: '   ' }, /LATCHKEY_SCOPES must name at least one scope/],
  ])('fails fast naming the option: %j', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });
  it('reads LATCHKEY_DEMO_APP once: empty is the default (true), as for every boolean', () => {
    expect(loadConfig({ LATCHKEY_DEMO_APP: '' }).demoApp).toBe(true);
    expect(loadConfig({}).demoApp).toBe(true);
    expect(loadConfig({ LATCHKEY_DEMO_APP: 'false' }).demoApp).toBe(false);
    expect(loadConfig({ LATCHKEY_SIGNUP: '' }).signupEnabled).toBe(true);
  });
  it('LATCHKEY_SCOPES: empty is the default catalogue; extra spaces are ignored', () => {
    expect(loadConfig({ LATCHKEY_SCOPES: '' }).scopes).toEqual(['data:read', 'data:write']);
    expect(loadConfig({ LATCHKEY_SCOPES: ' a:read  b:write ' }).scopes).toEqual(['a:read', 'b:write']);
  });
  it('LATCHKEY_DATABASE_TIMEOUT: 5 s by default, a duration from 1 s to 60 s, else an error naming it', () => {
    expect(loadConfig({}).databaseTimeoutMs).toBe(5000);
    expect(loadConfig({ LATCHKEY_DATABASE_TIMEOUT: '2s' }).databaseTimeoutMs).toBe(2000);
    expect(loadConfig({ LATCHKEY_DATABASE_TIMEOUT: '1m' }).databaseTimeoutMs).toBe(60_000);
    for (const bad of ['0', '2m', 'soon', '500ms']) {
      expect(() => loadConfig({ LATCHKEY_DATABASE_TIMEOUT: bad })).toThrow(ConfigError);
      expect(() => loadConfig({ LATCHKEY_DATABASE_TIMEOUT: bad })).toThrow(/LATCHKEY_DATABASE_TIMEOUT/);
    }
  });
  it('parses durations', () => {
    expect(parseDuration('90s', 'x')).toBe(90);
    expect(parseDuration('15m', 'x')).toBe(900);
    expect(parseDuration('24h', 'x')).toBe(86400);
    expect(parseDuration('14d', 'x')).toBe(1_209_600);
    expect(parseDuration('3600', 'x')).toBe(3600);
  });
});
