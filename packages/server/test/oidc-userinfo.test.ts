/** The UserInfo endpoint (OIDC Core §5.3) and its RFC 6750 answers, on both databases. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signAccessToken } from '../src/tokens/access-token.js';
import {
  codeFlow,
  decodeJwt,
  type OidcApp,
  registerOidcApp,
  signedIn,
  startOidcServer,
  userinfo,
} from './support/oidc.js';
import { dialects, FORM, type TestServer } from './support/server.js';

describe.each(dialects())('userinfo on %s', (dialect) => {
  let s: TestServer;
  let app: OidcApp;
  const email = 'ada@example.com';
  let all: { access_token: string; id_token?: string };
  beforeAll(async () => {
    s = await startOidcServer(dialect);
    app = await registerOidcApp(s);
    const browser = await signedIn(s, email);
    await s.ctx.db
      .updateTable('users')
      .set({ name: 'Ada Lovelace', updated_at: 1_700_000_000 })
      .where('email', '=', email)
      .execute();
    all = await codeFlow(s, browser, app, { scope: 'openid profile email' });
  });
  afterAll(async () => {
    await s?.close();
  });

  it.each(['get', 'post-header', 'post-body'] as const)(
    '%s: the claims of profile and email, sub the ID token’s',
    async (how) => {
      const res = await userinfo(s, all.access_token, how);
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.json()).toEqual({
        sub: decodeJwt(all.id_token as string).payload.sub,
        name: 'Ada Lovelace',
        updated_at: 1_700_000_000,
        email,
        email_verified: false,
      });
    },
  );

  it('claims by scope: openid alone gives sub only; email without profile gives no name', async () => {
    const browser = await signedIn(s, email);
    const only = await codeFlow(s, browser, app, { scope: 'openid', prompt: 'consent' });
    expect((await userinfo(s, only.access_token)).json()).toEqual({
      sub: decodeJwt(only.access_token).payload.sub,
    });
    const mail = await codeFlow(s, browser, app, { scope: 'openid email' });
    expect(Object.keys((await userinfo(s, mail.access_token)).json()).sort()).toEqual([
      'email',
      'email_verified',
      'sub',
    ]);
  });

  it('no token: 401 with a Bearer challenge that names no error (RFC 6750 §3.1)', async () => {
    const res = await s.app.inject({ url: '/oauth/userinfo' });
    expect(res.statusCode).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Bearer realm="latchkey"');
  });

  it('the token sent two ways, or in the query: 400 invalid_request', async () => {
    const both = await s.app.inject({
      method: 'POST',
      url: '/oauth/userinfo',
      headers: { ...FORM, authorization: `Bearer ${all.access_token}` },
      payload: `access_token=${all.access_token}`,
    });
    expect(both.statusCode).toBe(400);
    expect(both.json().error).toBe('invalid_request');
    expect(both.headers['www-authenticate']).toContain('error="invalid_request"');
    const query = await s.app.inject({ url: `/oauth/userinfo?access_token=${all.access_token}` });
    expect(query.statusCode).toBe(400);
  });

  it('a token without openid, of client credentials, malformed, forged, expired, or an ID token: 401 invalid_token', async () => {
    const oauthOnly = await codeFlow(s, await signedIn(s, email), app, { scope: 'data:read' });
    const service = await registerOidcApp(s, { grants: ['client_credentials'], redirectUris: [] });
    const twoLegged = (
      await s.app.inject({
        method: 'POST',
        url: '/oauth/token',
        headers: { ...FORM, authorization: service.basic },
        payload: 'grant_type=client_credentials&scope=data:read',
      })
    ).json().access_token as string;
    const claims = decodeJwt(all.access_token).payload;
    const { token: expired } = await signAccessToken(
      s.ctx.signer,
      s.ctx.keys.active,
      {
        issuer: s.config.issuer,
        audience: s.config.audience,
        subject: claims.sub as string,
        clientId: app.client.id,
        scope: 'openid profile',
        ttlSeconds: 60,
        grantId: claims['gid'] as string,
      },
      Math.floor(Date.now() / 1000) - 3600,
    );
    // An ID token is not an access token (typ JWT, not at+jwt; RFC 9068 §4).
    const idToken = all.id_token as string;
    for (const token of [
      oauthOnly.access_token,
      twoLegged,
      'not-a-jwt',
      `${all.access_token}x`,
      expired,
      idToken,
    ]) {
      const res = await userinfo(s, token);
      expect(res.statusCode, token.slice(0, 20)).toBe(401);
      expect(res.json().error).toBe('invalid_token');
      expect(res.headers['www-authenticate']).toBe('Bearer realm="latchkey", error="invalid_token"');
    }
    const malformed = await s.app.inject({ url: '/oauth/userinfo', headers: { authorization: 'Basic abc' } });
    expect(malformed.statusCode).toBe(401);
  });

  it('a revoked token, or one whose grant was revoked: 401', async () => {
    const browser = await signedIn(s, email);
    const first = await codeFlow(s, browser, app);
    const revoke = (token: string) =>
      s.app.inject({
        method: 'POST',
        url: '/oauth/revoke',
        headers: { ...FORM, authorization: app.basic },
        payload: `token=${token}`,
      });
    expect((await userinfo(s, first.access_token)).statusCode).toBe(200);
    await revoke(first.access_token);
    expect((await userinfo(s, first.access_token)).statusCode).toBe(401);
    const offline = await codeFlow(s, browser, app, { scope: 'openid offline_access', prompt: 'consent' });
    await revoke(offline.refresh_token as string);
    expect((await userinfo(s, offline.access_token)).statusCode).toBe(401);
  });

  it('a token of an app deleted since: 401', async () => {
    const doomed = await registerOidcApp(s, { name: 'Doomed' });
    const tokens = await codeFlow(s, await signedIn(s, email), doomed);
    expect((await userinfo(s, tokens.access_token)).statusCode).toBe(200);
    await s.ctx.clients.delete(doomed.client.id);
    expect((await userinfo(s, tokens.access_token)).statusCode).toBe(401);
  });

  it('a pairwise app sees its own sub, the ID token’s', async () => {
    const pairwise = await registerOidcApp(s, {
      subjectType: 'pairwise',
      redirectUris: ['https://pw.example/cb'],
    });
    const tokens = await codeFlow(s, await signedIn(s, email), pairwise);
    const sub = (await userinfo(s, tokens.access_token)).json().sub;
    expect(sub).toBe(decodeJwt(tokens.id_token as string).payload.sub);
    expect(sub).not.toBe((await s.ctx.users.findByEmail(email))?.id);
  });

  it('other methods: 405 with Allow', async () => {
    const res = await s.app.inject({ method: 'PUT', url: '/oauth/userinfo' });
    expect(res.statusCode).toBe(405);
    expect(res.headers['allow']).toBe('GET, POST');
  });
});
