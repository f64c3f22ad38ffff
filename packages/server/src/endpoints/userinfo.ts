/**
 * GET and POST /oauth/userinfo: the UserInfo endpoint (OIDC Core §5.3), a resource the access token of
 * an OpenID Connect grant opens; the claims its scopes release (§5.4), `sub` always.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ServerContext } from '../context.js';
import { parseForm } from '../http/form.js';
import { rejectOtherMethods } from '../http/request.js';
import { accessTokenActive } from '../oauth/access-token-state.js';
import { oauthError } from '../oauth/errors.js';
import { isOpenId } from '../oidc/scopes.js';
import { subjectFor } from '../oidc/subject.js';
import { scopedClaims } from '../oidc/user-claims.js';
import { verifyOwnAccessToken } from '../tokens/verify-access-token.js';

/** Path of the userinfo endpoint. */
export const USERINFO_PATH = '/oauth/userinfo';

const FORM = /^application\/x-www-form-urlencoded(\s*;.*)?$/i;
/** RFC 6750 §2.1: `b64token`, after the scheme (case-insensitive) and one space. */
const BEARER = /^Bearer +([\w.~+/-]+=*)$/i;

const invalidToken = (description: string) => oauthError('USERINFO_INVALID_TOKEN', description);
const invalidRequest = (description: string) =>
  oauthError('USERINFO_INVALID_REQUEST', description, {
    'www-authenticate': 'Bearer realm="latchkey", error="invalid_request"',
  });

/**
 * The bearer token, sent one way only (RFC 6750 §2: "MUST NOT use more than one method"): the
 * `Authorization` header (§2.1), or for POST a form body's `access_token` (§2.2). The query (§2.3) is
 * refused: URLs end up in logs and histories.
 */
function bearerToken(request: FastifyRequest): string {
  if (/[?&]access_token=/.test(request.url))
    throw invalidRequest('send the access token in the Authorization header, not the URL');
  const header = request.headers.authorization;
  const type = request.headers['content-type'];
  const form =
    request.method === 'POST' && type !== undefined && FORM.test(type)
      ? parseForm(typeof request.body === 'string' ? request.body : '')
      : undefined;
  const inBody = form?.get('access_token');
  if (header !== undefined && inBody !== undefined)
    throw invalidRequest('send the access token one way: the Authorization header or the form body');
  if (header !== undefined) {
    const match = BEARER.exec(header);
    if (!match) throw invalidToken('the Authorization header must be "Bearer <access token>"');
    return match[1] as string;
  }
  if (inBody !== undefined) return inBody;
  throw oauthError('USERINFO_NO_TOKEN', 'send an access token: Authorization: Bearer <access token>');
}

/**
 * The claims for a token: one this server signed, unexpired, of an app that exists, not revoked, of a
 * live OpenID Connect grant (a token without `openid`, or a client-credentials token, opens nothing
 * here: 401 `invalid_token`, as RFC 6750 §3.1 words a token "invalid for other reasons"; the issue's
 * rule, rather than §3.1's 403 `insufficient_scope`, so no client reads it as "ask for more scope").
 */
async function claimsFor(ctx: ServerContext, token: string): Promise<Record<string, unknown>> {
  const claims = verifyOwnAccessToken(ctx.keys, ctx.config.issuer, token);
  if (!claims) throw invalidToken('the access token is invalid or expired');
  const scopes = claims.scope.split(' ');
  if (!isOpenId(scopes) || claims.gid === undefined)
    throw invalidToken('the access token was not granted the openid scope');
  if (!(await accessTokenActive(ctx, claims))) throw invalidToken('the access token was revoked');
  const [client, grant] = await Promise.all([
    ctx.clients.find(claims.client_id),
    ctx.grantSessions.find(claims.gid),
  ]);
  const user = grant?.active ? await ctx.users.find(grant.userId) : undefined;
  if (!client || !user) throw invalidToken('the access token was revoked');
  return { sub: subjectFor(client, user.id, ctx.pairwiseKey), ...scopedClaims(user, scopes) };
}

/** Registers the userinfo endpoint (GET and POST, OIDC Core §5.3.1). */
export function userinfoEndpoint(app: FastifyInstance, ctx: ServerContext): void {
  const handler = async (request: FastifyRequest) =>
    JSON.stringify(await claimsFor(ctx, bearerToken(request)));
  const send = { 'content-type': 'application/json; charset=utf-8' };
  app.get(USERINFO_PATH, async (request, reply) => reply.headers(send).send(await handler(request)));
  app.post(USERINFO_PATH, async (request, reply) => reply.headers(send).send(await handler(request)));
  rejectOtherMethods(app, USERINFO_PATH, ['GET', 'POST']);
}
