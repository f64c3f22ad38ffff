/**
 * Token revocation under attack (RFC 7009 §2.1, §2.2): unknown and already revoked tokens answer 200;
 * another client's refresh or access token answers 200 and stays valid; the owner revoking one access
 * token makes just that token inactive; a request without client authentication is 401 invalid_client.
 */
import { describe, expect, it } from 'vitest';
import { expectInactive, getTokens, introspect, refresh, revoke } from './support/attacks.js';
import { grantRequests, useGrantAttackServer } from './support/grant-attack-server.js';
import { dialects } from './support/server.js';

describe.each(dialects())('code, refresh, revocation and introspection attacks on %s', (dialect) => {
  const f = useGrantAttackServer(dialect);

  const { active } = grantRequests(() => f.s);

  describe('revocation (RFC 7009)', () => {
    it('unknown and already revoked tokens → 200', async () => {
      for (const token of ['x'.repeat(43), 'not-a-token', 'eyJhbGciOiJub25lIn0.e30.']) {
        const res = await revoke(f.s.app, f.appA.basic, token);
        expect(res.statusCode).toBe(200);
      }
      const tokens = await getTokens(f.s, f.browser, f.appA);
      for (let i = 0; i < 2; i++) {
        expect((await revoke(f.s.app, f.appA.basic, tokens.refresh_token)).statusCode).toBe(200);
        expect((await revoke(f.s.app, f.appA.basic, tokens.access_token)).statusCode).toBe(200);
      }
      expectInactive(await introspect(f.s.app, f.appA.basic, tokens.access_token));
    });

    it('another client’s refresh token → 200 and the token still works', async () => {
      const tokens = await getTokens(f.s, f.browser, f.appA);
      for (const hint of [undefined, 'refresh_token', 'access_token']) {
        expect((await revoke(f.s.app, f.appB.basic, tokens.refresh_token, hint)).statusCode).toBe(200);
      }
      expect(await active(f.appA, tokens.access_token)).toBe(true);
      expect((await refresh(f.s.app, f.appA.basic, tokens.refresh_token)).statusCode).toBe(200);
    });

    it('another client’s access token → 200 and it still introspects active', async () => {
      const tokens = await getTokens(f.s, f.browser, f.appA);
      for (const hint of [undefined, 'access_token', 'refresh_token']) {
        expect((await revoke(f.s.app, f.appB.basic, tokens.access_token, hint)).statusCode).toBe(200);
      }
      expect(await active(f.appA, tokens.access_token)).toBe(true);
      expect((await refresh(f.s.app, f.appA.basic, tokens.refresh_token)).statusCode).toBe(200);
    });

    it('the owner revoking one access token makes just that token inactive', async () => {
      const tokens = await getTokens(f.s, f.browser, f.appA);
      const refreshed = (await refresh(f.s.app, f.appA.basic, tokens.refresh_token)).json();
      expect((await revoke(f.s.app, f.appA.basic, tokens.access_token, 'access_token')).statusCode).toBe(200);
      expectInactive(await introspect(f.s.app, f.appA.basic, tokens.access_token));
      expect(await active(f.appA, refreshed.access_token)).toBe(true);
    });

    it('without client authentication → 401 invalid_client', async () => {
      const tokens = await getTokens(f.s, f.browser, f.appA);
      const res = await f.s.app.inject({
        method: 'POST',
        url: '/oauth/revoke',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: `token=${tokens.refresh_token}`,
      });
      expect(res.statusCode).toBe(401);
      expect(res.json().error).toBe('invalid_client');
      expect((await refresh(f.s.app, f.appA.basic, tokens.refresh_token)).statusCode).toBe(200);
    });
  });
});
