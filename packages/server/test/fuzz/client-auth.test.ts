/**
 * Fuzzing client authentication (src/oauth/client-auth.ts, RFC 6749 §2.3): the Basic header in every
 * spelling RFC 7617 and RFC 6749 §2.3.1 allow, client_secret_post, both at once, malformed, repeated
 * and oversized values. The right credentials always authenticate, anything else never does, and the
 * answer is always a catalogued one that echoes no secret.
 */
import type { OutgoingHttpHeaders } from 'node:http';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { ClientAuthenticator } from '../../src/oauth/client-auth.js';
import { OAuthError } from '../../src/oauth/errors.js';
import type { ClientRepository, ClientWithSecrets } from '../../src/storage/clients.js';
import { Throttle } from '../../src/throttle/throttle.js';
import { sha256Hex } from '../../src/tokens/random.js';
import { registerThreeLeggedApp } from '../support/browser.js';
import { FORM, startTestServer, type TestServer } from '../support/server.js';
import { anyText, encode, encodings, formText, headerText, paramString, wellFormed } from './arbitraries.js';
import { fuzzTest } from './budget.js';
import { expectJsonAnswer, expectNotEchoed } from './oracle.js';

/**
 * A value written per RFC 6749 §2.3.1 (form-urlencoded, Appendix B) before it goes into Basic: each
 * character as is when that is unambiguous, or percent-encoded (upper or lower case hex), or the whole
 * value encoded one of the usual ways.
 */
function formEncoded(value: string): fc.Arbitrary<string> {
  const chars = [...value];
  const plainIsSafe = !/[%+:]/.test(value);
  return fc.oneof(
    encodings.map((how) => encode(value, how)),
    fc.array(fc.nat(2), { minLength: chars.length, maxLength: chars.length }).map((choice) =>
      chars
        .map((char, i) => {
          // Characters that must be encoded to mean themselves are always encoded.
          const must = /[^A-Za-z0-9._~-]/.test(char);
          if (!must && choice[i] === 0) return char;
          return encode(char, choice[i] === 2 ? 'bytes-lower' : 'bytes-upper');
        })
        .join(''),
    ),
    ...(plainIsSafe ? [fc.constant(value)] : []),
  );
}

/** A Basic header for an encoded user and password: any scheme case, spaces, padding or not. */
function basicHeader(user: string, password: string): fc.Arbitrary<string> {
  return fc
    .record({
      scheme: fc.constantFrom('Basic', 'basic', 'BASIC', 'bAsIc'),
      spaces: fc.integer({ min: 1, max: 3 }),
      trailing: fc.integer({ min: 0, max: 2 }),
      padding: fc.boolean(),
    })
    .map(({ scheme, spaces, trailing, padding }) => {
      const b64 = Buffer.from(`${user}:${password}`, 'utf8').toString('base64');
      const token = padding ? b64 : b64.replace(/=+$/, '');
      return `${scheme}${' '.repeat(spaces)}${token}${' '.repeat(trailing)}`;
    });
}

