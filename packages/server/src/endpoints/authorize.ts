/**
 * GET (and POST) /oauth/authorize and POST /oauth/authorize/decision: the authorization endpoint
 * (RFC 6749 §4.1.1, OIDC Core §3.1.2) with PKCE (RFC 7636, S256 only), the OpenID Connect parameters
 * (oidc/authorize-params.ts, oidc/prompt.ts), consent, and RFC 9207 `iss` on every answer, sent back
 * in the query or as a form post (endpoints/authorize-response.ts).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ServerContext } from '../context.js';
import { ERRORS } from '../errors.js';
import type { Params } from '../http/form.js';
import { readCheckedForm, startPage } from '../http/page.js';
import { pageError } from '../http/page-errors.js';
import { rejectOtherPageMethods } from '../http/page-methods.js';
import { originOf, sendPage } from '../http/page-security.js';
import { parseQueryWithRepeats, type QueryParams, singleQueryValue } from '../http/query.js';
import { currentSession, currentUser, loginUrl } from '../http/session.js';
import { OAuthError } from '../oauth/errors.js';
import { isS256Challenge, pkceRequired } from '../oauth/pkce.js';
import { RedirectError } from '../oauth/redirect-error.js';
import { requestedRedirectUri } from '../oauth/redirect-uri.js';
import { grantScope } from '../oauth/scope.js';
import {
  type OpenIdRequest,
  readOpenIdRequest,
  refuseRequestObjects,
  requireRedirectUri,
  responseModeOf,
} from '../oidc/authorize-params.js';
import {
  FRESH_SIGN_IN_PARAM,
  freshSignInStamp,
  needsStamp,
  showsConsent,
  signInStep,
  stampedQuery,
} from '../oidc/prompt.js';
import { subjectFor } from '../oidc/subject.js';
import { consentPage } from '../pages/consent.js';
import type { PendingRequest } from '../storage/authorization-requests.js';
import type { Client } from '../storage/clients.js';
import { unixNow } from '../storage/columns.js';
import { ACCOUNT_APPS_PATH } from './account.js';
import { type AppTarget, answerApp } from './authorize-response.js';

/** Paths of the authorization endpoint and the consent form's target. */
export const AUTHORIZE_PATH = '/oauth/authorize';
export const DECISION_PATH = '/oauth/authorize/decision';
/** The sign-up page (`prompt=create`). */
const SIGNUP_PATH = '/signup';

/** How long a consent page stays answerable. */
const PENDING_TTL = 600;

function queryOf(url: string): string {
  const q = url.indexOf('?');
  return q === -1 ? '' : url.slice(q + 1);
}

/** Step 1 (page errors only): the client must exist. */
async function resolveClient(ctx: ServerContext, params: Params): Promise<Client> {
  const clientId = params.get('client_id');
  if (clientId === undefined) throw pageError('MISSING_CLIENT_ID');
  const client = await ctx.clients.find(clientId);
  if (!client) throw pageError('UNKNOWN_CLIENT');
  return client;
}

/** Step 2 (page errors only): redirect_uri must be registered exactly; omitted means "the only one". */
function resolveRedirectUri(client: Client, params: Params): string {
  const requested = params.get('redirect_uri');
  const match = requestedRedirectUri(client.redirectUris, requested);
  if (requested === undefined && !match) {
    throw pageError('MISSING_REDIRECT_URI').because(
      `redirect_uri is missing, and the app has ${client.redirectUris.length === 0 ? 'none' : `several: ${registered(client)}`}`,
    );
  }
  // RFC 6749 §3.1.2.4: never redirect to an unverified URI.
  if (!match)
    throw pageError('REDIRECT_URI_MISMATCH').because(
      `redirect_uri does not match: registered ${registered(client)}, got ${requested}`,
    );
  return match;
}

/** The app's redirect URIs for a reason: the first three, and how many more. */
function registered(client: Client): string {
  const uris = client.redirectUris;
  if (uris.length === 0) return 'none';
  const more = uris.length > 3 ? ` and ${uris.length - 3} more` : '';
  return `${uris.slice(0, 3).join(', ')}${more}`;
}

