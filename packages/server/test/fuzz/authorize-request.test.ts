/**
 * Fuzzing the authorization endpoint (RFC 6749 §4.1.1, §4.1.2.1): with any query, signed in or not,
 * by any method, the answer is a redirect only to a redirect URI registered for the client the request
 * names (carrying a catalogued redirect error or a code, `iss` and the state as sent), a redirect to
 * the sign-in page, or an HTML page (the consent page, or an error page naming a catalogued code with
 * its status). Never a 5xx, never JSON, never a redirect anywhere else.
 */

import fc from 'fast-check';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { expectSecurePage, ISSUER, type ThreeLeggedApp } from '../support/attacks.js';
import { startAuthorizeFuzzServer } from '../support/authorize-fuzz.js';
import { type InjectBrowser, pkce } from '../support/browser.js';
import type { TestServer } from '../support/server.js';
import {
  anyText,
  encode,
  encodings,
  formText,
  paramString,
  percentEveryByte,
  wellFormed,
} from './arbitraries.js';
import { fuzzTest } from './budget.js';
import { expectNoServerError, expectPageAnswer, REDIRECT_ERROR_CODES } from './oracle.js';

/** The parameters of an authorization request (RFC 6749 §4.1.1, RFC 7636 §4.3). */
const FIELDS = [
  'client_id',
  'redirect_uri',
  'response_type',
  'scope',
  'state',
  'code_challenge',
  'code_challenge_method',
] as const;
type Field = (typeof FIELDS)[number];

/**
 * A query as a browser puts it in a request line (RFC 9112 §3.2, WHATWG URL's special-query set): what
 * is not visible ASCII is percent-encoded, and so are `"`, `'`, `<`, `>` and `#` (which would start a
 * fragment, never sent). Bad escapes stay as they are. (`app.inject` would encode the same itself.)
 */