describe('fuzz: client authentication, decoding (RFC 6749 §2.3.1)', () => {
  fuzzTest(
    'any client ID and secret, form-urlencoded any allowed way into Basic, read back exactly; a changed secret never passes',
    'client auth: Basic decoding',
    500,
    async () => {
      const looked: string[] = [];
      let registered: ClientWithSecrets | undefined;
      const clients = {
        findWithSecrets: async (id: string) => {
          looked.push(id);
          return id === registered?.id ? registered : undefined;
        },
      } as unknown as ClientRepository;
      const throttle = new Throttle(undefined, { name: 'auth', windowSeconds: 60, onOutage: 'local' });
      const authenticator = new ClientAuthenticator(clients, throttle, { strict: 1e9, perClient: 1e9 });
      // The IDs this server stores (storage/clients.ts): visible ASCII, 1 to 255 characters.
      const ids = fc.string({
        unit: fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c)),
        minLength: 1,
        maxLength: 40,
      });
      // Secrets as generated (base64url), and any text, weighted to the characters that encoding changes.
      const secrets = fc.oneof(
        fc.base64String({ minLength: 4, maxLength: 44 }),
        fc
          .string({
            unit: fc.oneof(
              fc.constantFrom(...' +%:=&/~*', '%41', '\u00e9', '\u{1F511}', '\u0000'),
              fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
            ),
            maxLength: 30,
          })
          .map(wellFormed),
      );
      const cases = fc.tuple(ids, secrets, fc.boolean()).chain(([id, secret, wrong]) =>
        fc.tuple(
          fc.constant(id),
          fc.constant(secret),
          fc.constant(wrong),
          fc
            .tuple(formEncoded(id), formEncoded(wrong ? `${secret}x` : secret))
            .chain(([u, p]) => basicHeader(u, p)),
        ),
      );
      return fc.asyncProperty(cases, async ([id, secret, wrong, authorization]) => {
        registered = {
          id,
          name: 'fuzzed',
          isPublic: false,
          resourceServer: false,
          subjectType: 'public',
          postLogoutRedirectUris: [],
          redirectUris: [],
          grantTypes: ['client_credentials'],
          scopes: [],
          createdAt: 0,
          secretHashes: [sha256Hex(secret)],
        };
        looked.length = 0;
        const attempt = authenticator.authenticate({ authorization, params: new Map(), ip: '10.0.0.1' });
        if (wrong) {
          const error = await attempt.then(
            () => undefined,
            (e: unknown) => e,
          );
          expect(error).toBeInstanceOf(OAuthError);
          expect((error as OAuthError).error).toBe('invalid_client');
        } else {
          expect((await attempt).id).toBe(id);
        }
        expect(looked).toEqual([id]);
      });
    },
  );
});

