/**
 * Authorization codes under attack at the token endpoint (RFC 6749 §4.1.2, §4.1.3, §10.5, RFC 7636
 * §4.6, RFC 9700 §4.5, §4.8): a replayed code revokes the tokens it gave; an expired code, one redeemed
 * by another client or with another redirect_uri, or a wrong, missing or downgraded code_verifier is
 * invalid_grant, all with one description; a public app that sends a secret is refused.
 */
import type { LightMyRequestResponse } from 'fastify';
import { describe, expect, it } from 'vitest';
import {
  expectInactive,
  expectInvalidGrant,
  getCode,
  getTokens,
  hashOf,
  introspect,
  nowSeconds,
  refresh,
  tokenRequest,
} from './support/attacks.js';
import { pkce, registerThreeLeggedApp } from './support/browser.js';
import {
  expectGenericInvalidGrant,
  grantRequests,
  useGrantAttackServer,
} from './support/grant-attack-server.js';
import { dialects, FORM, REFRESH_TOKEN_SHAPE } from './support/server.js';

describe.each(dialects())('code, refresh, revocation and introspection attacks on %s', (dialect) => {
  const f = useGrantAttackServer(dialect);

  const { redeemCode, active } = grantRequests(() => f.s);

  describe('authorization codes', () => {
    it('replayed in sequence: exactly one 200, then invalid_grant, and the first tokens are revoked', async () => {
      const { code, verifier, redirectUri } = await getCode(f.browser, f.appA);
      const form = { code, redirect_uri: redirectUri, code_verifier: verifier };
      const first = await redeemCode(f.appA, form);
      expect(first.statusCode).toBe(200);
      const tokens = first.json();
      expect(await active(f.appA, tokens.access_token)).toBe(true);
      const second = await redeemCode(f.appA, form);
      expectInvalidGrant(second);
      expect(second.json()).not.toHaveProperty('access_token');
      expectInvalidGrant(await refresh(f.s.app, f.appA.basic, tokens.refresh_token));
      expectInactive(await introspect(f.s.app, f.appA.basic, tokens.access_token));
      // A third try is still refused.
      expectInvalidGrant(await redeemCode(f.appA, form));
    });

    it('codes are 256-bit, stored hashed, and live 60 s by default', async () => {
      const { code } = await getCode(f.browser, f.appA);
      expect(code).toMatch(/^[\w-]{43}$/);
      const row = await f.s.ctx.db
        .selectFrom('authorization_codes')
        .select(['expires_at', 'used_at'])
        .where('code_hash', '=', hashOf(code))
        .executeTakeFirstOrThrow();
      expect(Number(row.expires_at) - nowSeconds()).toBeGreaterThanOrEqual(58);
      expect(Number(row.expires_at) - nowSeconds()).toBeLessThanOrEqual(60);
      expect(row.used_at).toBeNull();
      const plain = await f.s.ctx.db
        .selectFrom('authorization_codes')
        .select('code_hash')
        .where('code_hash', '=', code)
        .execute();
      expect(plain).toHaveLength(0);
    });

    it('expired → invalid_grant', async () => {
      const { code, verifier, redirectUri } = await getCode(f.browser, f.appA);
      await f.s.ctx.db
        .updateTable('authorization_codes')
        .set({ expires_at: nowSeconds() - 1 })
        .where('code_hash', '=', hashOf(code))
        .execute();
      expectInvalidGrant(
        await redeemCode(f.appA, { code, redirect_uri: redirectUri, code_verifier: verifier }),
      );
    });

    it('redeemed by another client → invalid_grant', async () => {
      const { code, verifier, redirectUri } = await getCode(f.browser, f.appA);
      const res = await redeemCode(f.appB, { code, redirect_uri: redirectUri, code_verifier: verifier });
      expectInvalidGrant(res);
    });

    it('a public client presenting another app’s code → invalid_grant', async () => {
      const publicApp = await registerThreeLeggedApp(f.s, {
        name: 'Public',
        isPublic: true,
        redirectUris: ['https://a.example/cb'],
      });
      const { code, verifier, redirectUri } = await getCode(f.browser, f.appA);
      const res = await tokenRequest(f.s.app, undefined, {
        grant_type: 'authorization_code',
        client_id: publicApp.client.id,
        code,
        redirect_uri: redirectUri,
        code_verifier: verifier as string,
      });
      expectInvalidGrant(res);
    });

    it('a public app that sends a client_secret (body or Basic) → 401 invalid_client; without one its code and refresh token work', async () => {
      const spa = await registerThreeLeggedApp(f.s, {
        name: 'Public with a secret',
        isPublic: true,
        redirectUris: ['https://spa-secret.example/cb'],
      });
      // An address of its own: these failures count against no other test's limit.
      const post = (form: Record<string, string>, authorization?: string) =>
        f.s.app.inject({
          method: 'POST',
          url: '/oauth/token',
          remoteAddress: '10.66.0.1',
          headers: { ...FORM, ...(authorization ? { authorization } : {}) },
          payload: new URLSearchParams(form).toString(),
        });
      const basic = (secret: string) =>
        `Basic ${Buffer.from(`${spa.client.id}:${secret}`).toString('base64')}`;
      const expectRefused = (res: LightMyRequestResponse) => {
        expect(res.statusCode).toBe(401);
        expect(res.headers['www-authenticate']).toBe('Basic realm="latchkey", charset="UTF-8"');
        expect(res.headers['cache-control']).toBe('no-store');
        expect(res.json()).toEqual({
          error: 'invalid_client',
          error_description: 'client authentication failed',
        });
      };
      const { code, verifier, redirectUri } = await getCode(f.browser, spa);
      const redeem = { grant_type: 'authorization_code', code, redirect_uri: redirectUri };
      const withVerifier = { ...redeem, code_verifier: verifier as string };
      // Any secret at all, even another app's real one.
      for (const secret of ['anything', f.appA.clientSecret as string]) {
        expectRefused(await post({ ...withVerifier, client_id: spa.client.id, client_secret: secret }));
        expectRefused(await post(withVerifier, basic(secret)));
      }
      // The refusals left the code unused: the app without a secret redeems it.
      const redeemed = await post({ ...withVerifier, client_id: spa.client.id });
      expect(redeemed.statusCode).toBe(200);
      const refreshToken = redeemed.json().refresh_token as string;
      expect(refreshToken).toMatch(REFRESH_TOKEN_SHAPE);
      const refreshForm = { grant_type: 'refresh_token', refresh_token: refreshToken };
      expectRefused(await post({ ...refreshForm, client_id: spa.client.id, client_secret: 'anything' }));
      expectRefused(await post(refreshForm, basic('anything')));
      const refreshed = await post({ ...refreshForm, client_id: spa.client.id });
      expect(refreshed.statusCode).toBe(200);
    });

    it.each([
      ['the other registered URI', 'https://a.example/other'],
      ['a trailing slash', 'https://a.example/cb/'],
      ['an unregistered URI', 'https://evil.example/cb'],
    ])('different redirect_uri (%s) → invalid_grant', async (_name, other) => {
      const { code, verifier } = await getCode(f.browser, f.appA, { redirectUri: 'https://a.example/cb' });
      expectInvalidGrant(await redeemCode(f.appA, { code, redirect_uri: other, code_verifier: verifier }));
    });

    it('redirect_uri omitted at the token endpoint although the app has several → invalid_grant', async () => {
      const { code, verifier } = await getCode(f.browser, f.appA, { redirectUri: 'https://a.example/cb' });
      expectInvalidGrant(await redeemCode(f.appA, { code, code_verifier: verifier }));
    });

    it('loopback: a code issued for one port is refused at another', async () => {
      const desktop = await registerThreeLeggedApp(f.s, {
        name: 'Desktop',
        isPublic: true,
        redirectUris: ['http://127.0.0.1/cb'],
      });
      const { code, verifier } = await getCode(f.browser, desktop, {
        redirectUri: 'http://127.0.0.1:5000/cb',
      });
      const res = await tokenRequest(f.s.app, undefined, {
        grant_type: 'authorization_code',
        client_id: desktop.client.id,
        code,
        redirect_uri: 'http://127.0.0.1:5001/cb',
        code_verifier: verifier as string,
      });
      expectInvalidGrant(res);
    });

    it('an app without the refresh_token grant gets no refresh token, and the access token works', async () => {
      const app = await registerThreeLeggedApp(f.s, {
        name: 'No refresh',
        scope: 'data:read',
        redirectUris: ['https://norefresh.example/cb'],
        grants: ['authorization_code'],
      });
      const { code, verifier, redirectUri } = await getCode(f.browser, app, { scope: 'data:read' });
      const res = await redeemCode(app, { code, redirect_uri: redirectUri, code_verifier: verifier });
      expect(res.statusCode).toBe(200);
      expect(Object.keys(res.json()).sort()).toEqual(['access_token', 'expires_in', 'scope', 'token_type']);
      expect(await active(app, res.json().access_token)).toBe(true);
      // The app with the grant still gets one.
      expect((await getTokens(f.s, f.browser, f.appA)).refresh_token).toMatch(REFRESH_TOKEN_SHAPE);
    });

    it('every refused code gets the same invalid_grant description, whatever check failed', async () => {
      const fresh = () => getCode(f.browser, f.appA, { redirectUri: 'https://a.example/cb' });
      const failures: LightMyRequestResponse[] = [];
      failures.push(await redeemCode(f.appA, { code: 'x'.repeat(43), redirect_uri: 'https://a.example/cb' }));
      const stolen = await fresh();
      failures.push(
        await redeemCode(f.appB, {
          code: stolen.code,
          redirect_uri: stolen.redirectUri,
          code_verifier: stolen.verifier,
        }),
      );
      const otherRedirect = await fresh();
      failures.push(
        await redeemCode(f.appA, {
          code: otherRedirect.code,
          redirect_uri: 'https://a.example/other',
          code_verifier: otherRedirect.verifier,
        }),
      );
      const wrongVerifier = await fresh();
      failures.push(
        await redeemCode(f.appA, {
          code: wrongVerifier.code,
          redirect_uri: wrongVerifier.redirectUri,
          code_verifier: pkce().verifier,
        }),
      );
      const noVerifier = await fresh();
      failures.push(
        await redeemCode(f.appA, { code: noVerifier.code, redirect_uri: noVerifier.redirectUri }),
      );
      const downgrade = await getCode(f.browser, f.appA, { withPkce: false });
      failures.push(
        await redeemCode(f.appA, {
          code: downgrade.code,
          redirect_uri: downgrade.redirectUri,
          code_verifier: pkce().verifier,
        }),
      );
      const expired = await fresh();
      await f.s.ctx.db
        .updateTable('authorization_codes')
        .set({ expires_at: nowSeconds() - 1 })
        .where('code_hash', '=', hashOf(expired.code))
        .execute();
      failures.push(
        await redeemCode(f.appA, {
          code: expired.code,
          redirect_uri: expired.redirectUri,
          code_verifier: expired.verifier,
        }),
      );
      const used = await fresh();
      const form = { code: used.code, redirect_uri: used.redirectUri, code_verifier: used.verifier };
      expect((await redeemCode(f.appA, form)).statusCode).toBe(200);
      failures.push(await redeemCode(f.appA, form));
      failures.push(await redeemCode(f.appB, form));
      expect(failures).toHaveLength(9);
      for (const res of failures) expectGenericInvalidGrant(res);
    });
  });

  describe('PKCE at the token endpoint', () => {
    it.each([
      ['missing', undefined],
      ['wrong', pkce().verifier],
      ['the challenge itself', 'challenge'],
      ['too short', 'abc'],
      ['empty-looking', ' '],
    ])('%s code_verifier when a challenge was sent → invalid_grant', async (_name, bad) => {
      const { code, redirectUri } = await getCode(f.browser, f.appA);
      const verifier =
        bad === 'challenge'
          ? ((
              await f.s.ctx.db
                .selectFrom('authorization_codes')
                .select('code_challenge')
                .where('code_hash', '=', hashOf(code))
                .executeTakeFirstOrThrow()
            ).code_challenge as string)
          : bad;
      expectInvalidGrant(
        await redeemCode(f.appA, { code, redirect_uri: redirectUri, code_verifier: verifier }),
      );
    });

    it('a public app without code_verifier → invalid_request, told apart only because it reveals nothing about the code', async () => {
      const spa = await registerThreeLeggedApp(f.s, {
        name: 'SPA',
        isPublic: true,
        redirectUris: ['https://spa.example/cb'],
      });
      const { code, verifier, redirectUri } = await getCode(f.browser, spa);
      const redeem = (form: Record<string, string>) =>
        tokenRequest(f.s.app, undefined, {
          grant_type: 'authorization_code',
          client_id: spa.client.id,
          redirect_uri: redirectUri,
          ...form,
        });
      // A real code and a made-up one get the same answer: it is decided before the code is looked at.
      for (const candidate of [code, 'x'.repeat(43)]) {
        const res = await redeem({ code: candidate });
        expect({ status: res.statusCode, body: res.json() }).toEqual({
          status: 400,
          body: { error: 'invalid_request', error_description: 'code_verifier is required' },
        });
      }
      // Nothing was consumed: the code still works with its verifier.
      expect((await redeem({ code, code_verifier: verifier as string })).statusCode).toBe(200);
    });

    it('a verifier sent for a code issued without a challenge (downgrade) → invalid_grant', async () => {
      const { code, redirectUri } = await getCode(f.browser, f.appA, { withPkce: false });
      const res = await redeemCode(f.appA, {
        code,
        redirect_uri: redirectUri,
        code_verifier: pkce().verifier,
      });
      expectInvalidGrant(res);
    });
  });
});
