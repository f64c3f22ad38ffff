// Blueprint: a third-party web app (node:http) that signs users in with Latchkey and calls the Projects API for them.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import {
  AuthorizationResponseError,
  authFetch,
  MemoryStore,
  OAuthClient,
  TokenManager,
} from '@latchkey/client';
import { errorPage, homePage, projectsPage, renderHtml } from './pages.js';

const env = process.env;
const PORT = Number(env.PORT || 4002);
const HOST = env.HOST || '127.0.0.1';
const APP_URL = (env.APP_URL || `http://${HOST}:${PORT}`).replace(/\/+$/, '');
const ISSUER = (env.LATCHKEY_ISSUER || 'http://127.0.0.1:4000').replace(/\/+$/, '');
const API_URL = (env.API_URL || 'http://127.0.0.1:4001').replace(/\/+$/, '');
const CLIENT_ID = env.CLIENT_ID;
const CLIENT_SECRET = env.CLIENT_SECRET;
const REDIRECT_URI = `${APP_URL}/callback`;
/** OpenID Connect sign-in (`profile`: the user's name; `offline_access`: a refresh token) and the Projects API. */
const SCOPE = ['openid', 'profile', 'offline_access', 'data:read', 'data:write'];

if (!CLIENT_ID || !CLIENT_SECRET) {
  console.error('web-app: CLIENT_ID and CLIENT_SECRET are required (latchkey apps create ... --json)');
  process.exit(1);
}

const COOKIE = 'blueprint_session';
const SESSION_TTL_MS = 8 * 3600_000;
const MAX_SESSIONS = 10_000;
const STATIC = {
  '/style.css': {
    body: readFileSync(new URL('./public/style.css', import.meta.url)),
    type: 'text/css; charset=utf-8',
  },
  '/favicon.svg': {
    body: readFileSync(new URL('./public/favicon.svg', import.meta.url)),
    type: 'image/svg+xml',
  },
};

/** Server-side sessions keyed by an HttpOnly cookie: csrf, the pending authorization request, the user's tokens. */
const sessions = new Map();
/** Where the TokenManagers keep each user's tokens (one key per session). */
const store = new MemoryStore();

let clientPromise;
/** Discovers the Latchkey server once (RFC 8414); a failed discovery is retried on the next request. */
function oauthClient() {
  clientPromise ??= OAuthClient.discover(ISSUER, {
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    redirectUri: REDIRECT_URI,
  }).catch((error) => {
    clientPromise = undefined;
    throw error;
  });
  return clientPromise;
}

const randomId = () => randomBytes(32).toString('base64url');

function readCookie(req, name) {
  for (const part of (req.headers.cookie || '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

function setSessionCookie(res, sid, maxAgeSeconds) {
  const secure = APP_URL.startsWith('https:') ? '; Secure' : '';
  res.setHeader(
    'set-cookie',
    `${COOKIE}=${sid}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${maxAgeSeconds}${secure}`,
  );
}

function newSession(res) {
  if (sessions.size >= MAX_SESSIONS) sessions.delete(sessions.keys().next().value);
  const sid = randomId();
  const session = { sid, csrf: randomId(), createdAt: Date.now() };
  sessions.set(sid, session);
  setSessionCookie(res, sid, SESSION_TTL_MS / 1000);
  return session;
}

function currentSession(req, res) {
  const sid = readCookie(req, COOKIE);
  const session = sid === undefined ? undefined : sessions.get(sid);
  if (session && Date.now() - session.createdAt < SESSION_TTL_MS) return session;
  if (session) endSession(session);
  return newSession(res);
}

function endSession(session) {
  sessions.delete(session.sid);
  if (session.manager) void session.manager.clear();
}

/** After sign-in the session gets a new id and csrf value (no session fixation). */
function renewSession(res, old) {
  sessions.delete(old.sid);
  const session = newSession(res);
  return session;
}

const PAGE_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  // form-action includes the issuer: the sign-in form's redirect goes there.
  'content-security-policy': `default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self' ${new URL(ISSUER).origin}; base-uri 'none'; frame-ancestors 'none'`,
};

function sendPage(res, status, fragment) {
  res.writeHead(status, PAGE_HEADERS);
  res.end(renderHtml(fragment));
}

function redirect(res, location) {
  res.writeHead(303, { location, 'cache-control': 'no-store' });
  res.end();
}

function readForm(req) {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => {
      body += chunk;
      if (body.length > 4096) {
        reject(new Error('form too large'));
        req.destroy();
      }
    });
    req.on('end', () => resolve(new URLSearchParams(body)));
    req.on('error', reject);
  });
}

