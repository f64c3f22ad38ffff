/**
 * Fuzzing the token endpoint (RFC 6749 §3.2, §5): every grant type and unknown ones, any form body,
 * any content type, repeated parameters, any method, live and spent codes and refresh tokens. Every
 * answer is JSON with `no-store`: a success of the grant asked for, by a client allowed it, or
 * `{error, error_description?}` with the code and status the error catalogue lists together. Never a
 * 5xx, and no secret, code, verifier or refresh token ever comes back.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import {
  getCode,
  getTokens,
  signedInBrowser,
  type ThreeLeggedApp,
  tokenRequest,
} from '../support/attacks.js';
import { InjectBrowser, registerThreeLeggedApp } from '../support/browser.js';
import { ISSUED_SECRET, REFRESH_TOKEN_SHAPE, startTestServer, type TestServer } from '../support/server.js';
import {
  anyText,
  contentTypes,
  encode,
  encodings,
  formText,
  paramString,
  wellFormed,
} from './arbitraries.js';
import { fuzzTest } from './budget.js';
import { expectJsonAnswer, expectNotEchoed } from './oracle.js';

/** The grant types the server supports, and what it is sent instead. */
const GRANTS = ['client_credentials', 'authorization_code', 'refresh_token'];
const OTHER_GRANTS = [
  'password',
  'implicit',
  'urn:ietf:params:oauth:grant-type:device_code',
  'urn:ietf:params:oauth:grant-type:jwt-bearer',
  'Client_Credentials',
  'refresh_token ',
  'client_credentials\u0000',
];

/** A body over the limit: this, padded to 70 KiB. */
const OVERSIZED = 'grant_type=client_credentials';

/** The parameters the grants read (RFC 6749 §4.1.3, §4.4.2, §6; RFC 7636 §4.5). */
const PARAMS = ['grant_type', 'code', 'code_verifier', 'redirect_uri', 'refresh_token', 'scope'] as const;

/** The parameters whose values are secret: no answer may carry them back. */
const SENSITIVE = ['client_secret', 'code', 'code_verifier', 'refresh_token'] as const;

