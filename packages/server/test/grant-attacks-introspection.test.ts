/**
 * Token introspection under attack (RFC 7662 §2.1, §2.2, §4): only an authenticated confidential client
 * may ask; an access token is described only to its own app or a resource server, a refresh token only
 * to its own app; expired, revoked, unknown, forged, unsigned or tampered tokens, and the tokens of a
 * deleted app, are exactly {"active":false}.
 */
import { generateKeyPair, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { registerApp } from '../src/oauth/app-registration.js';
import { signAccessToken } from '../src/tokens/access-token.js';
import {
  claimsOf,
  expectInactive,
  getCode,
  getTokens,
  ISSUER,
  introspect,
  nowSeconds,
  revoke,
  tokenRequest,
} from './support/attacks.js';
import { registerThreeLeggedApp } from './support/browser.js';
import { grantRequests, useGrantAttackServer } from './support/grant-attack-server.js';
import { clockReaches, dialects, FORM, startTestServer } from './support/server.js';

describe.each(dialects())('code, refresh, revocation and introspection attacks on %s', (dialect) => {
  const f = useGrantAttackServer(dialect);

  const { active } = grantRequests(() => f.s);

  describe('introspection (RFC 7662)', () => {
    it('without client authentication → 401 invalid_client; with a wrong secret → 401', async () => {
      const tokens = await getTokens(f.s, f.browser, f.appA);
      const none = await introspect(f.s.app, undefined, tokens.access_token);
      expect(none.statusCode).toBe(401);
      expect(none.json().error).toBe('invalid_client');
      expect(none.body).not.toContain('active');
      const wrong = await introspect(
        f.s.app,
        `Basic ${Buffer.from(`${f.appA.client.id}:wrong`).toString('base64')}`,
        tokens.access_token,
      );
      expect(wrong.statusCode).toBe(401);
      expect(wrong.json().error).toBe('invalid_client');
    });

    it('a public client (client_id alone) → 401 invalid_client, even for its own token', async () => {
      const spa = await registerThreeLeggedApp(f.s, {
        name: 'SPA introspecting',
        isPublic: true,
        redirectUris: ['https://spa.example/cb'],
      });
      const { code, verifier, redirectUri } = await getCode(f.browser, spa);
      const tokens = (
        await tokenRequest(f.s.app, undefined, {
          grant_type: 'authorization_code',
          client_id: spa.client.id,
          code,
          redirect_uri: redirectUri,
          code_verifier: verifier as string,
        })
      ).json();
      for (const token of [tokens.access_token, tokens.refresh_token, f.appA.client.id]) {
        const res = await f.s.app.inject({
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
      const tokens = await getTokens(f.s, f.browser, f.appA);
      const twoLegged = (
        await tokenRequest(f.s.app, f.s.basic(), { grant_type: 'client_credentials', scope: 'data:read' })
      ).json().access_token as string;
      // Another confidential app learns nothing, not even that the token is live.
      expectInactive(await introspect(f.s.app, f.appB.basic, tokens.access_token));
      expectInactive(await introspect(f.s.app, f.appA.basic, twoLegged));
      expect(await active(f.appA, tokens.access_token)).toBe(true);

      const { client, clientSecret } = await registerApp(f.s.ctx.clients, f.s.config.scopes, {
        name: 'Projects API',
        scope: 'data:read',
      });
      const api = f.s.basic(client.id, clientSecret as string);
      expectInactive(await introspect(f.s.app, api, tokens.access_token));
      expect(await f.s.ctx.clients.setResourceServer(client.id, true)).toBe(true);
      const described = (await introspect(f.s.app, api, tokens.access_token)).json();
      expect(described).toMatchObject({
        active: true,
        client_id: f.appA.client.id,
        scope: 'data:read data:write',
      });
      expect((await introspect(f.s.app, api, twoLegged)).json()).toMatchObject({
        active: true,
        client_id: f.s.credentials.clientId,
      });
      // Refresh tokens never go to resource servers: still only their own app's business.
      expectInactive(await introspect(f.s.app, api, tokens.refresh_token));
    });

    it('after the app is deleted, its unexpired access tokens (two- and three-legged) are inactive', async () => {
      const doomed = await registerThreeLeggedApp(f.s, {
        name: 'Doomed',
        redirectUris: ['https://doomed.example/cb'],
      });
      const other = await registerApp(f.s.ctx.clients, f.s.config.scopes, {
        name: 'Doomed two-legged',
        scope: 'data:read',
      });
      const { client, clientSecret } = await registerApp(f.s.ctx.clients, f.s.config.scopes, {
        name: 'Resource server',
        scope: 'data:read',
      });
      await f.s.ctx.clients.setResourceServer(client.id, true);
      const api = f.s.basic(client.id, clientSecret as string);
      const threeLegged = (await getTokens(f.s, f.browser, doomed)).access_token;
      const twoLegged = (
        await tokenRequest(f.s.app, f.s.basic(other.client.id, other.clientSecret as string), {
          grant_type: 'client_credentials',
        })
      ).json().access_token as string;
      for (const token of [threeLegged, twoLegged])
        expect((await introspect(f.s.app, api, token)).json().active).toBe(true);
      expect(await f.s.ctx.clients.delete(doomed.client.id)).toBe(true);
      expect(await f.s.ctx.clients.delete(other.client.id)).toBe(true);
      for (const token of [threeLegged, twoLegged]) expectInactive(await introspect(f.s.app, api, token));
    });

    it('a live token is described', async () => {
      const tokens = await getTokens(f.s, f.browser, f.appA);
      const res = (await introspect(f.s.app, f.appA.basic, tokens.access_token)).json();
      expect(res).toMatchObject({ active: true, client_id: f.appA.client.id, iss: ISSUER });
    });

    it('expired → exactly {"active":false}', async () => {
      const tokens = await getTokens(f.s, f.browser, f.appA);
      const live = claimsOf(tokens.access_token);
      // Same key, same grant, same client: only the expiry differs.
      const { token } = await signAccessToken(
        f.s.ctx.signer,
        f.s.ctx.keys.active,
        {
          issuer: ISSUER,
          audience: live.aud as string,
          subject: live.sub as string,
          clientId: f.appA.client.id,
          scope: 'data:read',
          ttlSeconds: 60,
          grantId: live.gid as string,
        },
        nowSeconds() - 3600,
      );
      const control = await signAccessToken(f.s.ctx.signer, f.s.ctx.keys.active, {
        issuer: ISSUER,
        audience: live.aud as string,
        subject: live.sub as string,
        clientId: f.appA.client.id,
        scope: 'data:read',
        ttlSeconds: 60,
        grantId: live.gid as string,
      });
      expect(await active(f.appA, control.token)).toBe(true);
      expectInactive(await introspect(f.s.app, f.appA.basic, token));
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
      const byGrant = await getTokens(f.s, f.browser, f.appA);
      await revoke(f.s.app, f.appA.basic, byGrant.refresh_token);
      expectInactive(await introspect(f.s.app, f.appA.basic, byGrant.access_token));
      expectInactive(await introspect(f.s.app, f.appA.basic, byGrant.refresh_token));
      const byJti = await getTokens(f.s, f.browser, f.appA);
      await revoke(f.s.app, f.appA.basic, byJti.access_token);
      expectInactive(await introspect(f.s.app, f.appA.basic, byJti.access_token));
    });

    it('unknown → exactly {"active":false}', async () => {
      for (const token of ['x'.repeat(43), 'garbage', 'a.b.c', 'eyJhbGciOiJub25lIn0.e30.', '%00']) {
        expectInactive(await introspect(f.s.app, f.appA.basic, token));
      }
    });

    it('foreign: a JWT with our iss and kid signed by another key, alg none, another client’s refresh token → {"active":false}', async () => {
      const tokens = await getTokens(f.s, f.browser, f.appA);
      const live = claimsOf(tokens.access_token);
      const ourKid = f.s.ctx.keys.active.kid;
      const { privateKey } = await generateKeyPair('ES256');
      const payload = {
        sub: live.sub as string,
        aud: live.aud as string,
        client_id: f.appA.client.id,
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
        expectInactive(await introspect(f.s.app, f.appA.basic, forged));
      }
      const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
      const now = nowSeconds();
      const unsigned = `${encode({ alg: 'none', typ: 'at+jwt', kid: ourKid })}.${encode({
        ...payload,
        iss: ISSUER,
        iat: now,
        exp: now + 3600,
      })}.`;
      expectInactive(await introspect(f.s.app, f.appA.basic, unsigned));
      // Our own token with a tampered payload.
      const [header, , signature] = tokens.access_token.split('.');
      const tampered = `${header}.${encode({ ...live, scope: 'admin' })}.${signature}`;
      expectInactive(await introspect(f.s.app, f.appA.basic, tampered));
      // A refresh token is described only to the client that holds it.
      expectInactive(await introspect(f.s.app, f.appB.basic, tokens.refresh_token));
      expect(await active(f.appA, tokens.refresh_token)).toBe(true);
    });
  });
});