describe('fuzz: client authentication at the token endpoint', () => {
  let s: TestServer;
  let publicId: string;
  const OVERSIZED = 'x'.repeat(20_000);

  beforeAll(async () => {
    // Failures are not throttled here: every answer must be the one the credentials deserve.
    s = await startTestServer('sqlite', { LATCHKEY_AUTH_MAX_FAILURES: '1000000' });
    publicId = (await registerThreeLeggedApp(s, { isPublic: true })).client.id;
  });
  afterAll(async () => {
    expect(s.logs.text).not.toContain(s.credentials.clientSecret);
    await s?.close();
  });

  /** Who is presented: the confidential app, the public app, or someone else. */
  type Who = 'app' | 'public' | 'other';
  /** What is presented as the secret. */
  type Secret = 'right' | 'wrong' | 'none';

  const presentation = fc.record({
    method: fc.constantFrom('basic', 'post', 'both', 'none'),
    who: fc.constantFrom<Who>('app', 'app', 'public', 'other'),
    secret: fc.constantFrom<Secret>('right', 'right', 'wrong', 'none'),
    otherId: fc.oneof(anyText(20), fc.constantFrom('lk_unknown', "' OR 1=1--", 'lk_\u0000x', OVERSIZED)),
    wrongSecret: fc.oneof(anyText(30), fc.constantFrom('', OVERSIZED, 'not-the-secret-at-all')),
    bodyIdWithBasic: fc.constantFrom('absent', 'same', 'other'),
    /** Parameters sent besides: junk, repeats, the credentials' names again. */
    extra: paramString(
      fc.constantFrom('client_id', 'client_secret', 'scope', 'x', '__proto__'),
      formText(20),
      3,
    ),
  });

  fuzzTest(
    'the right credentials by one method authenticate (200, or unauthorized_client for the public app), whatever else is sent; anything else is 400 invalid_request or 401 invalid_client; no secret comes back',
    'client auth: token endpoint',
    250,
    async () => {
      const cases = presentation.chain((p) => {
        const id = p.who === 'app' ? s.credentials.clientId : p.who === 'public' ? publicId : p.otherId;
        const secret =
          p.secret === 'right'
            ? s.credentials.clientSecret
            : p.secret === 'wrong'
              ? p.wrongSecret
              : undefined;
        const header =
          p.method === 'basic' || p.method === 'both'
            ? fc
                .tuple(formEncoded(wellFormed(id)), formEncoded(wellFormed(secret ?? '')))
                .chain(([u, pw]) => basicHeader(u, pw))
            : fc.constant(undefined);
        return fc.tuple(fc.constant(p), fc.constant(id), fc.constant(secret), header);
      });
      return fc.asyncProperty(cases, async ([p, id, secret, authorization]) => {
        const form: [string, string][] = [['grant_type', 'client_credentials']];
        const postCredentials = p.method === 'post' || p.method === 'both';
        if (postCredentials) form.push(['client_id', id]);
        if (postCredentials && secret !== undefined) form.push(['client_secret', secret]);
        if (p.method === 'basic' && p.bodyIdWithBasic !== 'absent')
          form.push(['client_id', p.bodyIdWithBasic === 'same' ? id : `${id}-other`]);
        const body = [new URLSearchParams(form).toString(), p.extra].filter(Boolean).join('&');
        const res = await s.app.inject({
          method: 'POST',
          url: '/oauth/token',
          headers: { ...FORM, ...(authorization === undefined ? {} : { authorization }) },
          payload: body,
        });
        const answer = expectJsonAnswer(res);
        expectNotEchoed(res.body, [s.credentials.clientSecret, ...(secret ? [secret] : [])]);
        // Parameters besides the grant type make any outcome possible (a repeat, a scope): only the
        // catalogue holds then. Without them the outcome is exact.
        if (p.extra !== '') return;
        // The public app authenticates by its client_id in the body with no secret; an empty
        // client_secret counts as none (RFC 6749 §3.1).
        const oneMethod = (p.method === 'basic' && p.bodyIdWithBasic !== 'other') || p.method === 'post';
        const rightOnce =
          oneMethod &&
          (p.who === 'app' ? p.secret === 'right' : p.who === 'public' && p.method === 'post' && !secret);
        const seen = `${res.statusCode} ${res.body}`;
        if (rightOnce && p.who === 'app') expect(res.statusCode, seen).toBe(200);
        else if (rightOnce) expect(answer, seen).toMatchObject({ error: 'unauthorized_client' });
        else expect(['invalid_request', 'invalid_client'], seen).toContain(answer['error']);
        // An empty client_secret counts as omitted (RFC 6749 §3.1): only a non-empty one is a second method.
        if (p.method === 'both' && secret) expect(answer['error'], seen).toBe('invalid_request');
      });
    },
  );

  fuzzTest(
    'any Authorization header, with any body credentials: a catalogued answer, never a success, no secret echoed',
    'client auth: any header',
    200,
    async () => {
      const headers = fc.oneof(
        headerText('Basic |basic |Bearer |Digest |=|==|:|Og==|bGs6|.|~| |%3A'.split('|')),
        fc.base64String({ maxLength: 200 }).map((b64) => `Basic ${b64}`),
        fc.constant(`Basic ${'QUFB'.repeat(6_000)}`),
        fc.array(fc.constantFrom('Basic Og==', 'Basic bGs6eA==', 'Bearer x'), { minLength: 2, maxLength: 3 }),
      );
      const bodies = paramString(
        fc.constantFrom('client_id', 'client_secret', 'grant_type'),
        fc.oneof(fc.constantFrom('client_credentials', s.credentials.clientId, 'lk_unknown'), anyText(20)),
        4,
      );
      return fc.asyncProperty(headers, bodies, async (authorization, body) => {
        const res = await s.app.inject({
          method: 'POST',
          url: '/oauth/token',
          // Several Authorization headers arrive as a list (Node keeps only the first of a real request).
          headers: { ...FORM, authorization } as OutgoingHttpHeaders,
          payload: body,
        });
        const answer = expectJsonAnswer(res);
        expect(res.statusCode, `${res.statusCode} ${res.body}`).toBeGreaterThanOrEqual(400);
        expect(['invalid_request', 'invalid_client']).toContain(answer['error']);
        expectNotEchoed(res.body, [s.credentials.clientSecret]);
      });
    },
  );
});
