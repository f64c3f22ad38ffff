/** The three-legged happy path end to end over inject: sign in, consent, code, tokens, refresh, revoke, introspect. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  authorizeAndAllow,
  InjectBrowser,
  locationParams,
  pkce,
  redeem,
  registerThreeLeggedApp,
  signIn,
} from './support/browser.js';
import {
  dialects,
  FORM,
  ISSUED_SECRET,
  REFRESH_TOKEN_SHAPE,
  startTestServer,
  type TestServer,
} from './support/server.js';

describe.each(dialects())('three-legged flow on %s', (dialect) => {
  let s: TestServer;
  let app: Awaited<ReturnType<typeof registerThreeLeggedApp>>;
  const email = 'ada@example.com';
  const password = 'correct horse battery';
  beforeAll(async () => {
    s = await startTestServer(dialect);
    await s.ctx.users.create(email, password);
    app = await registerThreeLeggedApp(s);
  });
  afterAll(async () => {
    expect(s.logs.text).not.toContain(password);
    expect(s.logs.text).not.toMatch(/eyJ[\w-]+\.eyJ/);
    // Codes, client secrets and refresh tokens (43 characters; 64 in the current refresh format).
    expect(s.logs.text).not.toMatch(ISSUED_SECRET);
    await s?.close();
  });

  it('advertises the flow in metadata (RFC 8414, RFC 9207)', async () => {
    const meta = (await s.app.inject({ url: '/.well-known/oauth-authorization-server' })).json();
    expect(meta).toMatchObject({
      authorization_endpoint: 'http://localhost:4000/oauth/authorize',
      revocation_endpoint: 'http://localhost:4000/oauth/revoke',
      introspection_endpoint: 'http://localhost:4000/oauth/introspect',
      response_types_supported: ['code'],
      code_challenge_methods_supported: ['S256'],
      authorization_response_iss_parameter_supported: true,
    });
    expect(meta.grant_types_supported).toEqual(
      expect.arrayContaining(['authorization_code', 'refresh_token', 'client_credentials']),
    );
  });

  it('sign in, allow, exchange with PKCE, refresh, revoke, introspect', async () => {
    const browser = new InjectBrowser(s.app);
    const { verifier, challenge } = pkce();
    const query = {
      response_type: 'code',
      client_id: app.client.id,
      redirect_uri: app.redirectUri,
      scope: 'data:read',
      state: 'xyz-123',
      code_challenge: challenge,
      code_challenge_method: 'S256',
    };
    // Not signed in: sent to the login page, which returns to the same request.
    const first = await browser.get(`/oauth/authorize?${new URLSearchParams(query)}`);
    expect(first.statusCode).toBe(303);
    const login = first.headers['location'] as string;
    expect(login).toMatch(/^\/login\?return_to=%2Foauth%2Fauthorize/);
    const signedIn = await signIn(
      browser,
      email,
      password,
      new URLSearchParams(login.split('?')[1]).get('return_to') as string,
    );
    expect(signedIn.statusCode).toBe(303);
    expect(signedIn.headers['location']).toMatch(/^\/oauth\/authorize\?/);
    const cookie = String(signedIn.headers['set-cookie']);
    expect(cookie).toMatch(/lk_session=[\w-]{43}; Path=\/; HttpOnly; SameSite=Lax/);

    const allowed = await authorizeAndAllow(browser, query);
    expect(allowed.statusCode).toBe(303);
    const back = locationParams(allowed);
    expect(back.get('state')).toBe('xyz-123');
    expect(back.get('iss')).toBe('http://localhost:4000');
    const code = back.get('code') as string;
    expect(code).toMatch(/^[\w-]{43}$/);

    const tokens = await redeem(s.app, app.basic, {
      code,
      redirect_uri: app.redirectUri,
      code_verifier: verifier,
    });
    expect(tokens.statusCode).toBe(200);
    expect(tokens.headers['cache-control']).toBe('no-store');
    const body = tokens.json();
    expect(body).toMatchObject({ token_type: 'Bearer', scope: 'data:read', expires_in: 3600 });
    expect(body.refresh_token).toMatch(REFRESH_TOKEN_SHAPE);
    const claims = JSON.parse(Buffer.from(body.access_token.split('.')[1], 'base64url').toString());
    const user = await s.ctx.users.verify(email, password);
    expect(claims.sub).toBe(user?.id);
    expect(claims.client_id).toBe(app.client.id);

    const refreshed = await s.app.inject({
      method: 'POST',
      url: '/oauth/token',
      headers: { ...FORM, authorization: app.basic },
      payload: `grant_type=refresh_token&refresh_token=${body.refresh_token}`,
    });
    expect(refreshed.statusCode).toBe(200);
    const next = refreshed.json();
    expect(next.refresh_token).not.toBe(body.refresh_token);
    expect(next.scope).toBe('data:read');

    const introspect = (token: string) =>
      s.app.inject({
        method: 'POST',
        url: '/oauth/introspect',
        headers: { ...FORM, authorization: app.basic },
        payload: `token=${token}`,
      });
    const active = (await introspect(next.access_token)).json();
    expect(active).toMatchObject({
      active: true,
      client_id: app.client.id,
      sub: user?.id,
      scope: 'data:read',
      token_type: 'Bearer',
    });

    const revoked = await s.app.inject({
      method: 'POST',
      url: '/oauth/revoke',
      headers: { ...FORM, authorization: app.basic },
      payload: `token=${next.refresh_token}&token_type_hint=refresh_token`,
    });
    expect(revoked.statusCode).toBe(200);
    // Revoking the refresh token revokes the grant: its unexpired access tokens introspect inactive.
    expect((await introspect(next.access_token)).body).toBe('{"active":false}');
    expect((await introspect(body.access_token)).body).toBe('{"active":false}');
  });

  it('RFC 6749 §4.1.3: a redirect_uri sent in the authorization request must be repeated at the token endpoint', async () => {
    const browser = new InjectBrowser(s.app);
    await signIn(browser, email, password);
    const { verifier, challenge } = pkce();
    const query = {
      response_type: 'code',
      client_id: app.client.id,
      redirect_uri: app.redirectUri,
      scope: 'data:read',
      code_challenge: challenge,
      code_challenge_method: 'S256',
    };
    const code = locationParams(await authorizeAndAllow(browser, query)).get('code') as string;
    const missing = await redeem(s.app, app.basic, { code, code_verifier: verifier });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().error).toBe('invalid_grant');
    // Refused without consuming it: the right request still works.
    const right = await redeem(s.app, app.basic, {
      code,
      code_verifier: verifier,
      redirect_uri: app.redirectUri,
    });
    expect(right.statusCode).toBe(200);
  });
});