function sameSecret(a, b) {
  const x = Buffer.from(String(a));
  const y = Buffer.from(String(b));
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Reads the posted form and checks its csrf field against the session; answers 403 when it differs. */
async function postedForm(req, res, session) {
  const form = await readForm(req);
  if (sameSecret(form.get('csrf') ?? '', session.csrf)) return form;
  sendPage(
    res,
    403,
    errorPage({ csrf: session.csrf, title: 'Form expired', text: 'Reload the page and try again.' }),
  );
  return undefined;
}

function takeMessage(session) {
  const message = session.message;
  session.message = undefined;
  return message;
}

/** Signs the session out (its tokens are forgotten) with a message for the next page. */
function signOut(session, text) {
  if (session.manager) void session.manager.clear();
  session.manager = undefined;
  session.api = undefined;
  session.message = text ? { kind: 'error', text } : undefined;
}

async function home(_req, res, session) {
  if (!session.api) {
    sendPage(res, 200, homePage({ csrf: session.csrf, message: takeMessage(session) }));
    return;
  }
  let projects = [];
  let owner;
  let apiError;
  try {
    const response = await session.api(`${API_URL}/api/projects`);
    const body = await response.json().catch(() => ({}));
    if (response.ok) {
      projects = body.projects;
      owner = body.owner;
    } else if (response.status === 401) {
      signOut(session, 'Your Latchkey authorization ended. Sign in again.');
      return redirect(res, '/');
    } else
      apiError = `The Projects API answered ${response.status}: ${body.error_description || body.error || ''}`;
  } catch (error) {
    // The refresh token was refused (revoked in Latchkey's "connected apps", expired): sign in again.
    // (A network failure is a TypeError from fetch too: that one keeps the session.)
    const noRefreshToken = error instanceof TypeError && /refresh token/.test(error.message);
    if (error?.code === 'OAUTH_RESPONSE_ERROR' || noRefreshToken) {
      signOut(session, 'Your Latchkey authorization ended. Sign in again.');
      return redirect(res, '/');
    }
    apiError = `Could not reach the Projects API (${error?.code || error?.message || 'network error'}).`;
  }
  // What the sidebar shows; if Latchkey cannot be reached right now the page still renders.
  const stored = await session.manager.getToken().catch(() => undefined);
  sendPage(
    res,
    200,
    projectsPage({
      csrf: session.csrf,
      message: takeMessage(session),
      projects,
      owner,
      user: session.user,
      apiError,
      token: stored && {
        scope: stored.scope,
        expiresAt: stored.expiresAt,
        hasRefreshToken: Boolean(stored.refreshToken),
      },
    }),
  );
}

async function login(req, res, session) {
  if (!(await postedForm(req, res, session))) return;
  const client = await oauthClient();
  // authorizationUrl: a fresh 256-bit state, an S256 PKCE pair and (for `openid`) a nonce; all stay here.
  const { url, state, codeVerifier, nonce } = await client.authorizationUrl({ scope: SCOPE });
  session.pending = { state, codeVerifier, nonce, at: Date.now() };
  redirect(res, url);
}

async function callback(req, res, session) {
  const pending = session.pending;
  session.pending = undefined;
  if (!pending || Date.now() - pending.at > 10 * 60_000) {
    session.message = { kind: 'error', text: 'That sign-in link has expired. Please sign in again.' };
    return redirect(res, '/');
  }
  const client = await oauthClient();
  let tokens;
  try {
    // Checks state, then iss (RFC 9207), then error=, then exchanges the code with the PKCE verifier and
    // validates the ID token (signature against the JWKS, iss, aud, azp, exp, iat, nonce, at_hash).
    tokens = await client.handleCallback(new URL(req.url, APP_URL), pending);
  } catch (error) {
    const denied = error instanceof AuthorizationResponseError && error.error === 'access_denied';
    session.message = {
      kind: 'error',
      text: denied
        ? 'You did not allow Blueprint to access your projects.'
        : `Sign-in failed (${error.code ?? 'error'}${error.error ? `: ${error.error}` : ''}).`,
    };
    return redirect(res, '/');
  }
  const fresh = renewSession(res, session);
  const manager = new TokenManager(client, { grant: 'refresh_token', key: fresh.sid, store });
  await manager.setTokens(tokens);
  fresh.manager = manager;
  fresh.api = authFetch(manager);
  // Who signed in, from the validated ID token; kept to greet them and as the sign-out hint.
  const claims = tokens.idTokenClaims ?? {};
  fresh.user = { sub: claims.sub, name: typeof claims.name === 'string' ? claims.name : undefined };
  fresh.idToken = tokens.idToken;
  fresh.message = {
    kind: 'success',
    text: fresh.user.name
      ? `Welcome, ${fresh.user.name}. Signed in with Latchkey.`
      : 'Signed in with Latchkey.',
  };
  redirect(res, '/');
}

async function createProject(req, res, session) {
  const form = await postedForm(req, res, session);
  if (!form) return;
  if (!session.api) return redirect(res, '/');
  const name = (form.get('name') ?? '').trim();
  try {
    const response = await session.api(`${API_URL}/api/projects`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name }),
    });
    const body = await response.json().catch(() => ({}));
    session.message = response.ok
      ? { kind: 'success', text: `Created “${body.name}”.` }
      : { kind: 'error', text: `Could not create the project: ${body.error_description || response.status}` };
  } catch (error) {
    session.message = {
      kind: 'error',
      text: `Could not reach the Projects API (${error?.code || 'error'}).`,
    };
  }
  redirect(res, '/');
}

