import type { LightMyRequestResponse } from 'fastify';
import { generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INVALID_GRANT_DESCRIPTION } from '../src/grants/user-tokens.js';
import { registerApp } from '../src/oauth/app-registration.js';
import { signAccessToken } from '../src/tokens/access-token.js';
import {
  claimsOf,
  expectInactive,
  expectInvalidGrant,
  getCode,
  getTokens,
  hashOf,
  ISSUER,
  introspect,
  nowSeconds,
  ownFormatToken,
  refresh,
  revoke,
  signedInBrowser,
  type ThreeLeggedApp,
  tokenRequest,
} from './support/attacks.js';
import { InjectBrowser, pkce, registerThreeLeggedApp } from './support/browser.js';
import {
  clockReaches,
  dialects,
  FORM,
  ISSUED_SECRET,
  REFRESH_TOKEN_SHAPE,
  startTestServer,
  type TestServer,
} from './support/server.js';

const PASSWORD = 'correct horse battery';

/** The one RFC 6749 §5.2 description every failed code or refresh token gets, whatever the reason. */
function expectGenericInvalidGrant(res: LightMyRequestResponse) {
  expect({ status: res.statusCode, body: res.json() }).toEqual({
    status: 400,
    body: { error: 'invalid_grant', error_description: INVALID_GRANT_DESCRIPTION },
  });
}

