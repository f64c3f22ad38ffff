// Projects API: a small protected resource on node:http that accepts Latchkey access tokens via @latchkey/resource.
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { protectedResourceMetadata, requireToken } from '@latchkey/resource';

const env = process.env;
const PORT = Number(env.PORT || 4001);
const HOST = env.HOST || '127.0.0.1';
/** The API's public base URL: its RFC 9728 resource identifier. */
const API_URL = (env.API_URL || `http://${HOST}:${PORT}`).replace(/\/+$/, '');
const ISSUER = (env.LATCHKEY_ISSUER || 'http://127.0.0.1:4000').replace(/\/+$/, '');
/** `aud` the tokens must carry: the server's LATCHKEY_AUDIENCE (the demo sets it to the API's URL). */
const AUDIENCE = env.API_AUDIENCE || API_URL;
/** Browser origins allowed to call the API (the viewer's), comma or space separated. */
const ALLOWED_ORIGINS = new Set((env.ALLOWED_ORIGINS || '').split(/[\s,]+/).filter(Boolean));

const MAX_BODY_BYTES = 8 * 1024;
const MAX_PROJECTS_PER_OWNER = 200;
const MAX_OWNERS = 10_000;

// RFC 9728: tells a client that knows only this API's URL where to get tokens for it.
const metadata = protectedResourceMetadata({
  resource: API_URL,
  authorizationServers: [ISSUER],
  scopesSupported: ['data:read', 'data:write'],
  resourceName: 'Projects API (Latchkey demo)',
});
const canRead = requireToken({
  issuer: ISSUER,
  audience: AUDIENCE,
  scopes: ['data:read'],
  resourceMetadataUrl: metadata.url,
});
const canWrite = canRead.withScopes(['data:write']);

/** Projects per token subject: a user (three-legged) or an app (two-legged) sees only its own. */
const projectsByOwner = new Map();

function projectsOf(subject) {
  let list = projectsByOwner.get(subject);
  if (list === undefined) {
    if (projectsByOwner.size >= MAX_OWNERS) projectsByOwner.delete(projectsByOwner.keys().next().value);
    list = [];
    projectsByOwner.set(subject, list);
  }
  return list;
}

function sendJson(res, status, body, headers = {}) {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(body));
}

/** CORS for the allowed browser origins only; WWW-Authenticate exposed so browser code can read 401s. */
function applyCors(req, res) {
  const origin = req.headers.origin;
  res.setHeader('vary', 'Origin');
  if (origin === undefined || !ALLOWED_ORIGINS.has(origin)) return false;
  res.setHeader('access-control-allow-origin', origin);
  res.setHeader('access-control-expose-headers', 'WWW-Authenticate');
  return true;
}

function readJson(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on('data', (chunk) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(Object.assign(new Error('body too large'), { status: 413 }));
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on('end', () => {
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      } catch {
        reject(Object.assign(new Error('the body is not valid JSON'), { status: 400 }));
      }
    });
    req.on('error', reject);
  });
}

function listProjects(_req, res, auth) {
  sendJson(
    res,
    200,
    {
      owner: { sub: auth.subject, client_id: auth.clientId, scope: auth.scopes.join(' ') },
      projects: [...projectsOf(auth.subject)].reverse(),
    },
    { 'cache-control': 'no-store' },
  );
}

async function createProject(req, res, auth) {
  if (!/^application\/json\b/i.test(req.headers['content-type'] || '')) {
    sendJson(res, 415, { error: 'invalid_request', error_description: 'send JSON: {"name": "..."}' });
    return;
  }
  let body;
  try {
    body = await readJson(req);
  } catch (error) {
    sendJson(res, error.status || 400, { error: 'invalid_request', error_description: error.message });
    return;
  }
  const name = typeof body?.name === 'string' ? body.name.trim() : '';
  if (name.length === 0 || name.length > 100) {
    sendJson(res, 400, { error: 'invalid_request', error_description: 'name must be 1 to 100 characters' });
    return;
  }
  const list = projectsOf(auth.subject);
  if (list.length >= MAX_PROJECTS_PER_OWNER) {
    sendJson(res, 409, { error: 'limit_reached', error_description: 'too many projects for this demo' });
    return;
  }
  const project = { id: randomUUID(), name, created_at: new Date().toISOString(), created_by: auth.clientId };
  list.push(project);
  sendJson(res, 201, project, { location: `${API_URL}/api/projects/${project.id}` });
}

async function route(req, res) {
  const path = (req.url || '/').split('?')[0];
  const corsAllowed = applyCors(req, res);
  if (req.method === 'OPTIONS') {
    if (corsAllowed) {
      res.setHeader('access-control-allow-methods', 'GET, POST, OPTIONS');
      res.setHeader('access-control-allow-headers', 'Authorization, Content-Type');
      res.setHeader('access-control-max-age', '600');
    }
    res.writeHead(204).end();
    return;
  }
  if (metadata.handle(req, res)) return;
  if (path === '/healthz') return sendJson(res, 200, { ok: true });
  if (path === '/api/projects') {
    if (req.method === 'GET' || req.method === 'HEAD') {
      // authenticate() answers RFC 6750 (401/403 with WWW-Authenticate) and resolves undefined on refusal.
      const auth = await canRead.authenticate(req, res);
      if (auth) listProjects(req, res, auth);
      return;
    }
    if (req.method === 'POST') {
      const auth = await canWrite.authenticate(req, res);
      if (auth) await createProject(req, res, auth);
      return;
    }
    return sendJson(res, 405, { error: 'method_not_allowed' }, { allow: 'GET, POST, OPTIONS' });
  }
  if (path === '/') {
    return sendJson(res, 200, {
      name: 'Projects API',
      endpoints: ['GET /api/projects (data:read)', 'POST /api/projects {"name"} (data:write)'],
      resource_metadata: metadata.url,
    });
  }
  sendJson(res, 404, { error: 'not_found' });
}

const server = createServer((req, res) => {
  route(req, res).catch((error) => {
    console.error('projects-api: unexpected error', error);
    if (!res.headersSent) sendJson(res, 500, { error: 'server_error' });
    else res.destroy();
  });
});
server.keepAliveTimeout = 5000;

server.listen(PORT, HOST, () => {
  console.log(`projects-api listening on ${API_URL} (issuer ${ISSUER}, audience ${AUDIENCE})`);
});

function stop() {
  server.close(() => process.exit(0));
  server.closeAllConnections();
}
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