/**
 * A page error for a request whose client or redirect URI cannot be determined: a repeated
 * `client_id` or `redirect_uri` (RFC 6749 §3.1, §4.1.2.1), or bad percent-encoding.
 */
const malformedLink = () => pageError('MALFORMED_LINK');

/** RFC 6749 Appendix A.5: `state = 1*VSCHAR` (%x20-7E); we also bound it at 1024 characters. */
const MAX_STATE_LENGTH = 1024;

/**
 * Whether a state may be stored and echoed: only VSCHAR, at most 1024 characters. Anything else (NUL,
 * newlines, non-ASCII) is refused before it reaches the database or a Location header.
 * @see https://www.rfc-editor.org/rfc/rfc6749#appendix-A.5
 */
function isValidState(state: string): boolean {
  return state.length <= MAX_STATE_LENGTH && /^[\x20-\x7e]+$/.test(state);
}

/**
 * Step 3 (redirect errors): no other parameter repeated (RFC 6749 §3.1: "MUST NOT be included more
 * than once") and a well-formed state (Appendix A.5).
 */
function checkShape(query: QueryParams): void {
  if (query.repeated.size > 0) {
    const name = [...query.repeated].find((n) => /^[\w.-]{1,40}$/.test(n));
    throw new RedirectError(
      'AUTHORIZE_INVALID_REQUEST',
      name ? `the ${name} parameter is repeated` : 'a parameter is repeated',
    );
  }
  const state = query.params.get('state');
  if (state !== undefined && !isValidState(state)) {
    throw new RedirectError(
      'AUTHORIZE_INVALID_REQUEST',
      `state must be 1 to ${MAX_STATE_LENGTH} printable ASCII characters`,
    );
  }
}

/** Steps 4 to 7 (redirect errors): response type, grant, scope, PKCE. */
function validateRequest(
  ctx: ServerContext,
  client: Client,
  params: Params,
): { scopes: string[]; challenge?: string } {
  if (params.get('response_type') !== 'code') {
    throw new RedirectError('AUTHORIZE_UNSUPPORTED_RESPONSE_TYPE', 'only response_type=code is supported');
  }
  if (!client.grantTypes.includes('authorization_code')) {
    throw new RedirectError(
      'AUTHORIZE_UNAUTHORIZED_CLIENT',
      'this app may not use the authorization code flow',
    );
  }
  let scopes: string[];
  try {
    scopes = grantScope(params.get('scope'), client.scopes);
  } catch (error) {
    if (!(error instanceof OAuthError)) throw error;
    throw new RedirectError('AUTHORIZE_INVALID_SCOPE', error.description, error.reason);
  }
  const challenge = params.get('code_challenge');
  const method = params.get('code_challenge_method');
  // RFC 9700 §2.1.1 / RFC 7636 §4.3: S256 only; an absent method means plain, which is refused.
  if (challenge === undefined) {
    if (method !== undefined)
      throw new RedirectError('AUTHORIZE_INVALID_REQUEST', 'code_challenge_method without code_challenge');
    if (pkceRequired(client, ctx.config.requirePkce)) {
      throw new RedirectError(
        'AUTHORIZE_INVALID_REQUEST',
        'PKCE is required: send code_challenge with code_challenge_method=S256',
      );
    }
    return { scopes };
  }
  if (method !== 'S256')
    throw new RedirectError('AUTHORIZE_INVALID_REQUEST', 'code_challenge_method must be S256');
  if (!isS256Challenge(challenge))
    throw new RedirectError('AUTHORIZE_INVALID_REQUEST', 'code_challenge must be 43 base64url characters');
  return { scopes, challenge };
}

function scopeViews(ctx: ServerContext, scopes: string[]) {
  return scopes.map((name) => ({ name, description: ctx.config.scopeDescriptions[name] ?? name }));
}

async function issueCode(
  ctx: ServerContext,
  reply: FastifyReply,
  target: AppTarget,
  pending: PendingRequest,
) {
  const code = await ctx.codes.create(pending, ctx.config.codeTtl);
  return answerApp(ctx, reply, target, { code, state: pending.state });
}

