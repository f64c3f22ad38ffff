/**
 * The authorization endpoint (RFC 6749 §4.1, §3.1.2, §4.1.2.1; RFC 8252 §7.3; RFC 9700 §4.1) under
 * attack through the client and redirect URI it is asked to trust: a redirect_uri not byte-equal to a
 * registered one, loopback redirect URIs on any port but nothing else, and an unknown, missing or repeated
 * client_id. Each answers an HTML error page, never a redirect, and stores nothing.
 */
import { describe, expect, it } from 'vitest';
import { expectErrorPage, ISSUER, snapshot, tokenRequest } from './support/attacks.js';
import { authorizeUrl, useAuthorizeAttackServer } from './support/authorize-attack-server.js';
import { authorizeAndAllow, InjectBrowser, locationParams, pkce } from './support/browser.js';
import { dialects } from './support/server.js';

describe.each(dialects())('authorization endpoint attacks on %s', (dialect) => {
  const f = useAuthorizeAttackServer(dialect);

  describe('redirect_uri not byte-equal to a registered one', () => {
    const variants = [
      ['path', 'https://app.example/cb2'],
      ['path prefix', 'https://app.example/c'],
      ['path case', 'https://app.example/CB'],
      ['host case', 'https://APP.example/cb'],
      ['scheme case', 'HTTPS://app.example/cb'],
      ['trailing slash', 'https://app.example/cb/'],
      ['extra query', 'https://app.example/cb?x=1'],
      ['empty query', 'https://app.example/cb?'],
      ['userinfo', 'https://user@app.example/cb'],
      ['userinfo host confusion', 'https://app.example@evil.example/cb'],
      ['fragment', 'https://app.example/cb#frag'],
      ['empty fragment', 'https://app.example/cb#'],
      ['different port', 'https://app.example:8443/cb'],
      ['explicit default port', 'https://app.example:443/cb'],
      ['http instead of https', 'http://app.example/cb'],
      ['percent-encoded path', 'https://app.example/%63b'],
      ['dot segment', 'https://app.example/x/../cb'],
      ['subdomain', 'https://evil.app.example/cb'],
      ['other host', 'https://evil.example/cb'],
      ['trailing dot host', 'https://app.example./cb'],
      ['relative', '/cb'],
      ['scheme-relative', '//app.example/cb'],
      ['NUL appended', 'https://app.example/cb\u0000'],
      ['space appended', 'https://app.example/cb '],
    ] as const;

    it.each(variants)('%s (%s): 400 HTML page, no redirect, nothing stored', async (_name, redirectUri) => {
      const before = await snapshot(f.s);
      const anonymous = new InjectBrowser(f.s.app);
      for (const who of [f.browser, anonymous]) {
        const res = await who.get(
          authorizeUrl({
            response_type: 'code',
            client_id: f.app.client.id,
            redirect_uri: redirectUri,
            scope: 'data:read',
            state: 'st',
          }),
        );
        expectErrorPage(res, 400);
        expect(res.body).not.toContain('evil.example/cb?');
      }
      expect(await snapshot(f.s)).toEqual(before);
    });
  });

  describe('loopback redirect URIs (RFC 8252 §7.3)', () => {
    const query = (redirectUri: string, challenge: string) => ({
      response_type: 'code',
      client_id: f.loopbackApp.client.id,
      redirect_uri: redirectUri,
      scope: 'data:read',
      state: 'loop',
      code_challenge: challenge,
      code_challenge_method: 'S256',
    });

    it.each([
      'http://127.0.0.1:51234/cb',
      'http://127.0.0.1:1/cb',
      'http://127.0.0.1/cb',
      'http://[::1]:49152/cb',
      'http://[::1]:8080/cb',
      'http://[::1]/cb',
    ])('any port is accepted: %s, and the code redeems with the same URI', async (redirectUri) => {
      const { verifier, challenge } = pkce();
      const res = await authorizeAndAllow(f.browser, query(redirectUri, challenge));
      expect(res.statusCode).toBe(303);
      const location = String(res.headers['location']);
      expect(location.startsWith(`${redirectUri}?`)).toBe(true);
      const params = locationParams(res);
      expect(params.get('state')).toBe('loop');
      expect(params.get('iss')).toBe(ISSUER);
      const tokens = await tokenRequest(f.s.app, undefined, {
        grant_type: 'authorization_code',
        client_id: f.loopbackApp.client.id,
        code: params.get('code') as string,
        redirect_uri: redirectUri,
        code_verifier: verifier,
      });
      expect(tokens.statusCode).toBe(200);
    });

    it.each([
      ['localhost instead of the IP', 'http://localhost:51234/cb'],
      ['other loopback IP', 'http://127.0.0.2:51234/cb'],
      ['short IPv4 form', 'http://127.1:51234/cb'],
      ['long IPv6 form', 'http://[0:0:0:0:0:0:0:1]:51234/cb'],
      ['IPv4-mapped IPv6', 'http://[::ffff:127.0.0.1]:51234/cb'],
      ['other path', 'http://127.0.0.1:51234/other'],
      ['trailing slash', 'http://127.0.0.1:51234/cb/'],
      ['path case', 'http://127.0.0.1:51234/CB'],
      ['extra query', 'http://127.0.0.1:51234/cb?x=1'],
      ['fragment', 'http://127.0.0.1:51234/cb#f'],
      ['userinfo', 'http://u@127.0.0.1:51234/cb'],
      ['https on loopback', 'https://127.0.0.1:51234/cb'],
      ['leading-zero port', 'http://127.0.0.1:051234/cb'],
      ['port out of range', 'http://127.0.0.1:65536/cb'],
      ['IPv6 other path', 'http://[::1]:51234/cb2'],
      ['host case', 'HTTP://127.0.0.1:51234/cb'],
    ])('%s (%s): error page, nothing stored', async (_name, redirectUri) => {
      const before = await snapshot(f.s);
      const res = await f.browser.get(authorizeUrl(query(redirectUri, pkce().challenge)));
      expectErrorPage(res, 400);
      expect(await snapshot(f.s)).toEqual(before);
    });

    it('the loopback exception does not apply to a registered https URI: another port is refused', async () => {
      const res = await f.browser.get(
        authorizeUrl({
          response_type: 'code',
          client_id: f.app.client.id,
          redirect_uri: 'https://app.example:4443/cb',
          scope: 'data:read',
        }),
      );
      expectErrorPage(res, 400);
    });
  });

  describe('unknown or missing client_id', () => {
    it.each([
      ['unknown', { client_id: 'no-such-client', redirect_uri: 'https://app.example/cb' }],
      ['missing', { redirect_uri: 'https://app.example/cb' }],
      ['empty', { client_id: '', redirect_uri: 'https://app.example/cb' }],
      ['SQL', { client_id: "' OR 1=1--", redirect_uri: 'https://app.example/cb' }],
      ['NUL', { client_id: 'a\u0000b', redirect_uri: 'https://app.example/cb' }],
      ['10 KB', { client_id: 'x'.repeat(10_000), redirect_uri: 'https://app.example/cb' }],
      ['unicode', { client_id: 'clïent', redirect_uri: 'https://app.example/cb' }],
    ] as const)('%s client_id: HTML error page, no redirect, nothing stored', async (_name, params) => {
      const before = await snapshot(f.s);
      const res = await f.browser.get(
        authorizeUrl({ response_type: 'code', scope: 'data:read', state: 's', ...params }),
      );
      expectErrorPage(res, 400);
      expect(await snapshot(f.s)).toEqual(before);
    });

    it('an app without the authorization code grant and no redirect URIs: error page, no redirect', async () => {
      const res = await f.browser.get(
        authorizeUrl({
          response_type: 'code',
          client_id: f.s.credentials.clientId,
          redirect_uri: 'https://app.example/cb',
          scope: 'data:read',
        }),
      );
      expectErrorPage(res, 400);
    });

    it('a repeated client_id is refused with a page, never a redirect', async () => {
      const res = await f.browser.get(
        `/oauth/authorize?response_type=code&client_id=${f.app.client.id}&client_id=${f.publicApp.client.id}&redirect_uri=${encodeURIComponent(f.app.redirectUri)}`,
      );
      expectErrorPage(res, 400);
    });
  });
});
