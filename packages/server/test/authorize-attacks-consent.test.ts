/**
 * Consent at the authorization endpoint (RFC 6749 §4.1.1, §4.1.2.1, §10.2): it is remembered per user,
 * app and scope set and asked again for anything broader; Deny redirects with access_denied, state and
 * iss and remembers nothing; an omitted redirect_uri is taken only when exactly one is registered.
 */
import { describe, expect, it } from 'vitest';
import {
  countRows,
  expectErrorPage,
  expectRedirectError,
  getCode,
  ISSUER,
  signedInBrowser,
  tokenRequest,
} from './support/attacks.js';
import { appRegistrar, authorizeUrl, useAuthorizeAttackServer } from './support/authorize-attack-server.js';
import { csrfOf, formAction, InjectBrowser, locationParams, pkce } from './support/browser.js';
import { dialects } from './support/server.js';

describe.each(dialects())('authorization endpoint attacks on %s', (dialect) => {
  const f = useAuthorizeAttackServer(dialect);
  const freshApp = appRegistrar(() => f.s);

  describe('consent', () => {
    it('is remembered per user, app and scope set; new scopes ask again', async () => {
      const target = await freshApp();
      const query = (scope: string) =>
        authorizeUrl({
          response_type: 'code',
          client_id: target.client.id,
          redirect_uri: target.redirectUri,
          scope,
          state: 'again',
          code_challenge: pkce().challenge,
          code_challenge_method: 'S256',
        });
      const first = await f.browser.get(query('data:read'));
      expect(first.statusCode).toBe(200);
      const allowed = await f.browser.post(formAction(first.body), {
        csrf: csrfOf(first.body),
        decision: 'allow',
      });
      expect(allowed.statusCode).toBe(303);
      const second = await f.browser.get(query('data:read'));
      expect(second.statusCode).toBe(303);
      const params = locationParams(second);
      expect(params.get('code')).toMatch(/^[\w-]{43}$/);
      expect(params.get('state')).toBe('again');
      expect(params.get('iss')).toBe(ISSUER);
      // Broader: asked again.
      const broader = await f.browser.get(query('data:read data:write'));
      expect(broader.statusCode).toBe(200);
      expect(broader.body).toContain('Allow');
      // Another user: asked.
      const other = await signedInBrowser(f.s, new InjectBrowser(f.s.app), f.otherUserId);
      expect((await other.get(query('data:read'))).statusCode).toBe(200);
      // Another app of the same user: asked.
      const another = await freshApp();
      const res = await f.browser.get(
        authorizeUrl({
          response_type: 'code',
          client_id: another.client.id,
          redirect_uri: another.redirectUri,
          scope: 'data:read',
        }),
      );
      expect(res.statusCode).toBe(200);
    });

    it('Deny → redirect with error=access_denied, state and iss; nothing remembered', async () => {
      const target = await freshApp();
      const query = authorizeUrl({
        response_type: 'code',
        client_id: target.client.id,
        redirect_uri: target.redirectUri,
        scope: 'data:read',
        state: 'no-thanks',
      });
      const page = await f.browser.get(query);
      const codes = await countRows(f.s, 'authorization_codes');
      const res = await f.browser.post(formAction(page.body), { csrf: csrfOf(page.body), decision: 'deny' });
      expectRedirectError(res, target.redirectUri, 'access_denied', 'no-thanks');
      expect(await countRows(f.s, 'authorization_codes')).toBe(codes);
      expect((await f.browser.get(query)).statusCode).toBe(200);
    });

    it('redirect_uri omitted with exactly one registered: that one is used', async () => {
      const target = await freshApp({ redirectUris: ['https://only.example/callback'] });
      const { code, verifier, location } = await getCode(f.browser, target, { redirectUri: null });
      expect(location.startsWith('https://only.example/callback?')).toBe(true);
      const res = await tokenRequest(f.s.app, target.basic, {
        grant_type: 'authorization_code',
        code,
        code_verifier: verifier as string,
      });
      expect(res.statusCode).toBe(200);
    });

    it('redirect_uri omitted with several registered: error page, no redirect', async () => {
      const target = await freshApp({ redirectUris: ['https://one.example/cb', 'https://two.example/cb'] });
      const res = await f.browser.get(
        authorizeUrl({ response_type: 'code', client_id: target.client.id, scope: 'data:read' }),
      );
      expectErrorPage(res, 400);
    });
  });
});
