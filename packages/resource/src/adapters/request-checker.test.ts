// The adapters run on any RequestChecker (not only a TokenGuard): success, refusal, unexpected errors.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { invalidToken } from '../failures.js';
import { call } from '../test-support/api-server.js';
import { close, listen } from '../test-support/auth-server.js';
import type { AuthInfo, RequestLike, VerifyResult } from '../types.js';
import { createExpressMiddleware } from './express-middleware.js';
import { createFastifyHook } from './fastify-plugin.js';
import { authenticateNode, createNodeHandler } from './node-handler.js';
import type { RequestChecker } from './request-checker.js';

const AUTH: AuthInfo = {
  claims: { sub: 'u' },
  scopes: ['s'],
  subject: 'u',
  clientId: 'c',
  expiresAt: undefined,
};
const REFUSAL = invalidToken({ realm: 'https://api.test', resourceMetadataUrl: undefined }, 'token expired');

/** A checker without a TokenGuard behind it: `Bearer good` passes (sync), `Bearer later` passes (async),
 * `Bearer boom` throws, `Bearer reject` rejects, anything else is refused. */
const checker: RequestChecker = {
  check(request: RequestLike): VerifyResult | Promise<VerifyResult> {
    const headers = request.headers as Record<string, string | undefined>;
    switch (headers.authorization) {
      case 'Bearer good':
        return { ok: true, auth: AUTH };
      case 'Bearer later':
        return Promise.resolve({ ok: true, auth: AUTH });
      case 'Bearer boom':
        throw new Error('boom');
      case 'Bearer reject':
        return Promise.reject(new Error('reject'));
      default:
        return { ok: false, failure: REFUSAL };
    }
  },
};

const echo = (req: IncomingMessage & { auth?: AuthInfo }, res: ServerResponse): void => {
  res.end(JSON.stringify({ sub: req.auth?.subject }));
};

async function expectAnswers(url: string, unexpected: number): Promise<void> {
  expect((await call(url, 'Bearer good')).json).toEqual({ sub: 'u' });
  expect((await call(url, 'Bearer later')).json).toEqual({ sub: 'u' });
  const refused = await call(url, 'Bearer other');
  expect(refused.status).toBe(401);
  expect(refused.headers.get('www-authenticate')).toContain('error="invalid_token"');
  expect(refused.json).toEqual({ error: 'invalid_token', error_description: 'token expired' });
  expect((await call(url, 'Bearer boom')).status).toBe(unexpected);
  expect((await call(url, 'Bearer reject')).status).toBe(unexpected);
}

describe('adapters over a plain RequestChecker', () => {
  it('Express middleware: req.auth + next(), RFC 6750 refusal, next(error) on an unexpected error', async () => {
    const middleware = createExpressMiddleware(checker);
    const server = createServer((req, res) => {
      middleware(req, res, (error) => {
        if (error === undefined) echo(req, res);
        else res.writeHead(500).end('error handler');
      });
    });
    const url = await listen(server);
    try {
      await expectAnswers(url, 500);
    } finally {
      await close(server);
    }
  });

  it('node:http handler and authenticate(): req.auth, RFC 6750 refusal, a bare 500 otherwise', async () => {
    const handler = createNodeHandler(checker, echo);
    const inline = createServer(async (req, res) => {
      if ((await authenticateNode(checker, req, res)) !== undefined) echo(req, res);
    });
    const server = createServer(handler);
    const urls = [await listen(server), await listen(inline)];
    try {
      for (const url of urls) await expectAnswers(url, 500);
    } finally {
      await Promise.all([close(server), close(inline)]);
    }
  });

  it('Fastify hook: request.auth, RFC 6750 refusal, Fastify error handling otherwise', async () => {
    const app = Fastify();
    app.get('/', { onRequest: createFastifyHook(checker) }, async (request) => ({
      sub: (request as { auth?: AuthInfo }).auth?.subject,
    }));
    const url = await app.listen({ port: 0, host: '127.0.0.1' });
    try {
      await expectAnswers(url, 500);
    } finally {
      await app.close();
    }
  });
});