describe('fuzz: the token endpoint', () => {
  let s: TestServer;
  /** Confidential, authorization code and refresh token. */
  let web: ThreeLeggedApp;
  /** Public (no secret), PKCE required. */
  let spa: ThreeLeggedApp;
  /** Codes and refresh tokens to spend, with the verifiers of the codes. */
  const codes: string[] = [];
  const verifiers: string[] = [];
  const refreshTokens: string[] = [];

  beforeAll(async () => {
    // Failures are not throttled: each answer must be the one the request deserves, not a 429.
    s = await startTestServer('sqlite', { LATCHKEY_AUTH_MAX_FAILURES: '1000000' });
    web = await registerThreeLeggedApp(s, { name: 'Web', redirectUris: ['https://web.example/cb'] });
    spa = await registerThreeLeggedApp(s, {
      name: 'SPA',
      redirectUris: ['https://spa.example/cb'],
      isPublic: true,
    });
    const user = await s.ctx.users.create('ada@example.com', 'correct horse battery');
    const browser = await signedInBrowser(s, new InjectBrowser(s.app), user.id);
    for (let i = 0; i < 8; i++) {
      for (const app of [web, spa]) {
        const { code, verifier } = await getCode(browser, app);
        codes.push(code);
        verifiers.push(verifier as string);
      }
      refreshTokens.push((await getTokens(s, browser, web)).refresh_token);
      // A public app authenticates with its client_id alone (RFC 6749 §2.3, method "none").
      const { code, verifier } = await getCode(browser, spa);
      const spaTokens = await tokenRequest(s.app, undefined, {
        grant_type: 'authorization_code',
        client_id: spa.client.id,
        code,
        redirect_uri: spa.redirectUri,
        code_verifier: verifier as string,
      });
      expect(spaTokens.statusCode).toBe(200);
      refreshTokens.push(spaTokens.json().refresh_token);
    }
  });
  afterAll(async () => {
    expect(s.logs.text).not.toMatch(ISSUED_SECRET);
    expect(s.logs.text).not.toMatch(/eyJ[\w-]+\.eyJ/);
    await s?.close();
  });

  /** Every value that must never come back: secrets, codes, verifiers, refresh tokens issued above. */
  const issuedSecrets = () => [
    s.credentials.clientSecret,
    web.clientSecret as string,
    ...codes,
    ...verifiers,
    ...refreshTokens,
  ];

  /** How a request authenticates: as which client (`nobody` when it cannot), by header or body. */
  interface Credentials {
    as: 'machine' | 'web' | 'spa' | 'nobody';
    header?: string;
    body?: [string, string][];
  }

  /** The credentials of each client, and some that authenticate nobody. */
  const credentialsOf = (): Record<Credentials['as'], Credentials[]> => ({
    machine: [
      { as: 'machine', header: s.basic() },
      {
        as: 'machine',
        body: [
          ['client_id', s.credentials.clientId],
          ['client_secret', s.credentials.clientSecret],
        ],
      },
    ],
    web: [
      { as: 'web', header: web.basic },
      {
        as: 'web',
        body: [
          ['client_id', web.client.id],
          ['client_secret', web.clientSecret as string],
        ],
      },
    ],
    spa: [{ as: 'spa', body: [['client_id', spa.client.id]] }],
    nobody: [
      { as: 'nobody', header: s.basic(s.credentials.clientId, 'wrong-secret-value') },
      { as: 'nobody' },
    ],
  });

  /** The clients registered for each grant, whose requests go deepest. */
  const CLIENTS_OF: Record<string, Credentials['as'][]> = {
    client_credentials: ['machine'],
    authorization_code: ['web', 'spa'],
    refresh_token: ['web', 'spa'],
  };

  /** The parameters each grant reads (RFC 6749 §4.1.3, §4.4.2, §6; RFC 7636 §4.5). */
  const READS: Record<string, string[]> = {
    client_credentials: ['scope'],
    authorization_code: ['code', 'code_verifier', 'redirect_uri'],
    refresh_token: ['refresh_token', 'scope'],
  };

  /** Credentials for a request of `grant`: mostly a client registered for it, else any, or junk. */
  const credentialsFor = (grant: string): fc.Arbitrary<Credentials> => {
    const all = credentialsOf();
    const own = (CLIENTS_OF[grant] ?? []).flatMap((who) => all[who]);
    const junk = fc.tuple(anyText(20), anyText(20)).map(
      ([id, secret]): Credentials => ({
        as: 'nobody',
        body: [
          ['client_id', id],
          ['client_secret', secret],
        ],
      }),
    );
    return fc.oneof(
      ...(own.length > 0 ? [{ weight: 6, arbitrary: fc.constantFrom(...own) }] : []),
      { weight: 2, arbitrary: fc.constantFrom(...Object.values(all).flat()) },
      { weight: 1, arbitrary: junk },
    );
  };

  /** The values of a parameter: live or spent ones from the pools, and junk. */
  const valuesOf = (name: string): fc.Arbitrary<string> => {
    const pools: Record<string, string[]> = {
      grant_type: [...GRANTS, ...OTHER_GRANTS],
      code: codes,
      code_verifier: verifiers,
      refresh_token: refreshTokens,
      redirect_uri: [web.redirectUri, spa.redirectUri, 'https://evil.example/cb'],
      scope: ['data:read', 'data:read data:write', 'admin', 'data:read "x"', ' '],
    };
    const pool = pools[name] ?? [];
    const junk = fc.oneof(anyText(30), formText(30));
    return pool.length > 0
      ? fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...pool) }, { weight: 1, arbitrary: junk })
      : junk;
  };

  /**
   * The parameters of a request of `grant` (or of any other grant type, `other`): those it reads are
   * mostly sent, the others now and then; each written some way, one sometimes twice, in any order.
   */
  const formBodyFor = (grant: string) => {
    const grantType =
      grant === 'other'
        ? valuesOf('grant_type')
        : fc.oneof(
            { weight: 8, arbitrary: fc.constant(grant) },
            { weight: 1, arbitrary: valuesOf('grant_type') },
          );
    const fields = fc.tuple(
      ...PARAMS.map((name) => {
        const value = fc.tuple(name === 'grant_type' ? grantType : valuesOf(name), encodings);
        const [sent, omitted] =
          name === 'grant_type' ? [9, 1] : READS[grant]?.includes(name) ? [3, 1] : [1, 5];
        return fc.oneof(
          { weight: sent, arbitrary: value },
          { weight: omitted, arbitrary: fc.constant(null) },
        );
      }),
    );
    const junk = fc.oneof(
      { weight: 4, arbitrary: fc.constant('') },
      { weight: 1, arbitrary: paramString(anyText(8), formText(12), 2) },
    );
    return fc.tuple(fields, fc.nat(PARAMS.length * 4), junk).chain(([values, repeatAt, extra]) => {
      const pairs = PARAMS.flatMap((name, i) => {
        const field = values[i];
        return field ? [{ name, value: field[0], how: field[1] }] : [];
      });
      const parts = pairs.map(({ name, value, how }) => `${name}=${encode(wellFormed(value), how)}`);
      // Now and then one of them is sent again.
      const again = PARAMS[repeatAt];
      if (again && pairs.some(({ name }) => name === again)) parts.push(`${again}=again`);
      return fc
        .shuffledSubarray(parts, { minLength: parts.length, maxLength: parts.length })
        .map((written) => ({
          pairs: pairs.map(({ name, value }) => [name, value] as [string, string]),
          written,
          junk: extra,
        }));
    });
  };

  /** Whole requests, each meant for one grant (or for none the server knows). */
  const requests = () => {
    const method = fc.oneof(
      { weight: 12, arbitrary: fc.constant('POST') },
      { weight: 1, arbitrary: fc.constantFrom('GET', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS') },
    );
    const query = fc.oneof(
      { weight: 15, arbitrary: fc.constant('') },
      { weight: 1, arbitrary: formText(20) },
    );
    const contentType = fc.oneof(
      { weight: 4, arbitrary: fc.constant('application/x-www-form-urlencoded') },
      { weight: 1, arbitrary: contentTypes },
    );
    const body = fc.oneof(
      { weight: 20, arbitrary: fc.constant(undefined) },
      { weight: 2, arbitrary: fc.oneof(formText(80), anyText(80)) },
      // Over the 64 KiB limit (built when sent, so that a report stays short).
      { weight: 1, arbitrary: fc.constant(OVERSIZED) },
    );
    return fc.oneof(
      ...[...GRANTS, 'other'].map((grant) =>
        fc.record({
          method,
          query,
          contentType,
          credentials: credentialsFor(grant),
          form: formBodyFor(grant),
          body,
        }),
      ),
    );
  };

  fuzzTest(
    'any request: JSON, a success of the grant asked for by a client allowed it, or a catalogued error; nothing secret echoed',
    'token: any request',
    250,
    () =>
      fc.asyncProperty(requests(), async (r) => {
        const credentialParams = (r.credentials.body ?? []).map(
          ([name, value]) => `${name}=${encodeURIComponent(wellFormed(value))}`,
        );
        const parts = [...credentialParams, ...r.form.written, ...(r.form.junk ? [r.form.junk] : [])];
        const payload =
          r.body === OVERSIZED ? `${OVERSIZED}&pad=${'a'.repeat(70 * 1024)}` : (r.body ?? parts.join('&'));
        const res = await s.app.inject({
          method: r.method as 'POST',
          url: `/oauth/token${r.query ? `?${encodeURIComponent(wellFormed(r.query))}` : ''}`,
          headers: {
            ...(r.contentType === undefined ? {} : { 'content-type': r.contentType }),
            ...(r.credentials.header ? { authorization: r.credentials.header } : {}),
          },
          ...(r.method === 'GET' || r.method === 'HEAD' ? {} : { payload }),
        });
        const answer = expectJsonAnswer(res);
        const seen = `${res.statusCode} ${res.body.slice(0, 200)}`;
        expectNotEchoed(res.body, issuedSecrets());
        const sent = [...(r.credentials.body ?? []), ...r.form.pairs];
        if (res.statusCode >= 400) {
          const sensitive = sent.filter(([name]) => (SENSITIVE as readonly string[]).includes(name));
          expectNotEchoed(
            String(answer['error_description'] ?? ''),
            sensitive.map(([, value]) => value),
          );
          return;
        }
        // A success: a POST of a supported grant by a client registered for it.
        expect(r.method, seen).toBe('POST');
        expect(res.statusCode, seen).toBe(200);
        const grant =
          r.body === undefined
            ? r.form.pairs.find(([name]) => name === 'grant_type')?.[1]
            : 'client_credentials';
        expect(GRANTS, seen).toContain(grant);
        expect(CLIENTS_OF[grant as string], seen).toContain(r.credentials.as);
        expect(answer, seen).toMatchObject({
          token_type: 'Bearer',
          expires_in: expect.any(Number),
          scope: expect.any(String),
        });
        expect(answer['access_token'], seen).toMatch(/^eyJ[\w-]+\.eyJ[\w-]+\.[\w-]+$/);
        if (grant === 'client_credentials') expect(answer, seen).not.toHaveProperty('refresh_token');
        else expect(answer['refresh_token'], seen).toMatch(REFRESH_TOKEN_SHAPE);
      }),
  );

  fuzzTest(
    'any body under any content type, with the right credentials: JSON, never a 5xx, every error catalogued',
    'token: any body',
    150,
    () =>
      fc.asyncProperty(
        contentTypes,
        fc.oneof(
          formText(120),
          anyText(120),
          fc.uint8Array({ maxLength: 120 }).map((bytes) => Buffer.from(bytes)),
        ),
        async (contentType, payload) => {
          const res = await s.app.inject({
            method: 'POST',
            url: '/oauth/token',
            headers: {
              authorization: s.basic(),
              ...(contentType === undefined ? {} : { 'content-type': contentType }),
            },
            payload,
          });
          expectJsonAnswer(res);
          expectNotEchoed(res.body, issuedSecrets());
        },
      ),
  );
});