describe.each(dialects())('code, refresh, revocation and introspection attacks on %s', (dialect) => {
  let s: TestServer;
  /** Confidential, two redirect URIs. */
  let appA: ThreeLeggedApp;
  /** Confidential, same first redirect URI as A (a would-be code thief). */
  let appB: ThreeLeggedApp;
  let browser: InjectBrowser;

  const redeemCode = (app: ThreeLeggedApp, form: Record<string, string | undefined>) =>
    tokenRequest(
      s.app,
      app.basic,
      Object.fromEntries(
        Object.entries({ grant_type: 'authorization_code', ...form }).filter(([, v]) => v !== undefined),
      ) as Record<string, string>,
    );
  const active = async (app: ThreeLeggedApp, token: string) => {
    const res = await introspect(s.app, app.basic, token);
    expect(res.statusCode).toBe(200);
    return res.json().active as boolean;
  };

  beforeAll(async () => {
    s = await startTestServer(dialect);
    const user = await s.ctx.users.create('ada@example.com', 'correct horse battery');
    appA = await registerThreeLeggedApp(s, {
      name: 'App A',
      redirectUris: ['https://a.example/cb', 'https://a.example/other'],
    });
    appB = await registerThreeLeggedApp(s, { name: 'App B', redirectUris: ['https://a.example/cb'] });
    browser = await signedInBrowser(s, new InjectBrowser(s.app), user.id);
  });
  afterAll(async () => {
    expect(s.logs.text).not.toMatch(/eyJ[\w-]+\.eyJ/);
    // Codes, client secrets and refresh tokens (43 characters; 64 in the current refresh format).
    expect(s.logs.text).not.toMatch(ISSUED_SECRET);
    await s?.close();
  });

  describe('authorization codes', () => {
    it('replayed in sequence: exactly one 200, then invalid_grant, and the first tokens are revoked', async () => {
      const { code, verifier, redirectUri } = await getCode(browser, appA);
      const form = { code, redirect_uri: redirectUri, code_verifier: verifier };
      const first = await redeemCode(appA, form);
      expect(first.statusCode).toBe(200);
      const tokens = first.json();
      expect(await active(appA, tokens.access_token)).toBe(true);
      const second = await redeemCode(appA, form);
      expectInvalidGrant(second);
      expect(second.json()).not.toHaveProperty('access_token');
      expectInvalidGrant(await refresh(s.app, appA.basic, tokens.refresh_token));
      expectInactive(await introspect(s.app, appA.basic, tokens.access_token));
      // A third try is still refused.
      expectInvalidGrant(await redeemCode(appA, form));
    });

    it('codes are 256-bit, stored hashed, and live 60 s by default', async () => {
      const { code } = await getCode(browser, appA);
      expect(code).toMatch(/^[\w-]{43}$/);
      const row = await s.ctx.db
        .selectFrom('authorization_codes')
        .select(['expires_at', 'used_at'])
        .where('code_hash', '=', hashOf(code))
        .executeTakeFirstOrThrow();
      expect(Number(row.expires_at) - nowSeconds()).toBeGreaterThanOrEqual(58);
      expect(Number(row.expires_at) - nowSeconds()).toBeLessThanOrEqual(60);
      expect(row.used_at).toBeNull();
      const plain = await s.ctx.db
        .selectFrom('authorization_codes')
        .select('code_hash')
        .where('code_hash', '=', code)
        .execute();
      expect(plain).toHaveLength(0);
    });

    it('expired → invalid_grant', async () => {
      const { code, verifier, redirectUri } = await getCode(browser, appA);
      await s.ctx.db
        .updateTable('authorization_codes')
        .set({ expires_at: nowSeconds() - 1 })
        .where('code_hash', '=', hashOf(code))
        .execute();
      expectInvalidGrant(
        await redeemCode(appA, { code, redirect_uri: redirectUri, code_verifier: verifier }),
      );
    });

    it('redeemed by another client → invalid_grant', async () => {
      const { code, verifier, redirectUri } = await getCode(browser, appA);
      const res = await redeemCode(appB, { code, redirect_uri: redirectUri, code_verifier: verifier });
      expectInvalidGrant(res);
    });

    it('a public client presenting another app’s code → invalid_grant', async () => {
      const publicApp = await registerThreeLeggedApp(s, {
        name: 'Public',
        isPublic: true,
        redirectUris: ['https://a.example/cb'],
      });
      const { code, verifier, redirectUri } = await getCode(browser, appA);
      const res = await tokenRequest(s.app, undefined, {
        grant_type: 'authorization_code',
        client_id: publicApp.client.id,
        code,
        redirect_uri: redirectUri,
        code_verifier: verifier as string,
      });
      expectInvalidGrant(res);
    });

    it('a public app that sends a client_secret (body or Basic) → 401 invalid_client; without one its code and refresh token work', async () => {
      const spa = await registerThreeLeggedApp(s, {
        name: 'Public with a secret',
        isPublic: true,
        redirectUris: ['https://spa-secret.example/cb'],
      });
      // An address of its own: these failures count against no other test's limit.
      const post = (form: Record<string, string>, authorization?: string) =>
        s.app.inject({
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
      const { code, verifier, redirectUri } = await getCode(browser, spa);
      const redeem = { grant_type: 'authorization_code', code, redirect_uri: redirectUri };
      const withVerifier = { ...redeem, code_verifier: verifier as string };
      // Any secret at all, even another app's real one.
      for (const secret of ['anything', appA.clientSecret as string]) {
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
      const { code, verifier } = await getCode(browser, appA, { redirectUri: 'https://a.example/cb' });
      expectInvalidGrant(await redeemCode(appA, { code, redirect_uri: other, code_verifier: verifier }));
    });

    it('redirect_uri omitted at the token endpoint although the app has several → invalid_grant', async () => {
      const { code, verifier } = await getCode(browser, appA, { redirectUri: 'https://a.example/cb' });
      expectInvalidGrant(await redeemCode(appA, { code, code_verifier: verifier }));
    });

    it('loopback: a code issued for one port is refused at another', async () => {
      const desktop = await registerThreeLeggedApp(s, {
        name: 'Desktop',
        isPublic: true,
        redirectUris: ['http://127.0.0.1/cb'],
      });
      const { code, verifier } = await getCode(browser, desktop, { redirectUri: 'http://127.0.0.1:5000/cb' });
      const res = await tokenRequest(s.app, undefined, {
        grant_type: 'authorization_code',
        client_id: desktop.client.id,
        code,
        redirect_uri: 'http://127.0.0.1:5001/cb',
        code_verifier: verifier as string,
      });
      expectInvalidGrant(res);
    });

    it('an app without the refresh_token grant gets no refresh token, and the access token works', async () => {
      const app = await registerThreeLeggedApp(s, {
        name: 'No refresh',
        scope: 'data:read',
        redirectUris: ['https://norefresh.example/cb'],
        grants: ['authorization_code'],
      });
      const { code, verifier, redirectUri } = await getCode(browser, app, { scope: 'data:read' });
      const res = await redeemCode(app, { code, redirect_uri: redirectUri, code_verifier: verifier });
      expect(res.statusCode).toBe(200);
      expect(Object.keys(res.json()).sort()).toEqual(['access_token', 'expires_in', 'scope', 'token_type']);
      expect(await active(app, res.json().access_token)).toBe(true);
      // The app with the grant still gets one.
      expect((await getTokens(s, browser, appA)).refresh_token).toMatch(REFRESH_TOKEN_SHAPE);
    });

    it('every refused code gets the same invalid_grant description, whatever check failed', async () => {
      const fresh = () => getCode(browser, appA, { redirectUri: 'https://a.example/cb' });
      const failures: LightMyRequestResponse[] = [];
      failures.push(await redeemCode(appA, { code: 'x'.repeat(43), redirect_uri: 'https://a.example/cb' }));
      const stolen = await fresh();
      failures.push(
        await redeemCode(appB, {
          code: stolen.code,
          redirect_uri: stolen.redirectUri,
          code_verifier: stolen.verifier,
        }),
      );
      const otherRedirect = await fresh();
      failures.push(
        await redeemCode(appA, {
          code: otherRedirect.code,
          redirect_uri: 'https://a.example/other',
          code_verifier: otherRedirect.verifier,
        }),
      );
      const wrongVerifier = await fresh();
      failures.push(
        await redeemCode(appA, {
          code: wrongVerifier.code,
          redirect_uri: wrongVerifier.redirectUri,
          code_verifier: pkce().verifier,
        }),
      );
      const noVerifier = await fresh();
      failures.push(await redeemCode(appA, { code: noVerifier.code, redirect_uri: noVerifier.redirectUri }));
      const downgrade = await getCode(browser, appA, { withPkce: false });
      failures.push(
        await redeemCode(appA, {
          code: downgrade.code,
          redirect_uri: downgrade.redirectUri,
          code_verifier: pkce().verifier,
        }),
      );
      const expired = await fresh();
      await s.ctx.db
        .updateTable('authorization_codes')
        .set({ expires_at: nowSeconds() - 1 })
        .where('code_hash', '=', hashOf(expired.code))
        .execute();
      failures.push(
        await redeemCode(appA, {
          code: expired.code,
          redirect_uri: expired.redirectUri,
          code_verifier: expired.verifier,
        }),
      );
      const used = await fresh();
      const form = { code: used.code, redirect_uri: used.redirectUri, code_verifier: used.verifier };
      expect((await redeemCode(appA, form)).statusCode).toBe(200);
      failures.push(await redeemCode(appA, form));
      failures.push(await redeemCode(appB, form));
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
      const { code, redirectUri } = await getCode(browser, appA);
      const verifier =
        bad === 'challenge'
          ? ((
              await s.ctx.db
                .selectFrom('authorization_codes')
                .select('code_challenge')
                .where('code_hash', '=', hashOf(code))
                .executeTakeFirstOrThrow()
            ).code_challenge as string)
          : bad;
      expectInvalidGrant(
        await redeemCode(appA, { code, redirect_uri: redirectUri, code_verifier: verifier }),
      );
    });

    it('a public app without code_verifier → invalid_request, told apart only because it reveals nothing about the code', async () => {
      const spa = await registerThreeLeggedApp(s, {
        name: 'SPA',
        isPublic: true,
        redirectUris: ['https://spa.example/cb'],
      });
      const { code, verifier, redirectUri } = await getCode(browser, spa);
      const redeem = (form: Record<string, string>) =>
        tokenRequest(s.app, undefined, {
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
      const { code, redirectUri } = await getCode(browser, appA, { withPkce: false });
      const res = await redeemCode(appA, { code, redirect_uri: redirectUri, code_verifier: pkce().verifier });
      expectInvalidGrant(res);
    });
  });

  describe('refresh tokens', () => {
    it('broader scope → invalid_scope, token untouched; narrower allowed; later refresh gets the full scope', async () => {
      const narrowGrant = await getTokens(s, browser, appA, { scope: 'data:read' });
      for (const scope of ['data:read data:write', 'data:write', 'admin', 'data:read admin']) {
        const res = await refresh(s.app, appA.basic, narrowGrant.refresh_token, scope);
        expect({ status: res.statusCode, error: res.json().error }).toEqual({
          status: 400,
          error: 'invalid_scope',
        });
      }
      // The refused requests consumed nothing.
      const same = await refresh(s.app, appA.basic, narrowGrant.refresh_token);
      expect(same.statusCode).toBe(200);
      expect(same.json().scope).toBe('data:read');

      const full = await getTokens(s, browser, appA, { scope: 'data:read data:write' });
      expect(full.scope).toBe('data:read data:write');
      const narrower = await refresh(s.app, appA.basic, full.refresh_token, 'data:read');
      expect(narrower.statusCode).toBe(200);
      expect(narrower.json().scope).toBe('data:read');
      expect(claimsOf(narrower.json().access_token).scope).toBe('data:read');
      const later = await refresh(s.app, appA.basic, narrower.json().refresh_token);
      expect(later.statusCode).toBe(200);
      expect(later.json().scope).toBe('data:read data:write');
      expect(claimsOf(later.json().access_token).scope).toBe('data:read data:write');
    });

    it('reuse of a rotated token asking for a wider scope is still a replay: invalid_grant, the grant revoked (RFC 9700 §4.14.2)', async () => {
      const first = await getTokens(s, browser, appA, { scope: 'data:read' });
      const rotated = await refresh(s.app, appA.basic, first.refresh_token);
      expect(rotated.statusCode).toBe(200);
      const latest = await refresh(s.app, appA.basic, rotated.json().refresh_token);
      expect(latest.statusCode).toBe(200);
      // The rotated token, replayed with a scope it was never granted: the scope must not hide the
      // replay (an invalid_scope answer would confirm the token is live and leave the grant standing).
      expectInvalidGrant(await refresh(s.app, appA.basic, first.refresh_token, 'data:read data:write'));
      expectInvalidGrant(await refresh(s.app, appA.basic, latest.json().refresh_token));
      const res = await introspect(s.app, appA.basic, latest.json().access_token);
      expect(res.json()).toEqual({ active: false });
    });

    it('refresh token of another client → invalid_grant, and the owner can still use it', async () => {
      const tokens = await getTokens(s, browser, appA);
      expectInvalidGrant(await refresh(s.app, appB.basic, tokens.refresh_token));
      expectInvalidGrant(
        await refresh(s.app, appB.basic, tokens.refresh_token, 'data:read data:write admin'),
      );
      expect((await refresh(s.app, appA.basic, tokens.refresh_token)).statusCode).toBe(200);
    });

    it('expired → invalid_grant', async () => {
      const tokens = await getTokens(s, browser, appA);
      const row = await s.ctx.db
        .selectFrom('refresh_tokens')
        .select(['expires_at', 'created_at'])
        .where('token_hash', '=', hashOf(tokens.refresh_token))
        .executeTakeFirstOrThrow();
      // Default lifetime: 14 days.
      expect(Number(row.expires_at) - Number(row.created_at)).toBe(14 * 86400);
      await s.ctx.db
        .updateTable('refresh_tokens')
        .set({ expires_at: nowSeconds() - 1 })
        .where('token_hash', '=', hashOf(tokens.refresh_token))
        .execute();
      expectInvalidGrant(await refresh(s.app, appA.basic, tokens.refresh_token));
    });

    it('revoked → invalid_grant', async () => {
      const tokens = await getTokens(s, browser, appA);
      expect((await revoke(s.app, appA.basic, tokens.refresh_token, 'refresh_token')).statusCode).toBe(200);
      expectInvalidGrant(await refresh(s.app, appA.basic, tokens.refresh_token));
      expectInactive(await introspect(s.app, appA.basic, tokens.access_token));
    });

    it('unknown → invalid_grant', async () => {
      expectInvalidGrant(await refresh(s.app, appA.basic, 'x'.repeat(43)));
      expectInvalidGrant(await refresh(s.app, appA.basic, 'x'.repeat(64)));
    });

    it('reuse racing a rotation that carries a later second is still a replay at grace 0', async () => {
      const first = await getTokens(s, browser, appA);
      const second = (await refresh(s.app, appA.basic, first.refresh_token)).json();
      // The successor was used, so presenting `first` again is no retry after a lost answer.
      const third = (await refresh(s.app, appA.basic, second.refresh_token)).json();
      // The winner of a race read the clock after this request did (it waited for the lock).
      await s.ctx.db
        .updateTable('refresh_tokens')
        .set({ rotated_at: nowSeconds() + 5 })
        .where('token_hash', '=', hashOf(first.refresh_token))
        .execute();
      expectInvalidGrant(await refresh(s.app, appA.basic, first.refresh_token));
      expectInvalidGrant(await refresh(s.app, appA.basic, second.refresh_token));
      expectInvalidGrant(await refresh(s.app, appA.basic, third.refresh_token));
    });

    it('a live token’s selector with another verifier → invalid_grant, and nothing is revoked', async () => {
      const tokens = await getTokens(s, browser, appA);
      const { id } = await s.ctx.db
        .selectFrom('refresh_tokens')
        .select('id')
        .where('token_hash', '=', hashOf(tokens.refresh_token))
        .executeTakeFirstOrThrow();
      // Someone who learned the selector key and the row ID, or who damaged the verifier: neither is
      // the token issued for that row, so neither counts as its reuse.
      const forged = await ownFormatToken(s, Number(id));
      const last = tokens.refresh_token.at(-1) === 'A' ? 'B' : 'A';
      const damaged = `${tokens.refresh_token.slice(0, -1)}${last}`;
      for (const candidate of [forged, damaged]) {
        expectGenericInvalidGrant(await refresh(s.app, appA.basic, candidate));
        expect((await introspect(s.app, appA.basic, candidate)).json()).toEqual({ active: false });
      }
      expect(await active(appA, tokens.access_token)).toBe(true);
      expect((await refresh(s.app, appA.basic, tokens.refresh_token)).statusCode).toBe(200);
    });

    it('unknown, another client’s, expired, revoked and replayed refresh tokens share one description', async () => {
      const failures: LightMyRequestResponse[] = [await refresh(s.app, appA.basic, 'x'.repeat(43))];
      const theirs = await getTokens(s, browser, appA);
      failures.push(await refresh(s.app, appB.basic, theirs.refresh_token));
      const expired = await getTokens(s, browser, appA);
      await s.ctx.db
        .updateTable('refresh_tokens')
        .set({ expires_at: nowSeconds() - 1 })
        .where('token_hash', '=', hashOf(expired.refresh_token))
        .execute();
      failures.push(await refresh(s.app, appA.basic, expired.refresh_token));
      const revoked = await getTokens(s, browser, appA);
      await revoke(s.app, appA.basic, revoked.refresh_token);
      failures.push(await refresh(s.app, appA.basic, revoked.refresh_token));
      const rotated = await getTokens(s, browser, appA);
      const successor = await refresh(s.app, appA.basic, rotated.refresh_token);
      expect(successor.statusCode).toBe(200);
      // Its successor used, the rotated token presented again is a replay (not a retry).
      expect((await refresh(s.app, appA.basic, successor.json().refresh_token)).statusCode).toBe(200);
      failures.push(await refresh(s.app, appA.basic, rotated.refresh_token));
      for (const res of failures) expectGenericInvalidGrant(res);
    });

    it('reuse of a rotated token (grace 0) → invalid_grant and the whole grant revoked', async () => {
      const first = await getTokens(s, browser, appA);
      const second = (await refresh(s.app, appA.basic, first.refresh_token)).json();
      const third = (await refresh(s.app, appA.basic, second.refresh_token)).json();
      expect(third.refresh_token).toMatch(REFRESH_TOKEN_SHAPE);
      expect(await active(appA, third.access_token)).toBe(true);
      // The attacker replays the first (rotated) token.
      expectInvalidGrant(await refresh(s.app, appA.basic, first.refresh_token));
      // The newest refresh token fails too, and every access token of the grant is inactive.
      expectInvalidGrant(await refresh(s.app, appA.basic, third.refresh_token));
      for (const token of [first.access_token, second.access_token, third.access_token]) {
        expectInactive(await introspect(s.app, appA.basic, token));
      }
      const gid = claimsOf(third.access_token).gid as string;
      const grant = await s.ctx.db
        .selectFrom('grants')
        .select('revoked_at')
        .where('id', '=', gid)
        .executeTakeFirstOrThrow();
      expect(grant.revoked_at).not.toBeNull();
    });
  });

  describe('revocation (RFC 7009)', () => {
    it('unknown and already revoked tokens → 200', async () => {
      for (const token of ['x'.repeat(43), 'not-a-token', 'eyJhbGciOiJub25lIn0.e30.']) {
        const res = await revoke(s.app, appA.basic, token);
        expect(res.statusCode).toBe(200);
      }
      const tokens = await getTokens(s, browser, appA);
      for (let i = 0; i < 2; i++) {
        expect((await revoke(s.app, appA.basic, tokens.refresh_token)).statusCode).toBe(200);
        expect((await revoke(s.app, appA.basic, tokens.access_token)).statusCode).toBe(200);
      }
      expectInactive(await introspect(s.app, appA.basic, tokens.access_token));
    });

    it('another client’s refresh token → 200 and the token still works', async () => {
      const tokens = await getTokens(s, browser, appA);
      for (const hint of [undefined, 'refresh_token', 'access_token']) {
        expect((await revoke(s.app, appB.basic, tokens.refresh_token, hint)).statusCode).toBe(200);
      }
      expect(await active(appA, tokens.access_token)).toBe(true);
      expect((await refresh(s.app, appA.basic, tokens.refresh_token)).statusCode).toBe(200);
    });

    it('another client’s access token → 200 and it still introspects active', async () => {
      const tokens = await getTokens(s, browser, appA);
      for (const hint of [undefined, 'access_token', 'refresh_token']) {
        expect((await revoke(s.app, appB.basic, tokens.access_token, hint)).statusCode).toBe(200);
      }
      expect(await active(appA, tokens.access_token)).toBe(true);
      expect((await refresh(s.app, appA.basic, tokens.refresh_token)).statusCode).toBe(200);
    });

    it('the owner revoking one access token makes just that token inactive', async () => {
      const tokens = await getTokens(s, browser, appA);
      const refreshed = (await refresh(s.app, appA.basic, tokens.refresh_token)).json();
      expect((await revoke(s.app, appA.basic, tokens.access_token, 'access_token')).statusCode).toBe(200);
      expectInactive(await introspect(s.app, appA.basic, tokens.access_token));
      expect(await active(appA, refreshed.access_token)).toBe(true);
    });

    it('without client authentication → 401 invalid_client', async () => {
      const tokens = await getTokens(s, browser, appA);
      const res = await s.app.inject({
        method: 'POST',
        url: '/oauth/revoke',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: `token=${tokens.refresh_token}`,
      });
      expect(res.statusCode).toBe(401);
      expect(res.json().error).toBe('invalid_client');
      expect((await refresh(s.app, appA.basic, tokens.refresh_token)).statusCode).toBe(200);
    });
  });

  describe('introspection (RFC 7662)', () => {
    it('without client authentication → 401 invalid_client; with a wrong secret → 401', async () => {
      const tokens = await getTokens(s, browser, appA);
      const none = await introspect(s.app, undefined, tokens.access_token);
      expect(none.statusCode).toBe(401);
      expect(none.json().error).toBe('invalid_client');
      expect(none.body).not.toContain('active');
      const wrong = await introspect(
        s.app,
        `Basic ${Buffer.from(`${appA.client.id}:wrong`).toString('base64')}`,
        tokens.access_token,
      );
      expect(wrong.statusCode).toBe(401);
      expect(wrong.json().error).toBe('invalid_client');
    });

    it('a public client (client_id alone) → 401 invalid_client, even for its own token', async () => {
      const spa = await registerThreeLeggedApp(s, {
        name: 'SPA introspecting',
        isPublic: true,
        redirectUris: ['https://spa.example/cb'],
      });
      const { code, verifier, redirectUri } = await getCode(browser, spa);
      const tokens = (
        await tokenRequest(s.app, undefined, {
          grant_type: 'authorization_code',
          client_id: spa.client.id,
          code,
          redirect_uri: redirectUri,
          code_verifier: verifier as string,
        })
      ).json();
      for (const token of [tokens.access_token, tokens.refresh_token, appA.client.id]) {
        const res = await s.app.inject({
          method: 'POST',
          url: '/oauth/introspect',
          headers: FORM,
          payload: new URLSearchParams({ token, client_id: spa.client.id }).toString(),
        });
        expect(res.statusCode).toBe(401);
        expect(res.headers['www-authenticate']).toBe('Basic realm="latchkey", charset="UTF-8"');
        expect(res.json().error).toBe('invalid_client');
        expect(res.body).not.toContain('active');
      }
    });

    it('an access token is described only to its own app or a resource server; to other apps it is inactive', async () => {
      const tokens = await getTokens(s, browser, appA);
      const twoLegged = (
        await tokenRequest(s.app, s.basic(), { grant_type: 'client_credentials', scope: 'data:read' })
      ).json().access_token as string;
      // Another confidential app learns nothing, not even that the token is live.
      expectInactive(await introspect(s.app, appB.basic, tokens.access_token));
      expectInactive(await introspect(s.app, appA.basic, twoLegged));
      expect(await active(appA, tokens.access_token)).toBe(true);

      const { client, clientSecret } = await registerApp(s.ctx.clients, s.config.scopes, {
        name: 'Projects API',
        scope: 'data:read',
      });
      const api = s.basic(client.id, clientSecret as string);
      expectInactive(await introspect(s.app, api, tokens.access_token));
      expect(await s.ctx.clients.setResourceServer(client.id, true)).toBe(true);
      const described = (await introspect(s.app, api, tokens.access_token)).json();
      expect(described).toMatchObject({
        active: true,
        client_id: appA.client.id,
        scope: 'data:read data:write',
      });
      expect((await introspect(s.app, api, twoLegged)).json()).toMatchObject({
        active: true,
        client_id: s.credentials.clientId,
      });
      // Refresh tokens never go to resource servers: still only their own app's business.
      expectInactive(await introspect(s.app, api, tokens.refresh_token));
    });

    it('after the app is deleted, its unexpired access tokens (two- and three-legged) are inactive', async () => {
      const doomed = await registerThreeLeggedApp(s, {
        name: 'Doomed',
        redirectUris: ['https://doomed.example/cb'],
      });
      const other = await registerApp(s.ctx.clients, s.config.scopes, {
        name: 'Doomed two-legged',
        scope: 'data:read',
      });
      const { client, clientSecret } = await registerApp(s.ctx.clients, s.config.scopes, {
        name: 'Resource server',
        scope: 'data:read',
      });
      await s.ctx.clients.setResourceServer(client.id, true);
      const api = s.basic(client.id, clientSecret as string);
      const threeLegged = (await getTokens(s, browser, doomed)).access_token;
      const twoLegged = (
        await tokenRequest(s.app, s.basic(other.client.id, other.clientSecret as string), {
          grant_type: 'client_credentials',
        })
      ).json().access_token as string;
      for (const token of [threeLegged, twoLegged])
        expect((await introspect(s.app, api, token)).json().active).toBe(true);
      expect(await s.ctx.clients.delete(doomed.client.id)).toBe(true);
      expect(await s.ctx.clients.delete(other.client.id)).toBe(true);
      for (const token of [threeLegged, twoLegged]) expectInactive(await introspect(s.app, api, token));
    });

    it('a live token is described', async () => {
      const tokens = await getTokens(s, browser, appA);
      const res = (await introspect(s.app, appA.basic, tokens.access_token)).json();
      expect(res).toMatchObject({ active: true, client_id: appA.client.id, iss: ISSUER });
    });

    it('expired → exactly {"active":false}', async () => {
      const tokens = await getTokens(s, browser, appA);
      const live = claimsOf(tokens.access_token);
      // Same key, same grant, same client: only the expiry differs.
      const { token } = await signAccessToken(
        s.ctx.signer,
        s.ctx.keys.active,
        {
          issuer: ISSUER,
          audience: live.aud as string,
          subject: live.sub as string,
          clientId: appA.client.id,
          scope: 'data:read',
          ttlSeconds: 60,
          grantId: live.gid as string,
        },
        nowSeconds() - 3600,
      );
      const control = await signAccessToken(s.ctx.signer, s.ctx.keys.active, {
        issuer: ISSUER,
        audience: live.aud as string,
        subject: live.sub as string,
        clientId: appA.client.id,
        scope: 'data:read',
        ttlSeconds: 60,
        grantId: live.gid as string,
      });
      expect(await active(appA, control.token)).toBe(true);
      expectInactive(await introspect(s.app, appA.basic, token));
    });

    it('expired for real (LATCHKEY_ACCESS_TOKEN_TTL=1) → exactly {"active":false}', async () => {
      const short = await startTestServer(dialect, { LATCHKEY_ACCESS_TOKEN_TTL: '1' });
      try {
        const res = await short.app.inject({
          method: 'POST',
          url: '/oauth/token',
          headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: short.basic() },
          payload: 'grant_type=client_credentials',
        });
        const token = res.json().access_token as string;
        // Inactive from the second in its exp claim on.
        await clockReaches(claimsOf(token).exp as number);
        expectInactive(await introspect(short.app, short.basic(), token));
      } finally {
        await short.close();
      }
    });

    it('revoked (by grant and by jti) → exactly {"active":false}', async () => {
      const byGrant = await getTokens(s, browser, appA);
      await revoke(s.app, appA.basic, byGrant.refresh_token);
      expectInactive(await introspect(s.app, appA.basic, byGrant.access_token));
      expectInactive(await introspect(s.app, appA.basic, byGrant.refresh_token));
      const byJti = await getTokens(s, browser, appA);
      await revoke(s.app, appA.basic, byJti.access_token);
      expectInactive(await introspect(s.app, appA.basic, byJti.access_token));
    });

    it('unknown → exactly {"active":false}', async () => {
      for (const token of ['x'.repeat(43), 'garbage', 'a.b.c', 'eyJhbGciOiJub25lIn0.e30.', '%00']) {
        expectInactive(await introspect(s.app, appA.basic, token));
      }
    });

    it('foreign: a JWT with our iss and kid signed by another key, alg none, another client’s refresh token → {"active":false}', async () => {
      const tokens = await getTokens(s, browser, appA);
      const live = claimsOf(tokens.access_token);
      const ourKid = s.ctx.keys.active.kid;
      const { privateKey } = await generateKeyPair('ES256');
      const payload = {
        sub: live.sub as string,
        aud: live.aud as string,
        client_id: appA.client.id,
        scope: 'data:read data:write',
        jti: crypto.randomUUID(),
        gid: live.gid as string,
      };
      for (const kid of [ourKid, 'attacker-kid']) {
        const forged = await new SignJWT(payload)
          .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid })
          .setIssuer(ISSUER)
          .setIssuedAt()
          .setExpirationTime('1h')
          .sign(privateKey);
        expectInactive(await introspect(s.app, appA.basic, forged));
      }
      const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
      const now = nowSeconds();
      const unsigned = `${encode({ alg: 'none', typ: 'at+jwt', kid: ourKid })}.${encode({
        ...payload,
        iss: ISSUER,
        iat: now,
        exp: now + 3600,
      })}.`;
      expectInactive(await introspect(s.app, appA.basic, unsigned));
      // Our own token with a tampered payload.
      const [header, , signature] = tokens.access_token.split('.');
      const tampered = `${header}.${encode({ ...live, scope: 'admin' })}.${signature}`;
      expectInactive(await introspect(s.app, appA.basic, tampered));
      // A refresh token is described only to the client that holds it.
      expectInactive(await introspect(s.app, appB.basic, tokens.refresh_token));
      expect(await active(appA, tokens.refresh_token)).toBe(true);
    });
  });
});

describe.each(dialects())(
  'no refresh token is stored for an app without the refresh_token grant, on %s',
  (dialect) => {
    let s: TestServer;
    let browser: InjectBrowser;
    beforeAll(async () => {
      s = await startTestServer(dialect);
      const user = await s.ctx.users.create('ada@example.com', PASSWORD);
      browser = await signedInBrowser(s, new InjectBrowser(s.app), user.id);
    });
    afterAll(async () => {
      await s?.close();
    });

    const rowsOf = async (table: 'refresh_tokens' | 'grants', clientId: string) =>
      (await s.ctx.db.selectFrom(table).select('client_id').where('client_id', '=', clientId).execute())
        .length;

    /** The token response of a fresh code (refresh_token absent for apps without the grant). */
    const exchange = (app: ThreeLeggedApp) => getTokens(s, browser, app, { scope: 'data:read' });

    it('a code exchange writes the grant but no refresh_tokens row; the access token works', async () => {
      const app = await registerThreeLeggedApp(s, {
        name: 'No refresh',
        scope: 'data:read',
        redirectUris: ['https://norefresh.example/cb'],
        grants: ['authorization_code'],
      });
      const { client } = app;
      const body = await exchange(app);
      expect(body.refresh_token).toBeUndefined();
      expect(await rowsOf('refresh_tokens', client.id)).toBe(0);
      expect(await rowsOf('grants', client.id)).toBe(1);
      const res = await introspect(s.app, app.basic, body.access_token as string);
      expect(res.json().active).toBe(true);
    });

    it('an app with the grant still gets its refresh token, stored', async () => {
      const app = await registerThreeLeggedApp(s, { name: 'With refresh' });
      const body = await exchange(app);
      expect(body.refresh_token).toMatch(REFRESH_TOKEN_SHAPE);
      expect(await rowsOf('refresh_tokens', app.client.id)).toBe(1);
    });
  },
);
