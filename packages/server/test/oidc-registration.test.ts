/**
 * An app's OpenID Connect registration (subject_type, id_token_signed_response_alg) from the
 * registration rules, the management API and the CLI, on both databases; and a pairwise app's tokens
 * acting for their user at the management API.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerApp } from '../src/oauth/app-registration.js';
import { codeFlow, decodeJwt, registerOidcApp, signedIn } from './support/oidc.js';
import { expectProblem, PortalUser } from './support/portal-user.js';
import { cliAsync } from './support/process.js';
import { dialects, kekEnv, startTestServer, type TestServer } from './support/server.js';

describe.each(dialects())('OpenID Connect registration on %s', (dialect) => {
  let s: TestServer;
  let owner: PortalUser;
  const scopes = 'data:read data:write openid profile email offline_access manage';
  beforeAll(async () => {
    s = await startTestServer(dialect, { LATCHKEY_SCOPES: scopes });
    owner = await PortalUser.signUp(s, 'owner@example.com');
  });
  afterAll(async () => {
    await s?.close();
  });

  const register = (subjectType: string | undefined, redirectUris: string[], alg?: string) =>
    registerApp(s.ctx.clients, s.config.scopes, {
      name: 'RP',
      scope: 'openid',
      redirectUris,
      ...(subjectType !== undefined && { subjectType }),
      ...(alg !== undefined && { idTokenSignedResponseAlg: alg }),
    });

  it('defaults: public subjects, RS256 ID tokens', async () => {
    const { client } = await register(undefined, ['https://a.example/cb']);
    expect(client.subjectType).toBe('public');
    expect(client.idTokenSignedResponseAlg).toBeUndefined();
  });

  it('pairwise: refused when the redirect URIs name several hosts (OIDC Core §8.1), accepted for one host', async () => {
    await expect(
      register('pairwise', ['https://a.example/cb', 'https://b.example/cb']),
    ).rejects.toMatchObject({
      field: 'subject_type',
      message: expect.stringContaining('a.example, b.example'),
    });
    // The port is part of the host: another port is another origin.
    await expect(register('pairwise', ['https://a.example/cb', 'https://a.example:8443/cb'])).rejects.toThrow(
      /must name one host/,
    );
    const { client } = await register('pairwise', ['https://a.example/cb', 'https://a.example/other']);
    expect(client.subjectType).toBe('pairwise');
    await expect(register('sectored', ['https://a.example/cb'])).rejects.toMatchObject({
      field: 'subject_type',
    });
  });

  it('a pairwise app keeps its host: a change to another one is refused, and so is a second host', async () => {
    const { client } = await register('pairwise', ['https://keep.example/cb']);
    const change = (redirectUris: string[]) =>
      owner.call('PATCH', `/apps/${client.id}`, { redirect_uris: redirectUris });
    await s.ctx.appMembers.setOwner(client.id, owner.id);
    expectProblem(await change(['https://elsewhere.example/cb']), 400, 'invalid_body');
    expectProblem(await change(['https://keep.example/cb', 'https://two.example/cb']), 400, 'invalid_body');
    const same = await change(['https://keep.example/cb', 'https://keep.example/cb2']);
    expect(same.statusCode, same.body).toBe(200);
    // public again, then any host
    const publicAgain = await owner.call('PATCH', `/apps/${client.id}`, { subject_type: 'public' });
    expect(publicAgain.json().subject_type).toBe('public');
    expect((await change(['https://elsewhere.example/cb'])).statusCode).toBe(200);
  });

  it('the management API creates and changes subject_type and id_token_signed_response_alg', async () => {
    const created = await owner.call('POST', '/apps', {
      name: 'Sign in with us',
      type: 'web',
      scope: 'openid profile',
      redirect_uris: ['https://rp.example/cb'],
      subject_type: 'pairwise',
      id_token_signed_response_alg: 'ES256',
    });
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json()).toMatchObject({ subject_type: 'pairwise', id_token_signed_response_alg: 'ES256' });
    const id = created.json().client_id;
    const changed = await owner.call('PATCH', `/apps/${id}`, { id_token_signed_response_alg: 'EdDSA' });
    expect(changed.json()).toMatchObject({ subject_type: 'pairwise', id_token_signed_response_alg: 'EdDSA' });
    const bad = expectProblem(
      await owner.call('PATCH', `/apps/${id}`, { id_token_signed_response_alg: 'none' }),
      400,
      'invalid_body',
    );
    expect(bad.field).toBe('id_token_signed_response_alg');
    const read = (await owner.call('GET', `/apps/${id}`)).json();
    expect(read.id_token_signed_response_alg).toBe('EdDSA');
    // A collaborator may change redirect URIs only, not how the app's users are identified.
    const helper = await PortalUser.signUp(s, `helper-${dialect}@example.com`);
    await owner.call('POST', `/apps/${id}/collaborators`, { email: helper.email });
    const refused = await helper.call('PATCH', `/apps/${id}`, { subject_type: 'public' });
    expect(refused.statusCode).toBe(403);
  });

  it('a manage token of a pairwise app acts for its user, though its sub is not the user ID', async () => {
    const tool = await registerOidcApp(s, {
      scope: 'openid manage',
      subjectType: 'pairwise',
      redirectUris: ['https://tool.example/cb'],
    });
    const browser = await signedIn(s, 'dev@example.com');
    const tokens = await codeFlow(s, browser, tool, { scope: 'openid manage' });
    const dev = await s.ctx.users.findByEmail('dev@example.com');
    expect(decodeJwt(tokens.access_token).payload.sub).not.toBe(dev?.id);
    const apps = await s.app.inject({
      url: '/manage/v1/apps',
      headers: { authorization: `Bearer ${tokens.access_token}` },
    });
    expect(apps.statusCode, apps.body).toBe(200);
  });

  it('the CLI: apps create and apps update take --subject-type and --id-token-signed-response-alg', async () => {
    const env = {
      LATCHKEY_DATA_DIR: s.dir,
      LATCHKEY_DATABASE_URL: s.config.databaseUrl,
      LATCHKEY_SCOPES: scopes,
      LATCHKEY_LOG_LEVEL: 'warn',
      ...kekEnv(dialect),
    };
    const created = await cliAsync(
      [
        'apps',
        'create',
        '--name',
        'CLI RP',
        '--scope',
        'openid',
        '--redirect-uri',
        'https://cli.example/cb',
        '--subject-type',
        'pairwise',
        '--id-token-signed-response-alg',
        'EdDSA',
        '--json',
      ],
      env,
    );
    expect(created.code, created.stderr).toBe(0);
    const app = JSON.parse(created.stdout);
    expect(app).toMatchObject({ subject_type: 'pairwise', id_token_signed_response_alg: 'EdDSA' });
    const updated = await cliAsync(['apps', 'update', app.client_id, '--subject-type', 'public'], env);
    expect(updated.code, updated.stderr).toBe(0);
    expect(updated.stdout).toContain('subject_type:  public, ID tokens EdDSA');
    const shown = JSON.parse((await cliAsync(['apps', 'show', app.client_id, '--json'], env)).stdout);
    expect(shown).toMatchObject({ subject_type: 'public', id_token_signed_response_alg: 'EdDSA' });
    const refused = await cliAsync(
      [
        'apps',
        'create',
        '--name',
        'X',
        '--scope',
        'openid',
        '--redirect-uri',
        'https://x.example/cb',
        '--id-token-signed-response-alg',
        'HS256',
      ],
      env,
    );
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('id_token_signed_response_alg must be one of RS256, ES256, EdDSA');
    const nothing = await cliAsync(['apps', 'update', app.client_id], env);
    expect(nothing.code).toBe(2);
  });
});