/** What a checked request carries into the sign-in and consent steps. */
interface CheckedRequest {
  client: Client;
  target: AppTarget;
  params: Params;
  state: string | undefined;
  validated: { scopes: string[]; challenge?: string };
  oidc: OpenIdRequest;
}

/**
 * Steps 8 and on: a session fit for the request (OIDC Core §3.1.2.3: prompt, max_age, id_token_hint;
 * else the sign-in or sign-up page, and back), then a code, or the consent page first.
 */
async function continueRequest(
  ctx: ServerContext,
  request: FastifyRequest,
  reply: FastifyReply,
  checked: CheckedRequest,
) {
  const { client, target, params, validated, oidc } = checked;
  const now = unixNow();
  const stamp = freshSignInStamp(params.get(FRESH_SIGN_IN_PARAM), now);
  const subjectOf = (userId: string) => subjectFor(client, userId, ctx.pairwiseKey);
  const step = signInStep(oidc, await currentSession(ctx, request), stamp, now, subjectOf);
  if (step.next !== 'continue') {
    const query = queryOf(request.url);
    const back = `${AUTHORIZE_PATH}?${needsStamp(oidc) ? stampedQuery(query, now) : query}`;
    if (step.next === 'sign-in') return reply.redirect(loginUrl(back), 303);
    return reply.redirect(`${SIGNUP_PATH}?${new URLSearchParams({ return_to: back })}`, 303);
  }
  const { user, sid, authTime } = step.session;
  const pending: PendingRequest = {
    clientId: client.id,
    userId: user.id,
    redirectUri: target.redirectUri,
    redirectUriGiven: params.has('redirect_uri'),
    scopes: validated.scopes,
    state: checked.state,
    codeChallenge: validated.challenge,
    ...(oidc.nonce !== undefined && { nonce: oidc.nonce }),
    sid,
    authTime,
    ...(target.responseMode && { responseMode: target.responseMode }),
  };
  // RFC 8252 §8.6, RFC 6749 §10.2: a public client's identity cannot be assured, so anyone can send
  // its client_id; remembered consent is reused only for confidential clients, public ones always ask.
  const consented =
    !client.isPublic && covers(await ctx.consents.scopes(user.id, client.id), validated.scopes);
  if (!showsConsent(oidc, consented)) return issueCode(ctx, reply, target, pending);
  const handle = await ctx.authorizationRequests.save(pending, PENDING_TTL);
  const { nonce, csrf } = startPage(ctx, request, reply);
  const body = consentPage({
    nonce,
    csrf,
    action: `${DECISION_PATH}?${new URLSearchParams({ request: handle })}`,
    appName: client.name,
    userEmail: user.email,
    scopes: scopeViews(ctx, validated.scopes),
    redirectHost: new URL(target.redirectUri).host || target.redirectUri,
    connectedAppsHref: ACCOUNT_APPS_PATH,
    about: {
      description: client.description,
      homepageHost: client.homepageUrl && new URL(client.homepageUrl).host,
      developer: (await ctx.appMembers.ownerEmails([client.id])).get(client.id),
    },
  });
  return sendPage(reply, 200, nonce, body, originOf(target.redirectUri));
}

/** Whether what the user allowed before covers every scope asked for. */
const covers = (consented: string[], scopes: string[]) => scopes.every((scope) => consented.includes(scope));