async function logout(req, res, session) {
  if (!(await postedForm(req, res, session))) return;
  const stored = session.manager ? await session.manager.getToken().catch(() => undefined) : undefined;
  // RFC 7009: revoking the refresh token ends the grant, so the access tokens stop working too.
  if (stored?.refreshToken) {
    await (await oauthClient()).revoke(stored.refreshToken, 'refresh_token').catch(() => undefined);
  }
  const idTokenHint = session.idToken;
  endSession(session);
  setSessionCookie(res, '', 0);
  // RP-Initiated Logout 1.0: Latchkey ends its own session too, then sends the browser back here.
  const client = await oauthClient().catch(() => undefined);
  if (!client?.endSessionEndpoint) return redirect(res, '/');
  redirect(res, client.endSessionUrl({ idTokenHint, postLogoutRedirectUri: `${APP_URL}/` }));
}

async function route(req, res) {
  const path = (req.url || '/').split('?')[0];
  const asset = STATIC[path];
  if (asset && req.method === 'GET') {
    res.writeHead(200, {
      'content-type': asset.type,
      'cache-control': 'max-age=300',
      'x-content-type-options': 'nosniff',
    });
    return res.end(asset.body);
  }
  if (path === '/healthz') {
    res.writeHead(200, { 'content-type': 'application/json' });
    return res.end('{"ok":true}');
  }
  const session = currentSession(req, res);
  if (path === '/' && req.method === 'GET') return home(req, res, session);
  if (path === '/callback' && req.method === 'GET') return callback(req, res, session);
  if (path === '/login' && req.method === 'POST') return login(req, res, session);
  if (path === '/projects' && req.method === 'POST') return createProject(req, res, session);
  if (path === '/logout' && req.method === 'POST') return logout(req, res, session);
  sendPage(res, 404, errorPage({ csrf: session.csrf, title: 'Not found', text: 'There is no such page.' }));
}

const server = createServer((req, res) => {
  route(req, res).catch((error) => {
    console.error('web-app: unexpected error', error);
    if (res.headersSent) return res.destroy();
    sendPage(
      res,
      500,
      errorPage({
        csrf: '',
        title: 'Something went wrong',
        text: 'Blueprint could not finish that request.',
      }),
    );
  });
});
server.keepAliveTimeout = 5000;

server.listen(PORT, HOST, () => {
  console.log(`web-app listening on ${APP_URL} (issuer ${ISSUER}, API ${API_URL}, redirect ${REDIRECT_URI})`);
});

function stop() {
  server.close(() => process.exit(0));
  server.closeAllConnections();
}
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
