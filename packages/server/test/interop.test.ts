/** Code no one here wrote drives our server: openid-client and oauth4webapi, over real loopback HTTP. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import * as oauth from 'oauth4webapi';
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliAsync, type ServerProcess, startProcess } from './support/process.js';

describe('interop over loopback', () => {
  let dir: string;
  let server: ServerProcess;
  let demo: { client_id: string; client_secret: string };
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'latchkey-interop-'));
    server = await startProcess({ LATCHKEY_DATA_DIR: dir });
    demo = JSON.parse(readFileSync(join(dir, 'demo-app.json'), 'utf8'));
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('openid-client: discovery + client credentials (client_secret_basic), verified with jose against our JWKS', async () => {
    const config = await client.discovery(
      new URL(server.url),
      demo.client_id,
      undefined,
      client.ClientSecretBasic(demo.client_secret),
      { execute: [client.allowInsecureRequests], algorithm: 'oauth2' },
    );
    expect(config.serverMetadata().token_endpoint).toBe(`${server.url}/oauth/token`);
    const tokens = await client.clientCredentialsGrant(config, { scope: 'data:read' });
    expect(tokens.token_type).toBe('bearer');
    expect(tokens.scope).toBe('data:read');
    expect(tokens.refresh_token).toBeUndefined();
    const jwks = createRemoteJWKSet(new URL(config.serverMetadata().jwks_uri as string));
    const { payload, protectedHeader } = await jwtVerify(tokens.access_token, jwks, {
      issuer: server.url,
      audience: server.url,
      typ: 'at+jwt',
      algorithms: ['ES256'],
    });
    expect(protectedHeader.typ).toBe('at+jwt');
    expect(payload).toMatchObject({ sub: demo.client_id, client_id: demo.client_id, scope: 'data:read' });
  });

  it('openid-client: client_secret_post, and a wrong secret surfaces as invalid_client', async () => {
    const post = await client.discovery(
      new URL(server.url),
      demo.client_id,
      undefined,
      client.ClientSecretPost(demo.client_secret),
      {
        execute: [client.allowInsecureRequests],
        algorithm: 'oauth2',
      },
    );
    expect((await client.clientCredentialsGrant(post)).scope).toBe('data:read data:write');
    const wrong = await client.discovery(
      new URL(server.url),
      demo.client_id,
      undefined,
      client.ClientSecretBasic('wrong'),
      {
        execute: [client.allowInsecureRequests],
        algorithm: 'oauth2',
      },
    );
    // openid-client reads our `WWW-Authenticate: Basic` challenge and reports it with the 401 response.
    const error = await client.clientCredentialsGrant(wrong).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(client.WWWAuthenticateChallengeError);
    const failed = error as client.WWWAuthenticateChallengeError;
    expect(failed.response.status).toBe(401);
    expect(failed.cause[0]?.scheme).toBe('basic');
    expect(await failed.response.json()).toMatchObject({ error: 'invalid_client' });
  });

  it('oauth4webapi: RFC 8414 discovery and the client credentials grant', async () => {
    const issuer = new URL(server.url);
    const as = await oauth
      .discoveryRequest(issuer, { algorithm: 'oauth2', [oauth.allowInsecureRequests]: true })
      .then((response) => oauth.processDiscoveryResponse(issuer, response));
    const c: oauth.Client = { client_id: demo.client_id };
    const response = await oauth.clientCredentialsGrantRequest(
      as,
      c,
      oauth.ClientSecretBasic(demo.client_secret),
      new URLSearchParams({ scope: 'data:write' }),
      { [oauth.allowInsecureRequests]: true },
    );
    const result = await oauth.processClientCredentialsResponse(as, c, response);
    expect(result.scope).toBe('data:write');
    expect(result.expires_in).toBe(3600);
  });

  it('openid-client: an API created with `apps create --resource-server` introspects the demo app’s tokens; a plain app cannot', async () => {
    const env = { LATCHKEY_DATA_DIR: dir, LATCHKEY_DEMO_APP: 'false' };
    const create = async (...extra: string[]) => {
      const result = await cliAsync(['apps', 'create', '--scope', 'data:read', ...extra, '--json'], env);
      expect(result.code).toBe(0);
      return JSON.parse(result.stdout) as {
        client_id: string;
        client_secret: string;
        resource_server: boolean;
      };
    };
    const api = await create('--name', 'Projects API', '--resource-server');
    const plain = await create('--name', 'Reports');
    expect(api.resource_server).toBe(true);
    expect(plain.resource_server).toBe(false);
    const shown = await cliAsync(['apps', 'show', api.client_id, '--json'], env);
    expect(JSON.parse(shown.stdout)).toMatchObject({ client_id: api.client_id, resource_server: true });
    const listed = JSON.parse((await cliAsync(['apps', 'list', '--json'], env)).stdout) as {
      client_id: string;
      resource_server: boolean;
    }[];
    expect(listed.find((a) => a.client_id === plain.client_id)?.resource_server).toBe(false);
    expect((await cliAsync(['apps', 'show', api.client_id], env)).stdout).toContain(
      'confidential, resource server',
    );
    // A public app cannot authenticate, so it cannot be a resource server.
    const refused = await cliAsync(
      ['apps', 'create', '--name', 'X', '--scope', 'data:read', '--public', '--resource-server'],
      env,
    );
    expect(refused.code).toBe(2);

    const discover = (id: string, secret: string) =>
      client.discovery(new URL(server.url), id, undefined, client.ClientSecretBasic(secret), {
        execute: [client.allowInsecureRequests],
        algorithm: 'oauth2',
      });
    const demoConfig = await discover(demo.client_id, demo.client_secret);
    const { access_token: token } = await client.clientCredentialsGrant(demoConfig, { scope: 'data:read' });
    const described = await client.tokenIntrospection(
      await discover(api.client_id, api.client_secret),
      token,
    );
    expect(described).toMatchObject({ active: true, client_id: demo.client_id, scope: 'data:read' });
    const hidden = await client.tokenIntrospection(
      await discover(plain.client_id, plain.client_secret),
      token,
    );
    expect(hidden).toEqual({ active: false });
  });

  it('a lying Content-Length (longer than the body): 400, nothing issued', async () => {
    const body = 'grant_type=client_credentials';
    const auth = Buffer.from(`${demo.client_id}:${demo.client_secret}`).toString('base64');
    const raw = await new Promise<string>((resolve, reject) => {
      const socket: Socket = connect(server.port, '127.0.0.1', () => {
        socket.write(
          `POST /oauth/token HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Basic ${auth}\r\n` +
            `Content-Type: application/x-www-form-urlencoded\r\nContent-Length: ${body.length + 50}\r\n\r\n${body}`,
        );
        socket.end();
      });
      let data = '';
      socket.on('data', (d) => {
        data += d;
      });
      socket.on('close', () => resolve(data));
      socket.on('error', reject);
    });
    expect(raw).toMatch(/^HTTP\/1\.1 400 /);
    expect(raw).not.toContain('access_token');
  });
});
