// Express (via a hand-written (req,res,next) shim over node:http), Fastify and node:http adapters.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { protectedResourceMetadata } from './protected-resource-metadata.js';
import { requireToken } from './require-token.js';
import { call } from './test-support/api-server.js';
import { AuthServer, close, listen } from './test-support/auth-server.js';
import type { AuthInfo } from './types.js';

type Next = (error?: unknown) => void;
type Middleware = (req: IncomingMessage & { originalUrl?: string }, res: ServerResponse, next: Next) => void;

/** The smallest Express look-alike: runs middlewares in order; next(error) → 500. */
function miniExpress(...middlewares: Middleware[]) {
  return createServer((req, res) => {
    const r = Object.assign(req, { originalUrl: req.url });
    let index = 0;
    const next: Next = (error) => {
      if (error !== undefined) {
        res.writeHead(500).end('express error handler');
        return;
      }
      const middleware = middlewares[index++];
      if (middleware === undefined) res.writeHead(404).end();
      else middleware(r, res, next);
    };
    next();
  });
}

const AUDIENCE = 'https://api.test';
let as: AuthServer;
let metadata: ReturnType<typeof protectedResourceMetadata>;

beforeAll(async () => {
  as = await AuthServer.start();
  metadata = protectedResourceMetadata({
    resource: AUDIENCE,
    authorizationServers: [as.issuer],
    scopesSupported: ['data:read', 'data:write'],
  });
});
afterAll(async () => {
  await as.close();
});

function guardFor(scopes: string[] = ['data:read']) {
  return requireToken({
    issuer: as.issuer,
    audience: AUDIENCE,
    scopes,
    resourceMetadataUrl: metadata.url,
  });
}

describe('Express middleware (req, res, next)', () => {
  it('sets req.auth and calls next; refuses with RFC 6750; metadata route stays public', async () => {
    const guard = guardFor();
    const server = miniExpress(metadata.express, guard.express as Middleware, (req, res) => {
      res.end(JSON.stringify({ sub: (req as { auth?: AuthInfo }).auth?.subject }));
    });
    const url = await listen(server);
    try {
      const ok = await call(`${url}/api/projects`, `Bearer ${await as.mint()}`);
      expect(ok.status).toBe(200);
      expect(ok.json).toEqual({ sub: 'user-1' });
      const missing = await call(`${url}/api/projects`);
      expect(missing.status).toBe(401);
      expect(missing.headers.get('www-authenticate')).toBe(
        `Bearer realm="${AUDIENCE}", resource_metadata="${metadata.url}"`,
      );
      const doc = await call(`${url}/.well-known/oauth-protected-resource`);
      expect(doc.status).toBe(200);
      expect(doc.json).toEqual(metadata.document);
      const scope = await call(`${url}/api/projects`, `Bearer ${await as.mint({ scope: 'other' })}`);
      expect(scope.status).toBe(403);
    } finally {
      await close(server);
    }
  });
});

describe('Fastify', () => {
  it('plugin protects the registering scope; preHandler per route; metadata plugin serves the document', async () => {
    const guard = guardFor();
    const app = Fastify();
    await app.register(metadata.fastifyPlugin);
    await app.register(async (api) => {
      await api.register(guard.fastifyPlugin);
      api.get('/api/projects', async (request) => ({ sub: (request as { auth?: AuthInfo }).auth?.subject }));
    });
    app.post('/api/projects', { preHandler: guard.withScopes(['data:write']).fastifyHook }, async () => ({
      created: true,
    }));
    app.get('/public', async () => ({ public: true }));
    const url = await app.listen({ port: 0, host: '127.0.0.1' });
    try {
      const token = await as.mint({ scope: 'data:read' });
      expect((await call(`${url}/api/projects`, `Bearer ${token}`)).json).toEqual({ sub: 'user-1' });
      const missing = await call(`${url}/api/projects`);
      expect(missing.status).toBe(401);
      expect(missing.headers.get('www-authenticate')).toBe(
        `Bearer realm="${AUDIENCE}", resource_metadata="${metadata.url}"`,
      );
      expect(missing.headers.get('cache-control')).toBe('no-store');
      expect(missing.json).toEqual({ error_description: 'an access token is required' });
      const post = await fetch(`${url}/api/projects`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}` },
      });
      expect(post.status).toBe(403);
      expect(post.headers.get('www-authenticate')).toContain('error="insufficient_scope", ');
      expect(await post.json()).toMatchObject({ error: 'insufficient_scope' });
      const writer = await as.mint({ scope: 'data:read data:write' });
      const created = await fetch(`${url}/api/projects`, {
        method: 'POST',
        headers: { authorization: `Bearer ${writer}` },
      });
      expect(created.status).toBe(200);
      expect((await call(`${url}/public`)).status).toBe(200);
      const doc = await call(`${url}/.well-known/oauth-protected-resource`);
      expect(doc.status).toBe(200);
      expect(doc.headers.get('access-control-allow-origin')).toBe('*');
      expect(doc.json).toEqual({
        resource: AUDIENCE,
        authorization_servers: [as.issuer],
        bearer_methods_supported: ['header'],
        scopes_supported: ['data:read', 'data:write'],
      });
      const bad = await call(`${url}/api/projects`, 'Bearer a b');
      expect(bad.status).toBe(400);
      expect(bad.json).toEqual({
        error: 'invalid_request',
        error_description: 'malformed Authorization header',
      });
    } finally {
      await app.close();
    }
  });
});

describe('node:http', () => {
  it('authenticate() inside a router; metadata nodeHandler in front', async () => {
    const guard = guardFor([]);
    const server = createServer(
      metadata.nodeHandler(async (req, res) => {
        const auth = await guard.authenticate(req, res);
        if (auth === undefined) return;
        res.end(JSON.stringify({ client: auth.clientId, exp: typeof auth.expiresAt }));
      }),
    );
    const url = await listen(server);
    try {
      expect((await call(url, `Bearer ${await as.mint()}`)).json).toEqual({ client: 'app-1', exp: 'number' });
      expect((await call(url, 'Bearer x.y.z')).status).toBe(401);
      expect((await call(`${url}/.well-known/oauth-protected-resource`)).status).toBe(200);
    } finally {
      await close(server);
    }
  });
});
