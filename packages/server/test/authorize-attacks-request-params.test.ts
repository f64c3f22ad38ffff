/**
 * The authorization endpoint (RFC 6749 §4.1.1, §4.1.2.1, RFC 7636, RFC 9207, RFC 9700 §2.1.1) under
 * attack through the request parameters of a valid client and redirect URI: a scope or response_type it
 * may not have, and PKCE other than S256 (required of public apps, and of every app with
 * LATCHKEY_REQUIRE_PKCE=true). Each is an error redirect carrying state and iss that stores nothing;
 * the right PKCE works end to end.
 */
import { describe, expect, it } from 'vitest';
import {
  expectRedirectError,
  getCode,
  snapshot,
  type ThreeLeggedApp,
  tokenRequest,
} from './support/attacks.js';
import { appRegistrar, authorizeUrl, useAuthorizeAttackServer } from './support/authorize-attack-server.js';
import { InjectBrowser, pkce, registerThreeLeggedApp } from './support/browser.js';
import { dialects, REFRESH_TOKEN_SHAPE, startTestServer } from './support/server.js';

describe.each(dialects())('authorization endpoint attacks on %s', (dialect) => {
  const f = useAuthorizeAttackServer(dialect);
  const freshApp = appRegistrar(() => f.s);

  describe('valid client and redirect, bad request: redirect with error, state and iss', () => {
    const base = () => ({
      response_type: 'code',
      client_id: f.app.client.id,
      redirect_uri: f.app.redirectUri,
      scope: 'data:read',
      state: 'st@te /&=x',
    });

    it.each([
      ['a scope the app may not use', 'admin'],
      ['an unknown scope', 'photos:delete'],
      ['one bad scope among good ones', 'data:read nope'],
      ['a malformed scope', 'data:read "quoted"'],
    ])('%s → invalid_scope', async (_name, scope) => {
      const before = await snapshot(f.s);
      for (const who of [f.browser, new InjectBrowser(f.s.app)]) {
        const res = await who.get(authorizeUrl({ ...base(), scope }));
        expectRedirectError(res, f.app.redirectUri, 'invalid_scope', 'st@te /&=x');
      }
      expect(await snapshot(f.s)).toEqual(before);
    });

    it.each([
      ['token', 'token'],
      ['code id_token', 'code id_token'],
      ['empty', ''],
      ['CODE', 'CODE'],
    ])('response_type=%s → unsupported_response_type', async (_name, responseType) => {
      const res = await f.browser.get(authorizeUrl({ ...base(), response_type: responseType }));
      expectRedirectError(res, f.app.redirectUri, 'unsupported_response_type', 'st@te /&=x');
    });

    it('missing response_type → unsupported_response_type', async () => {
      const { response_type: _, ...query } = base();
      const res = await f.browser.get(authorizeUrl(query));
      expectRedirectError(res, f.app.redirectUri, 'unsupported_response_type', 'st@te /&=x');
    });

    it('without state the error redirect carries no state, still iss', async () => {
      const { state: _, ...query } = base();
      const res = await f.browser.get(authorizeUrl({ ...query, scope: 'admin' }));
      expectRedirectError(res, f.app.redirectUri, 'invalid_scope', undefined);
    });
  });

  describe('PKCE: S256 only, required for public apps', () => {
    const challenge = pkce().challenge;
    const query = (target: ThreeLeggedApp, extra: Record<string, string>) => ({
      response_type: 'code',
      client_id: target.client.id,
      redirect_uri: target.redirectUri,
      scope: 'data:read',
      state: 'pk',
      ...extra,
    });

    it.each([
      ['no challenge', {}],
      ['plain', { code_challenge: challenge, code_challenge_method: 'plain' }],
      ['challenge without method (= plain)', { code_challenge: challenge }],
      ['unknown method', { code_challenge: challenge, code_challenge_method: 'S512' }],
      ['lower-case s256', { code_challenge: challenge, code_challenge_method: 's256' }],
      ['method without challenge', { code_challenge_method: 'S256' }],
      ['short challenge', { code_challenge: 'abc', code_challenge_method: 'S256' }],
    ])('public app, %s → invalid_request', async (_name, extra) => {
      const before = await snapshot(f.s);
      const res = await f.browser.get(authorizeUrl(query(f.publicApp, extra)));
      expectRedirectError(res, f.publicApp.redirectUri, 'invalid_request', 'pk');
      expect(await snapshot(f.s)).toEqual(before);
    });

    it.each([
      ['plain', { code_challenge: challenge, code_challenge_method: 'plain' }],
      ['unknown method', { code_challenge: challenge, code_challenge_method: 'S1' }],
      ['challenge without method', { code_challenge: challenge }],
    ])('confidential app, %s → invalid_request', async (_name, extra) => {
      const res = await f.browser.get(authorizeUrl(query(f.app, extra)));
      expectRedirectError(res, f.app.redirectUri, 'invalid_request', 'pk');
    });

    it('public app with S256 works end to end (client_id in the body, no secret)', async () => {
      const { code, verifier } = await getCode(f.browser, f.publicApp, { scope: 'data:read' });
      const res = await tokenRequest(f.s.app, undefined, {
        grant_type: 'authorization_code',
        client_id: f.publicApp.client.id,
        code,
        redirect_uri: f.publicApp.redirectUri,
        code_verifier: verifier as string,
      });
      expect(res.statusCode).toBe(200);
    });

    it('confidential app without PKCE works end to end (Lokalise style)', async () => {
      const lokalise = await freshApp();
      const { code, location } = await getCode(f.browser, lokalise, { withPkce: false, state: 'lok' });
      expect(new URL(location).searchParams.get('state')).toBe('lok');
      const res = await tokenRequest(f.s.app, lokalise.basic, {
        grant_type: 'authorization_code',
        code,
        redirect_uri: lokalise.redirectUri,
      });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ token_type: 'Bearer', scope: 'data:read data:write' });
      expect(res.json().refresh_token).toMatch(REFRESH_TOKEN_SHAPE);
    });

    it('LATCHKEY_REQUIRE_PKCE=true: a confidential app without PKCE → invalid_request', async () => {
      const strict = await startTestServer(dialect, { LATCHKEY_REQUIRE_PKCE: 'true' });
      try {
        const confidential = await registerThreeLeggedApp(strict);
        const res = await new InjectBrowser(strict.app).get(
          authorizeUrl({
            response_type: 'code',
            client_id: confidential.client.id,
            redirect_uri: confidential.redirectUri,
            scope: 'data:read',
            state: 'strict',
          }),
        );
        expectRedirectError(res, confidential.redirectUri, 'invalid_request', 'strict');
        const ok = await new InjectBrowser(strict.app).get(
          authorizeUrl({
            response_type: 'code',
            client_id: confidential.client.id,
            redirect_uri: confidential.redirectUri,
            scope: 'data:read',
            code_challenge: pkce().challenge,
            code_challenge_method: 'S256',
          }),
        );
        // Valid with PKCE: on to the sign-in page.
        expect(ok.statusCode).toBe(303);
        expect(String(ok.headers['location'])).toMatch(/^\/login\?return_to=/);
      } finally {
        await strict.close();
      }
    });
  });
});
