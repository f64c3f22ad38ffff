/**
 * OpenID Connect ID tokens (OIDC Core §2, §3.1.3.6, §12.2) and discovery (OIDC Discovery 1.0): what
 * the code flow and a refresh issue, how they are signed, and the attacks they must withstand.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { subjectFor } from '../src/oidc/subject.js';
import { redeem } from './support/browser.js';
import {
  authorizeCode,
  codeFlow,
  decodeJwt,
  type OidcApp,
  oidcQuery,
  redeemCode,
  refresh,
  registerOidcApp,
  signedIn,
  startOidcServer,
  verifyIdToken,
} from './support/oidc.js';
import { dialects, FORM, ISSUED_SECRET, type TestServer } from './support/server.js';

describe.each(dialects())('ID tokens on %s', (dialect) => {
  let s: TestServer;
  let app: OidcApp;
  const email = 'grace@example.com';
  beforeAll(async () => {
    s = await startOidcServer(dialect);
    app = await registerOidcApp(s);
  });
  afterAll(async () => {
    // No ID token, access token, code or refresh token in the logs.
    expect(s.logs.text).not.toMatch(/eyJ[\w-]+\.eyJ/);
    expect(s.logs.text).not.toMatch(ISSUED_SECRET);
    await s?.close();
  });

  it('discovery: the OpenID Provider document repeats every RFC 8414 member with the same value', async () => {
    const oauth = (await s.app.inject({ url: '/.well-known/oauth-authorization-server' })).json();
    const res = await s.app.inject({ url: '/.well-known/openid-configuration' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    const oidc = res.json();
    for (const [member, value] of Object.entries(oauth)) expect(oidc[member], member).toEqual(value);
    expect(oidc).toMatchObject({
      issuer: 'http://localhost:4000',
      userinfo_endpoint: 'http://localhost:4000/oauth/userinfo',
      end_session_endpoint: 'http://localhost:4000/oauth/logout',
      subject_types_supported: ['public', 'pairwise'],
      id_token_signing_alg_values_supported: ['RS256', 'ES256', 'EdDSA'],
      response_modes_supported: ['query', 'form_post'],
      response_types_supported: ['code'],
      request_parameter_supported: false,
      request_uri_parameter_supported: false,
      claims_parameter_supported: false,
      backchannel_logout_supported: true,
      backchannel_logout_session_supported: true,
    });
    expect(oidc.scopes_supported).toEqual(
      expect.arrayContaining(['openid', 'profile', 'email', 'offline_access']),
    );
    expect(oidc.prompt_values_supported).toEqual(
      expect.arrayContaining(['none', 'login', 'consent', 'create']),
    );
    expect(oidc.claims_supported).toEqual(
      expect.arrayContaining(['sub', 'iss', 'auth_time', 'nonce', 'sid', 'name', 'email', 'email_verified']),
    );
    expect(oauth.userinfo_endpoint).toBe(oidc.userinfo_endpoint);
  });

  it('the code flow issues an ID token: iss sub aud exp iat auth_time nonce azp at_hash sid, RS256 by default', async () => {
    const browser = await signedIn(s, email);
    const before = Math.floor(Date.now() / 1000);
    const tokens = await codeFlow(s, browser, app, { nonce: 'nonce-abc' });
    expect(tokens.id_token).toBeDefined();
    const { payload, protectedHeader } = await verifyIdToken(s, tokens.id_token as string, app.client.id);
    expect(protectedHeader).toMatchObject({ alg: 'RS256', typ: 'JWT' });
    const user = await s.ctx.users.findByEmail(email);
    expect(payload).toMatchObject({
      iss: 'http://localhost:4000',
      sub: user?.id,
      aud: app.client.id,
      azp: app.client.id,
      nonce: 'nonce-abc',
    });
    expect(payload.sub).not.toContain('@');
    // The claims its scopes release (profile, email), as at the userinfo endpoint; no name was given.
    expect(payload).toMatchObject({ email, email_verified: false, updated_at: user?.updatedAt });
    expect(payload['name']).toBeUndefined();
    expect(payload.exp).toBe((payload.iat as number) + 3600);
    expect(payload.auth_time).toBeGreaterThanOrEqual(before - 1);
    expect(payload['sid']).toMatch(/^[\w-]{16,}$/);
    expect(payload['at_hash']).toMatch(/^[\w-]{22}$/);
    // The access token's sub is the ID token's (OIDC Core §8).
    expect(decodeJwt(tokens.access_token).payload.sub).toBe(payload.sub);
    // OIDC Core §11: no offline_access, no refresh token, although the app may refresh.
    expect(tokens.refresh_token).toBeUndefined();
  });

  it.each(['ES256', 'EdDSA'])(
    'an app that registered %s gets ID tokens signed with it (at_hash by its hash)',
    async (alg) => {
      const other = await registerOidcApp(s, { idTokenSignedResponseAlg: alg });
      const tokens = await codeFlow(s, await signedIn(s, email), other);
      const { payload, protectedHeader } = await verifyIdToken(s, tokens.id_token as string, other.client.id);
      expect(protectedHeader.alg).toBe(alg);
      const { accessTokenHash } = await import('../src/oidc/id-token.js');
      expect(payload['at_hash']).toBe(accessTokenHash(tokens.access_token, alg as 'ES256' | 'EdDSA'));
      expect(payload['at_hash']).toHaveLength(alg === 'EdDSA' ? 43 : 22);
    },
  );

  it('a request without openid gets no ID token and keeps the OAuth refresh rule', async () => {
    const tokens = await codeFlow(s, await signedIn(s, email), app, { scope: 'data:read' });
    expect(tokens.id_token).toBeUndefined();
    expect(tokens.refresh_token).toBeDefined();
  });

  it('offline_access: a refresh token, and a refresh returns a new ID token with the same iss, sub, aud and auth_time, no nonce (§12.2)', async () => {
    const tokens = await codeFlow(s, await signedIn(s, email), app, {
      scope: 'openid offline_access',
      prompt: 'consent',
    });
    expect(tokens.refresh_token).toBeDefined();
    const first = (await verifyIdToken(s, tokens.id_token as string, app.client.id)).payload;
    const res = await refresh(s, app, tokens.refresh_token as string);
    expect(res.statusCode).toBe(200);
    const next = res.json();
    expect(next.id_token).toBeDefined();
    expect(next.id_token).not.toBe(tokens.id_token);
    const second = (await verifyIdToken(s, next.id_token, app.client.id)).payload;
    for (const claim of ['iss', 'sub', 'aud', 'auth_time', 'sid', 'azp'])
      expect(second[claim], claim).toEqual(first[claim]);
    expect(second.nonce).toBeUndefined();
    // openid offline_access releases nothing about the user.
    expect(second['email']).toBeUndefined();
    // A refresh that narrows the scope to one without openid gets no ID token.
    const narrowed = await refresh(s, app, next.refresh_token, '&scope=offline_access');
    expect(narrowed.statusCode).toBe(200);
    expect(narrowed.json().id_token).toBeUndefined();
  });

  it('profile: the ID token carries the name, and a refreshed one the name as it is now', async () => {
    const named = 'named@example.com';
    const browser = await signedIn(s, named);
    const setName = (name: string) =>
      s.ctx.db.updateTable('users').set({ name }).where('email', '=', named).execute();
    await setName('Grace');
    const tokens = await codeFlow(s, browser, app, {
      scope: 'openid profile offline_access',
      prompt: 'consent',
    });
    expect(decodeJwt(tokens.id_token as string).payload['name']).toBe('Grace');
    await setName('Grace Hopper');
    const next = (await refresh(s, app, tokens.refresh_token as string)).json();
    expect(decodeJwt(next.id_token).payload['name']).toBe('Grace Hopper');
  });

  it('nonce is bound to each code: two codes, two nonces, each ID token its own; a replayed code issues nothing', async () => {
    const browser = await signedIn(s, email);
    const a = oidcQuery(app, { nonce: 'first-nonce' });
    const b = oidcQuery(app, { nonce: 'second-nonce' });
    const codeA = (await authorizeCode(browser, a.query)).get('code') as string;
    const codeB = (await authorizeCode(browser, b.query)).get('code') as string;
    const tokensB = await redeemCode(s, app, codeB, b.verifier);
    const tokensA = await redeemCode(s, app, codeA, a.verifier);
    expect(decodeJwt(tokensA.id_token as string).payload.nonce).toBe('first-nonce');
    expect(decodeJwt(tokensB.id_token as string).payload.nonce).toBe('second-nonce');
    const again = await redeem(s.app, app.basic, {
      code: codeA,
      redirect_uri: app.redirectUri,
      code_verifier: a.verifier,
    });
    expect(again.statusCode).toBe(400);
    expect(again.json().error).toBe('invalid_grant');
    expect(again.body).not.toContain('id_token');
  });

  it('a code of an openid request redeemed by another app: invalid_grant, no ID token', async () => {
    const thief = await registerOidcApp(s, { name: 'Thief' });
    const { query, verifier } = oidcQuery(app);
    const code = (await authorizeCode(await signedIn(s, email), query)).get('code') as string;
    const res = await redeem(s.app, thief.basic, {
      code,
      redirect_uri: app.redirectUri,
      code_verifier: verifier,
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toBe('invalid_grant');
    expect(res.body).not.toContain('id_token');
  });

  it('no ID token for an app deleted between the code and its redemption: the app cannot authenticate', async () => {
    const doomed = await registerOidcApp(s, { name: 'Doomed' });
    const { query, verifier } = oidcQuery(doomed);
    const code = (await authorizeCode(await signedIn(s, email), query)).get('code') as string;
    await s.ctx.clients.delete(doomed.client.id);
    const res = await redeem(s.app, doomed.basic, {
      code,
      redirect_uri: doomed.redirectUri,
      code_verifier: verifier,
    });
    expect(res.statusCode).toBe(401);
    expect(res.body).not.toContain('id_token');
  });

  it('alg none and algorithm confusion cannot happen: registration refuses them, and every header names its key’s algorithm', async () => {
    for (const alg of ['none', 'HS256', 'rs256']) {
      await expect(registerOidcApp(s, { idTokenSignedResponseAlg: alg })).rejects.toThrow(
        /id_token_signed_response_alg must be one of RS256, ES256, EdDSA/,
      );
    }
    const tokens = await codeFlow(s, await signedIn(s, email), app);
    const { header } = decodeJwt(tokens.id_token as string);
    const jwk = s.ctx.keys.find(header['kid'] as string);
    expect(header['alg']).toBe(jwk?.alg);
    // The ID token with its header changed to alg=none (signature dropped) is no longer ours.
    const [, payload] = (tokens.id_token as string).split('.');
    const none = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${payload}.`;
    await expect(verifyIdToken(s, none, app.client.id)).rejects.toThrow();
    const { verifyIdTokenHint } = await import('../src/oidc/id-token-hint.js');
    expect(verifyIdTokenHint(s.ctx.keys, s.config.issuer, none)).toBeUndefined();
  });

  it('pairwise: each sector its own sub (not the user ID), stable per app, in the ID token and the access token', async () => {
    const north = await registerOidcApp(s, {
      subjectType: 'pairwise',
      redirectUris: ['https://north.example/cb'],
    });
    const south = await registerOidcApp(s, {
      subjectType: 'pairwise',
      redirectUris: ['https://south.example/cb'],
    });
    const browser = await signedIn(s, email);
    const subOf = async (a: OidcApp) => {
      const tokens = await codeFlow(s, browser, a);
      const sub = decodeJwt(tokens.id_token as string).payload.sub;
      expect(decodeJwt(tokens.access_token).payload.sub).toBe(sub);
      return sub;
    };
    const [n1, n2, s1] = [await subOf(north), await subOf(north), await subOf(south)];
    const user = await s.ctx.users.findByEmail(email);
    expect(n1).toBe(n2);
    expect(n1).not.toBe(s1);
    expect(n1).not.toBe(user?.id);
    expect(n1).toBe(subjectFor(north.client, user?.id as string, s.ctx.pairwiseKey));
  });

  it('client credentials never grants the OpenID Connect scopes; a request naming no scope gets none of them', async () => {
    const service = await registerOidcApp(s, { grants: ['client_credentials'], redirectUris: [] });
    const token = (scope?: string) =>
      s.app.inject({
        method: 'POST',
        url: '/oauth/token',
        headers: { ...FORM, authorization: service.basic },
        payload: `grant_type=client_credentials${scope ? `&scope=${encodeURIComponent(scope)}` : ''}`,
      });
    const plain = await token();
    expect(plain.statusCode).toBe(200);
    expect(plain.json().scope).toBe('data:read data:write');
    expect(plain.json().id_token).toBeUndefined();
    const asked = await token('openid');
    expect(asked.statusCode).toBe(400);
    expect(asked.json().error).toBe('invalid_scope');
  });
});