async function authorize(ctx: ServerContext, request: FastifyRequest, reply: FastifyReply) {
  let query: QueryParams;
  try {
    query = parseQueryWithRepeats(queryOf(request.url));
  } catch {
    throw malformedLink();
  }
  // RFC 6749 §4.1.2.1: without one certain client and redirect URI, never redirect.
  if (query.repeated.has('client_id') || query.repeated.has('redirect_uri')) throw malformedLink();
  const { params } = query;
  const client = await resolveClient(ctx, params);
  // From here a failure is the app's to see under Recent errors.
  const claim = { clientId: client.id, known: true };
  let target: AppTarget;
  try {
    requireRedirectUri(params);
    target = { redirectUri: resolveRedirectUri(client, params), appName: client.name };
  } catch (error) {
    ctx.recentErrors.failed(claim, 'authorize', undefined, error);
    throw error;
  }
  // Echoed only when well-formed; a repeated state is absent from params.
  const rawState = params.get('state');
  const state = rawState !== undefined && isValidState(rawState) ? rawState : undefined;
  try {
    // First: every other refusal goes back the way the request asked (OIDC Core §3.1.2.6).
    target.responseMode = responseModeOf(params, target.redirectUri);
    checkShape(query);
    refuseRequestObjects(params);
    const validated = validateRequest(ctx, client, params);
    const oidc = readOpenIdRequest(params, validated.scopes, client, {
      keys: ctx.keys,
      issuer: ctx.config.issuer,
      signupEnabled: ctx.config.signupEnabled,
    });
    return await continueRequest(ctx, request, reply, { client, target, params, state, validated, oidc });
  } catch (error) {
    if (!(error instanceof RedirectError)) throw error;
    if (error.recorded)
      ctx.recentErrors.record({
        ...claim,
        endpoint: 'authorize',
        error: error.error,
        description: error.description,
        reason: error.reason,
      });
    return answerApp(ctx, reply, target, { error: error.error, error_description: error.description, state });
  }
}

async function decide(ctx: ServerContext, request: FastifyRequest, reply: FastifyReply) {
  const params = readCheckedForm(ctx, request);
  const user = await currentUser(ctx, request);
  if (!user) throw pageError('SIGNED_OUT_CONSENT');
  const decision = params.get('decision');
  // Checked before the pending request is taken, so a malformed answer does not consume it.
  if (decision !== 'allow' && decision !== 'deny') throw pageError('DECISION_NOT_UNDERSTOOD');
  // A repeated handle counts as none (RFC 6749 §3.1).
  const handle = singleQueryValue(request, 'request');
  const pending = handle ? await ctx.authorizationRequests.take(handle, user.id) : undefined;
  if (!pending) throw pageError('REQUEST_EXPIRED');
  // The app's name is shown only on a form-post page.
  const formPost = pending.responseMode === 'form_post';
  const target: AppTarget = {
    redirectUri: pending.redirectUri,
    responseMode: pending.responseMode,
    appName: (formPost && (await ctx.clients.find(pending.clientId))?.name) || 'the app',
  };
  if (decision === 'allow') {
    await ctx.consents.save(user.id, pending.clientId, pending.scopes);
    return issueCode(ctx, reply, target, pending);
  }
  return answerApp(ctx, reply, target, {
    error: ERRORS.ACCESS_DENIED.code,
    error_description: 'the user denied the request',
    state: pending.state,
  });
}

const FORM = /^application\/x-www-form-urlencoded(\s*;.*)?$/i;

/**
 * POST to the authorization endpoint (OIDC Core §3.1.2.1: it MUST be supported, the parameters form
 * serialized): a 303 to the same request as a GET, which the browser follows with its session cookie
 * (SameSite=Lax cookies are not sent with a cross-site POST, so answering the POST itself would treat a
 * signed-in user as signed out). A query beside the body, another body type, or a body that is not
 * plain ASCII cannot be one request: the malformed-link page.
 */
function postedAuthorization(request: FastifyRequest, reply: FastifyReply) {
  const type = request.headers['content-type'];
  const body = typeof request.body === 'string' ? request.body : '';
  if (queryOf(request.url) !== '' || type === undefined || !FORM.test(type) || !/^[\x21-\x7e]*$/.test(body))
    throw malformedLink();
  return reply.redirect(`${AUTHORIZE_PATH}?${body}`, 303);
}

/** Registers the authorization endpoint and the consent decision; any other method gets a 405 page. */
export function authorizeEndpoint(app: FastifyInstance, ctx: ServerContext): void {
  app.get(AUTHORIZE_PATH, (request, reply) => authorize(ctx, request, reply));
  app.post(AUTHORIZE_PATH, async (request, reply) => postedAuthorization(request, reply));
  app.post(DECISION_PATH, (request, reply) => decide(ctx, request, reply));
  rejectOtherPageMethods(app, AUTHORIZE_PATH, ['GET', 'POST']);
  rejectOtherPageMethods(app, DECISION_PATH, ['POST']);
}
