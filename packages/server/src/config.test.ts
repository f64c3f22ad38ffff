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
      scopes: ['data:read', 'data:write', 'manage', 'openid', 'profile', 'email', 'offline_access'],
    });
    // The consent page words every default scope, offline_access as what it means to the user.
    for (const scope of c.scopes) expect(c.scopeDescriptions[scope]).toBeTruthy();
    expect(c.scopeDescriptions['offline_access']).toBe('Keep access when you are not using the app');
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
    expect(loadConfig({ LATCHKEY_SCOPES: '' }).scopes).toEqual(loadConfig({}).scopes);
    expect(loadConfig({ LATCHKEY_SCOPES: ' a:read  b:write ' }).scopes).toEqual(['a:read', 'b:write']);
  });
  describe('LATCHKEY_DATABASE_URL', () => {
    it.each([
      ['postgres://u:p@db.example:5432/lk', 'postgres://u:p@db.example:5432/lk'],
      ['postgresql://db.example/lk', 'postgresql://db.example/lk'],
      ['POSTGRES://db.example/lk', 'POSTGRES://db.example/lk'],
      ['/var/lib/latchkey/lk.db', '/var/lib/latchkey/lk.db'],
      ['data/lk.db', 'data/lk.db'],
      [':memory:', ':memory:'],
      ['sqlite:///var/lib/lk.db', 'sqlite:///var/lib/lk.db'],
      ['sqlite:lk.db', 'sqlite:lk.db'],
      ['file:///var/lib/my%20lk.db', '/var/lib/my lk.db'],
      ['file:/var/lib/lk.db', '/var/lib/lk.db'],
      ['file:lk.db', 'lk.db'],
    ])('accepts %j (SQLite file or PostgreSQL URL %j)', (raw, expected) => {
      expect(loadConfig({ LATCHKEY_DATABASE_URL: raw }, '/srv').databaseUrl).toBe(expected);
    });
    it.each([
      'mysql://root:hunter2@db.example/lk',
      'mariadb://db.example/lk',
      'http://db.example/lk',
      'postgres:db.example',
      'file://db.example/lk.db',
      'file:///var/lib/lk.db?mode=ro',
      'sqlite:',
    ])('refuses %j naming the variable, never echoing a password', (raw) => {
      expect(() => loadConfig({ LATCHKEY_DATABASE_URL: raw })).toThrow(ConfigError);
      expect(() => loadConfig({ LATCHKEY_DATABASE_URL: raw })).toThrow(/^LATCHKEY_DATABASE_URL /);
      expect(() => loadConfig({ LATCHKEY_DATABASE_URL: raw })).not.toThrow(/hunter2/);
    });
  });
  describe('LATCHKEY_REDIS_URL', () => {
    it('is unset by default (the throttles count in the database)', () => {
      expect(loadConfig({}).redisUrl).toBeUndefined();
      expect(loadConfig({ LATCHKEY_REDIS_URL: '' }).redisUrl).toBeUndefined();
    });
    it.each([
      'redis://127.0.0.1:6379',
      'redis://:hunter2@cache.example:6380/2',
      'rediss://user:pw@cache.example',
      'redis://cache.example/',
    ])('accepts %j', (raw) => {
      expect(loadConfig({ LATCHKEY_REDIS_URL: raw }).redisUrl).toBe(raw);
    });
    it.each([
      'http://cache.example',
      'cache.example:6379',
      'redis:cache.example',
      'redis://',
      'unix:///run/redis.sock',
      'redis://:hunter2@cache.example/db',
      'redis://cache.example/0#x',
    ])('refuses %j with one line naming the variable, never echoing a password', (raw) => {
      expect(() => loadConfig({ LATCHKEY_REDIS_URL: raw })).toThrow(ConfigError);
      expect(() => loadConfig({ LATCHKEY_REDIS_URL: raw })).toThrow(/^LATCHKEY_REDIS_URL [^\n]+$/);
      expect(() => loadConfig({ LATCHKEY_REDIS_URL: raw })).not.toThrow(/hunter2/);
    });
  });

  describe('LATCHKEY_SMTP_URL and LATCHKEY_MAIL_FROM', () => {
    it('are unset and "Latchkey <no-reply@HOST>" by default (links are logged instead of emailed)', () => {
      expect(loadConfig({}).smtpUrl).toBeUndefined();
      expect(loadConfig({ LATCHKEY_SMTP_URL: '' }).smtpUrl).toBeUndefined();
      expect(loadConfig({}).mailFrom).toBe('Latchkey <no-reply@localhost>');
      expect(loadConfig({ LATCHKEY_ISSUER: 'https://id.example.com/auth' }).mailFrom).toBe(
        'Latchkey <no-reply@id.example.com>',
      );
    });
    it.each([
      'smtp://127.0.0.1:2525',
      'smtp://user:hunter2@mail.example:587',
      'smtps://mail.example',
      'smtp://mail.example:25/?pool=true',
    ])('accepts LATCHKEY_SMTP_URL=%j', (raw) => {
      expect(loadConfig({ LATCHKEY_SMTP_URL: raw }).smtpUrl).toBe(raw);
    });
    it.each([
      'http://mail.example',
      'mail.example:25',
      'smtp:mail.example',
      'smtp://',
      'smtp://:hunter2@/x',
      'smtp://mail.example#x',
    ])('refuses LATCHKEY_SMTP_URL=%j with one line naming the variable, never echoing a password', (raw) => {
      expect(() => loadConfig({ LATCHKEY_SMTP_URL: raw })).toThrow(ConfigError);
      expect(() => loadConfig({ LATCHKEY_SMTP_URL: raw })).toThrow(/^LATCHKEY_SMTP_URL [^\n]+$/);
      expect(() => loadConfig({ LATCHKEY_SMTP_URL: raw })).not.toThrow(/hunter2/);
    });
    it.each([
      'accounts@example.com',
      'Latchkey <accounts@example.com>',
      ' Ünïcode Name <a.b+c@mail.example> ',
    ])('accepts LATCHKEY_MAIL_FROM=%j', (raw) => {
      expect(loadConfig({ LATCHKEY_MAIL_FROM: raw }).mailFrom).toBe(raw.trim());
    });
    it.each([
      'no address',
      'Latchkey <>',
      'Latchkey accounts@example.com',
      'Latchkey <a@example.com>\r\nBcc: victim@example.com',
      'a@example.com\nBcc: victim@example.com',
      '"Quoted" <a@example.com>',
    ])('refuses LATCHKEY_MAIL_FROM=%j naming the variable, on one line', (raw) => {
      expect(() => loadConfig({ LATCHKEY_MAIL_FROM: raw })).toThrow(ConfigError);
      expect(() => loadConfig({ LATCHKEY_MAIL_FROM: raw })).toThrow(
        /^LATCHKEY_MAIL_FROM must be an address[^\n]+$/,
      );
    });
  });

  it('LATCHKEY_KEY_RELOAD_INTERVAL: checks the signing keys every 2 s by default (a rotation reaches every server within 5 s)', () => {
    expect(loadConfig({}).keyReloadMs).toBe(2_000);
    expect(loadConfig({ LATCHKEY_KEY_RELOAD_INTERVAL: '10s' }).keyReloadMs).toBe(10_000);
  });

  describe('durations that mean nothing or overflow a date', () => {
    const AFTER_9999 = String(300_000_000_000); // about 9500 years
    it.each([
      'LATCHKEY_ACCESS_TOKEN_TTL',
      'LATCHKEY_CODE_TTL',
      'LATCHKEY_REFRESH_TOKEN_TTL',
      'LATCHKEY_SESSION_TTL',
      'LATCHKEY_AUTH_FAILURE_WINDOW',
      'LATCHKEY_LOGIN_FAILURE_WINDOW',
      'LATCHKEY_SIGNUP_WINDOW',
      'LATCHKEY_KEY_RELOAD_INTERVAL',
      'LATCHKEY_REQUEST_TIMEOUT',
    ])('%s: 0 is refused, 1 is the least', (name) => {
      expect(() => loadConfig({ [name]: '0' })).toThrow(ConfigError);
      expect(() => loadConfig({ [name]: '0s' })).toThrow(new RegExp(`^${name} must be at least 1 second`));
      expect(() => loadConfig({ [name]: '1' })).not.toThrow();
    });
    it.each([
      ['LATCHKEY_REFRESH_GRACE', 'refreshGrace', 0],
      ['LATCHKEY_PURGE_INTERVAL', 'purgeInterval', 0],
      ['LATCHKEY_SHUTDOWN_GRACE', 'shutdownGraceMs', 0],
    ] as const)('%s: 0 means off and is kept', (name, key, value) => {
      expect(loadConfig({ [name]: '0' })[key]).toBe(value);
    });
    it.each([
      'LATCHKEY_ACCESS_TOKEN_TTL',
      'LATCHKEY_REFRESH_TOKEN_TTL',
      'LATCHKEY_SESSION_TTL',
      'LATCHKEY_PURGE_INTERVAL',
      'LATCHKEY_LOGIN_FAILURE_WINDOW',
    ])('%s: a lifetime that ends after the year 9999 is refused', (name) => {
      expect(() => loadConfig({ [name]: AFTER_9999 })).toThrow(
        new RegExp(`^${name} is too long: it would end after the year 9999`),
      );
      expect(() => loadConfig({ [name]: '9'.repeat(400) })).toThrow(ConfigError);
      // 7000 years still ends before 9999 (for the next thousand years).
      expect(() => loadConfig({ [name]: `${7000 * 365}d` })).not.toThrow();
    });
    it.each(['LATCHKEY_KEY_RELOAD_INTERVAL', 'LATCHKEY_SHUTDOWN_GRACE', 'LATCHKEY_REQUEST_TIMEOUT'])(
      '%s: a timer longer than Node runs (24.8 days) is refused, not fired at once',
      (name) => {
        expect(() => loadConfig({ [name]: '25d' })).toThrow(new RegExp(`^${name} must be at most`));
        expect(() => loadConfig({ [name]: '24d' })).not.toThrow();
      },
    );
  });
  it('LATCHKEY_REQUEST_TIMEOUT: 30 s by default, in milliseconds', () => {
    expect(loadConfig({}).requestTimeoutMs).toBe(30_000);
    expect(loadConfig({ LATCHKEY_REQUEST_TIMEOUT: '2m' }).requestTimeoutMs).toBe(120_000);
  });
  describe('LATCHKEY_AUDIENCE', () => {
    it.each(['https://api.example', 'https://api.example/v1/', 'urn:example:api'])('accepts %j', (raw) => {
      expect(loadConfig({ LATCHKEY_AUDIENCE: raw }).audience).toBe(raw);
    });
    it.each(['api', 'api.example', '/api', 'https://api.example/a b', ' https://api.example', '://x'])(
      'refuses %j: not an absolute URI',
      (raw) => {
        expect(() => loadConfig({ LATCHKEY_AUDIENCE: raw })).toThrow(
          /^LATCHKEY_AUDIENCE must be an absolute URI/,
        );
      },
    );
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
  it('LATCHKEY_USAGE_FLUSH_INTERVAL: 5 s by default, a duration from 1 s to 300 s, else an error naming it', () => {
    expect(loadConfig({}).usageFlushMs).toBe(5000);
    expect(loadConfig({ LATCHKEY_USAGE_FLUSH_INTERVAL: '1' }).usageFlushMs).toBe(1000);
    expect(loadConfig({ LATCHKEY_USAGE_FLUSH_INTERVAL: '5m' }).usageFlushMs).toBe(300_000);
    for (const bad of ['0', '6m', 'often', '-1']) {
      expect(() => loadConfig({ LATCHKEY_USAGE_FLUSH_INTERVAL: bad })).toThrow(
        /LATCHKEY_USAGE_FLUSH_INTERVAL/,
      );
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

describe('windows that would switch a protection off are refused', () => {
  it.each([
    ['LATCHKEY_REFRESH_RETRY_WINDOW', '14d', /LATCHKEY_REFRESH_RETRY_WINDOW must be at most 300 seconds/],
    ['LATCHKEY_REFRESH_GRACE', '301', /LATCHKEY_REFRESH_GRACE must be at most 300 seconds/],
    ['LATCHKEY_CODE_TTL', '1h', /LATCHKEY_CODE_TTL must be at most 600 seconds/],
  ])('%s=%s', (name, value, message) => {
    expect(() => loadConfig({ [name]: value })).toThrow(message);
  });
  it('accepts them up to the bound', () => {
    const config = loadConfig({
      LATCHKEY_REFRESH_RETRY_WINDOW: '5m',
      LATCHKEY_REFRESH_GRACE: '300',
      LATCHKEY_CODE_TTL: '10m',
    });
    expect([config.refreshRetryWindow, config.refreshGrace, config.codeTtl]).toEqual([300, 300, 600]);
  });
});

describe('LATCHKEY_BACKCHANNEL_PRIVATE_NETWORKS', () => {
  const setting = (env: Record<string, string>) => loadConfig(env).backchannelLogout.privateNetworks;
  it.each([
    ['http://localhost:4000', 'allow'],
    ['http://127.0.0.1:4000', 'allow'],
    ['http://[::1]:4000', 'allow'],
    ['https://localhost:4000', 'deny'],
    ['https://auth.example', 'deny'],
    ['http://auth.example', 'deny'],
    ['http://10.0.0.5:4000', 'deny'],
  ])('unset, with the issuer %s: %s', (issuer, expected) => {
    expect(setting({ LATCHKEY_ISSUER: issuer })).toBe(expected);
    expect(setting({ LATCHKEY_ISSUER: issuer, LATCHKEY_BACKCHANNEL_PRIVATE_NETWORKS: '' })).toBe(expected);
  });
  it.each(['0.0.0.0', '::', '10.0.0.5'])(
    'unset, with a loopback issuer but listening on %s (reachable by others): deny',
    (host) => {
      expect(setting({ HOST: host })).toBe('deny');
      expect(setting({ HOST: host, LATCHKEY_ISSUER: 'http://127.0.0.1:4000' })).toBe('deny');
      expect(setting({ HOST: host, LATCHKEY_BACKCHANNEL_PRIVATE_NETWORKS: 'allow' })).toBe('allow');
    },
  );
  it.each(['127.0.0.1', '::1', 'localhost'])(
    'unset, listening on %s with the default issuer: allow',
    (host) => {
      expect(setting({ HOST: host })).toBe('allow');
    },
  );
  it('the default issuer (http://localhost:PORT) allows them; either value overrides the default', () => {
    expect(setting({})).toBe('allow');
    expect(setting({ LATCHKEY_BACKCHANNEL_PRIVATE_NETWORKS: 'deny' })).toBe('deny');
    expect(
      setting({ LATCHKEY_ISSUER: 'https://auth.example', LATCHKEY_BACKCHANNEL_PRIVATE_NETWORKS: 'allow' }),
    ).toBe('allow');
  });
  it.each(['yes', 'Deny', 'true'])('refuses %s, naming the variable', (value) => {
    expect(() => loadConfig({ LATCHKEY_BACKCHANNEL_PRIVATE_NETWORKS: value })).toThrow(
      new ConfigError(`LATCHKEY_BACKCHANNEL_PRIVATE_NETWORKS must be allow or deny, got "${value}"`),
    );
  });
});