function asRequestTarget(query: string): string {
  return query.replace(/[^\x21-\x7e]|["#'<>]/gu, (char) => percentEveryByte(wellFormed(char), false));
}

/** RFC 6749 Appendix A.5 as the endpoint enforces it: 1 to 1024 characters of %x20-7E. */
const isValidState = (state: string) => state.length <= 1024 && /^[\x20-\x7e]+$/.test(state);

describe('fuzz: the authorization endpoint', () => {
  let s: TestServer;
  /** Consented (a signed-in request gets a code at once). */
  let consented: ThreeLeggedApp;
  /** Two redirect URIs, never consented (a signed-in request gets the consent page). */
  let twoUris: ThreeLeggedApp;
  /** Public, loopback redirect URIs (any port, RFC 8252 §7.3). */
  let loopback: ThreeLeggedApp;
  /** A redirect URI but not the code grant (unauthorized_client). */
  let machine: ThreeLeggedApp;
  let browser: InjectBrowser;
  /** Every registered redirect URI by client ID. */
  let registered: Map<string, string[]>;

  beforeAll(async () => {
    ({ s, consented, twoUris, loopback, machine, browser, registered } = await startAuthorizeFuzzServer());
  });
  afterAll(() => s?.close());

  /** The values of a field for a request meant for `app`: mostly right ones, some wrong, some junk. */
  const valuesOf = (field: Field, app: ThreeLeggedApp): fc.Arbitrary<string> => {
    const { challenge } = pkce();
    const uris = app.client.redirectUris;
    const right: Record<Field, fc.Arbitrary<string>> = {
      client_id: fc.constant(app.client.id),
      redirect_uri: fc.oneof(
        fc.constantFrom(...uris),
        // RFC 8252 §7.3: any port on a registered loopback IP literal.
        fc
          .tuple(fc.constantFrom(...uris), fc.integer({ min: 1, max: 65535 }))
          .map(([uri, port]) => uri.replace(/^(http:\/\/(?:127\.0\.0\.1|\[::1\]))(?::\d+)?/, `$1:${port}`)),
      ),
      response_type: fc.constant('code'),
      scope: fc.constantFrom('data:read', 'data:read data:write', 'data:write data:read'),
      state: fc.string({
        unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
        minLength: 1,
      }),
      code_challenge: fc.constant(challenge),
      code_challenge_method: fc.constant('S256'),
    };
    const wrong: Record<Field, string[]> = {
      client_id: [...registered.keys(), 'lk_unknown'],
      redirect_uri: [
        ...[...registered.values()].flat(),
        `${uris[0]}/`,
        `${uris[0]}?x=1`,
        `${uris[0]}#f`,
        (uris[0] as string).toUpperCase(),
        (uris[0] as string).replace('//', '//evil@'),
        'https://app.example:443/cb',
        'http://127.0.0.1:0080/cb',
        'http://localhost/cb',
        'http://127.0.0.1:8080/CB',
        'javascript:alert(1)',
        '//app.example/cb',
        '/cb',
      ],
      response_type: ['token', 'code id_token', 'CODE', 'code '],
      scope: ['admin', 'data:read admin', 'data:read "x"', 'openid', ' '],
      state: ['x'.repeat(1025), 'line\nbreak', 'caf\u00e9', '\u0000'],
      code_challenge: [challenge.slice(1), `${challenge}=`, 'x'.repeat(43), challenge.replace(/./, '+')],
      code_challenge_method: ['plain', 's256', 'S512'],
    };
    return fc.oneof(
      { weight: 6, arbitrary: right[field] },
      { weight: 2, arbitrary: fc.constantFrom(...wrong[field]) },
      { weight: 1, arbitrary: fc.oneof(anyText(20), formText(20)) },
    );
  };

  /** How often each field is left out: one in N requests. */
  const OMITTED_ONE_IN: Record<Field, number> = {
    client_id: 12,
    redirect_uri: 3,
    response_type: 8,
    scope: 2,
    state: 2,
    code_challenge: 2,
    code_challenge_method: 2,
  };

  /** One field as sent: its value, how it is written, and now and then a second copy with another value. */
  const fieldArb = (field: Field, app: ThreeLeggedApp) =>
    fc.option(
      fc.record({
        value: valuesOf(field, app),
        how: fc.oneof(
          { weight: 8, arbitrary: encodings },
          { weight: 1, arbitrary: fc.constant('raw' as const) },
        ),
        again: fc.oneof(
          { weight: 11, arbitrary: fc.constant(null) },
          { weight: 1, arbitrary: valuesOf(field, app) },
        ),
      }),
      { freq: OMITTED_ONE_IN[field], nil: null },
    );

  /** A whole query: some of the fields, now and then junk parameters, in any order (built once the apps exist). */
  const queryArb = () => {
    // Built once: fast-check arbitraries are costly to build, cheap to draw from.
    const perApp = [consented, twoUris, loopback, machine].map((app) =>
      fc.tuple(...FIELDS.map((field) => fieldArb(field, app))),
    );
    const junk = fc.oneof(
      { weight: 3, arbitrary: fc.constant('') },
      {
        weight: 1,
        arbitrary: paramString(fc.oneof(anyText(8), fc.constantFrom(...FIELDS)), formText(12), 2),
      },
    );
    return fc
      .tuple(fc.oneof(...perApp), junk)
      .chain(([fields, extra]) => {
        const parts: string[] = [];
        fields.forEach((f, i) => {
          if (f === null) return;
          const name = FIELDS[i] as Field;
          const write = (value: string) =>
            `${name}=${f.how === 'raw' ? value : encode(wellFormed(value), f.how)}`;
          parts.push(write(f.value));
          if (f.again !== null) parts.push(write(f.again));
        });
        return fc
          .shuffledSubarray(parts, { minLength: parts.length, maxLength: parts.length })
          .map((shuffled) => [...shuffled, ...(extra ? [extra] : [])]);
      })
      .map((parts) => asRequestTarget(parts.join('&')));
  };

  /** The values the endpoint reads for a name: sent once with a value (a repeat counts as none). */
  function single(query: URLSearchParams, name: string): string | undefined {
    const values = query.getAll(name).filter((v) => v !== '');
    return values.length === 1 ? values[0] : undefined;
  }

  /** Whether `target` (no query) is where the app registered under `clientId` may be sent. */
  function isRegisteredTarget(clientId: string, target: string): boolean {
    const uris = registered.get(clientId) ?? [];
    if (uris.includes(target)) return true;
    // RFC 8252 §7.3: a registered loopback IP literal over http matches with any port.
    const url = new URL(target);
    const withoutPort = `${url.protocol}//${url.hostname}${url.pathname}`;
    return (
      url.protocol === 'http:' &&
      (url.hostname === '127.0.0.1' || url.hostname === '[::1]') &&
      uris.some((uri) => {
        const reg = new URL(uri);
        return `${reg.protocol}//${reg.hostname}${reg.pathname}` === withoutPort;
      })
    );
  }

  /** Checks one answer to `GET /oauth/authorize?<raw>`. */
  function checkAuthorizeAnswer(res: LightMyRequestResponse, raw: string, signedIn: boolean): void {
    expectNoServerError(res);
    const seen = `${res.statusCode} ${String(res.headers['location'])} ${res.body.slice(0, 200)}`;
    const location = res.headers['location'];
    if (location === undefined) {
      expectPageAnswer(res);
      if (res.body !== '') expectSecurePage(res);
      // The consent page needs a user; anyone else is sent to sign in first.
      if (res.statusCode === 200) expect(signedIn, seen).toBe(true);
      return;
    }
    expect(res.statusCode, seen).toBe(303);
    const target = String(location);
    if (target.startsWith('/login?')) {
      expect(signedIn, seen).toBe(false);
      const back = new URLSearchParams(target.slice('/login?'.length)).get('return_to');
      expect(back, seen).toBe(`/oauth/authorize?${raw}`);
      return;
    }
    // A redirect to the app: only where the one client the request names registered.
    const query = new URLSearchParams(raw);
    const clientId = single(query, 'client_id');
    expect(clientId, seen).toBeDefined();
    const question = target.indexOf('?');
    expect(question, seen).toBeGreaterThan(0);
    const base = target.slice(0, question);
    expect(isRegisteredTarget(clientId as string, base), seen).toBe(true);
    const requested = single(query, 'redirect_uri');
    if (requested !== undefined) expect(base, seen).toBe(requested);
    const params = new URL(target).searchParams;
    expect(params.getAll('iss'), seen).toEqual([ISSUER]);
    const state = single(query, 'state');
    expect(params.get('state'), seen).toBe(state !== undefined && isValidState(state) ? state : null);
    if (params.has('error')) {
      expect(REDIRECT_ERROR_CODES.has(params.get('error') as string), seen).toBe(true);
      expect(params.has('code'), seen).toBe(false);
    } else {
      // A code only for a signed-in user who had consented, and only to the consented app.
      expect(signedIn, seen).toBe(true);
      expect(clientId, seen).toBe(consented.client.id);
      expect(params.get('code'), seen).toMatch(/^[\w-]{43}$/);
    }
  }

  fuzzTest(
    'GET with any query, signed in or not: a redirect only to a registered redirect URI of the named client, the sign-in page, or a catalogued page',
    'authorize: GET',
    250,
    () =>
      fc.asyncProperty(
        queryArb(),
        fc.boolean(),
        fc.constantFrom('GET', 'GET', 'GET', 'HEAD'),
        async (raw, signedIn, method) => {
          const url = `/oauth/authorize?${raw}`;
          const res = signedIn
            ? await s.app.inject({
                method,
                url,
                headers: { cookie: `lk_session=${browser.cookies.get('lk_session')}` },
              })
            : await s.app.inject({ method, url });
          checkAuthorizeAnswer(res, raw, signedIn);
        },
      ),
  );

  fuzzTest(
    'PUT, DELETE or PATCH with any query and body: a catalogued page, never a redirect, never JSON',
    'authorize: other methods',
    150,
    () =>
      fc.asyncProperty(
        queryArb(),
        fc.constantFrom('PUT', 'DELETE', 'PATCH'),
        fc.oneof(queryArb(), formText(40)),
        fc.boolean(),
        async (raw, method, body, signedIn) => {
          const res = await s.app.inject({
            method,
            url: `/oauth/authorize?${raw}`,
            headers: {
              'content-type': 'application/x-www-form-urlencoded',
              ...(signedIn ? { cookie: `lk_session=${browser.cookies.get('lk_session')}` } : {}),
            },
            payload: body,
          });
          expectPageAnswer(res);
          expectSecurePage(res);
          expect(res.statusCode).toBeGreaterThanOrEqual(400);
        },
      ),
  );

  fuzzTest(
    'POST with any query and body (OIDC Core §3.1.2.1): a 303 to the same request as a GET, or the malformed-link page',
    'authorize: POST',
    150,
    () =>
      fc.asyncProperty(
        fc.oneof(fc.constant(''), queryArb()),
        fc.oneof(queryArb(), formText(40)),
        fc.boolean(),
        async (raw, body, form) => {
          const res = await s.app.inject({
            method: 'POST',
            url: raw === '' ? '/oauth/authorize' : `/oauth/authorize?${raw}`,
            headers: { 'content-type': form ? 'application/x-www-form-urlencoded' : 'text/plain' },
            payload: body,
          });
          expectNoServerError(res);
          if (res.statusCode === 303) {
            // Only a form body alone, as it was sent: the GET then faces every rule above.
            expect(form && raw === '').toBe(true);
            expect(res.headers['location']).toBe(`/oauth/authorize?${body}`);
          } else {
            expectPageAnswer(res);
            expect(res.statusCode).toBe(400);
          }
        },
      ),
  );
});
