// RFC 9728 protected resource metadata: the document, its well-known URL, and handlers serving it.
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Options of {@link protectedResourceMetadata}. */
export interface ProtectedResourceMetadataOptions {
  /** The API's resource identifier (an https URL, no fragment); usually also its token audience. */
  resource: string;
  /** Issuer identifiers of the authorization servers that issue tokens for this API. */
  authorizationServers: readonly string[];
  /** Scopes the API understands. */
  scopesSupported?: readonly string[];
  /** Default `['header']`: the only method `requireToken` accepts. */
  bearerMethodsSupported?: readonly string[];
  /** Human-readable name of the API. */
  resourceName?: string;
  /** URL of the API's developer documentation. */
  resourceDocumentation?: string;
  /** `Cache-Control: max-age` of the document, seconds. Default 3600. */
  maxAgeSeconds?: number;
}

/** The metadata document with its URL and ready-made handlers. */
export interface ProtectedResourceMetadata {
  /** Absolute metadata URL: put it in `requireToken({ resourceMetadataUrl })`. */
  readonly url: string;
  /** Path part of {@link url}, the route to serve. */
  readonly path: string;
  /** The JSON document. */
  readonly document: Readonly<Record<string, unknown>>;
  /** Serves the document if `req` is GET/HEAD on {@link path}; returns whether it did. */
  handle(req: IncomingMessage, res: ServerResponse): boolean;
  /** `node:http` listener serving the document, passing other requests to `next` (or 404). */
  nodeHandler(
    next?: (req: IncomingMessage, res: ServerResponse) => void,
  ): (req: IncomingMessage, res: ServerResponse) => void;
  /** Express middleware serving the document, `next()` otherwise. */
  readonly express: (req: IncomingMessage, res: ServerResponse, next: () => void) => void;
  /** Fastify plugin adding `GET <path>` (register it outside the guarded scope). */
  readonly fastifyPlugin: (
    instance: { get(path: string, handler: (request: unknown, reply: FastifyReplyLike) => unknown): unknown },
    options: unknown,
    done: (error?: Error) => void,
  ) => void;
}

interface FastifyReplyLike {
  headers(values: Record<string, string>): FastifyReplyLike;
  send(payload?: unknown): FastifyReplyLike;
}

const WELL_KNOWN = '/.well-known/oauth-protected-resource';

/**
 * RFC 9728 §3.1 metadata URL: the well-known path inserted between the host and the resource's path
 * (`https://api.example/v1` → `https://api.example/.well-known/oauth-protected-resource/v1`).
 * @see https://www.rfc-editor.org/rfc/rfc9728#section-3.1
 */
export function resourceMetadataUrl(resource: string): string {
  let url: URL;
  try {
    url = new URL(resource);
  } catch {
    throw new TypeError(`protectedResourceMetadata: "resource" is not a valid URL: ${resource}`);
  }
  if (url.hash !== '' || resource.includes('#')) {
    throw new TypeError('protectedResourceMetadata: "resource" must not contain a fragment');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new TypeError('protectedResourceMetadata: "resource" must be an http(s) URL');
  }
  const path = url.pathname === '/' ? '' : url.pathname;
  return `${url.origin}${WELL_KNOWN}${path}${url.search}`;
}

/**
 * Builds the RFC 9728 document (`resource`, `authorization_servers`, `scopes_supported`,
 * `bearer_methods_supported`, ...) and handlers that serve it as public, cacheable JSON with
 * `Access-Control-Allow-Origin: *` so browser-based clients can discover the authorization server.
 * @see https://www.rfc-editor.org/rfc/rfc9728#section-2
 * @see https://www.rfc-editor.org/rfc/rfc9728#section-3
 */
export function protectedResourceMetadata(
  options: ProtectedResourceMetadataOptions,
): ProtectedResourceMetadata {
  const url = resourceMetadataUrl(options.resource);
  const path = new URL(url).pathname;
  if (!Array.isArray(options.authorizationServers) || options.authorizationServers.length === 0) {
    throw new TypeError('protectedResourceMetadata: "authorizationServers" must be a non-empty array');
  }
  const document: Record<string, unknown> = {
    resource: options.resource,
    authorization_servers: [...options.authorizationServers],
    bearer_methods_supported: [...(options.bearerMethodsSupported ?? ['header'])],
  };
  if (options.scopesSupported !== undefined) document['scopes_supported'] = [...options.scopesSupported];
  if (options.resourceName !== undefined) document['resource_name'] = options.resourceName;
  if (options.resourceDocumentation !== undefined) {
    document['resource_documentation'] = options.resourceDocumentation;
  }
  const body = JSON.stringify(document);
  const headers = {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': `public, max-age=${options.maxAgeSeconds ?? 3600}`,
    'access-control-allow-origin': '*',
  };

  const handle = (req: IncomingMessage, res: ServerResponse): boolean => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    const target = req.url ?? '';
    const q = target.indexOf('?');
    if ((q === -1 ? target : target.slice(0, q)) !== path) return false;
    res.writeHead(200, headers);
    res.end(req.method === 'HEAD' ? undefined : body);
    return true;
  };

  return Object.freeze({
    url,
    path,
    document: Object.freeze(document),
    handle,
    nodeHandler:
      (next?: (req: IncomingMessage, res: ServerResponse) => void) =>
      (req: IncomingMessage, res: ServerResponse) => {
        if (handle(req, res)) return;
        if (next !== undefined) {
          next(req, res);
          return;
        }
        res.writeHead(404, { 'content-type': 'application/json; charset=utf-8' });
        res.end(JSON.stringify({ error: 'not_found' }));
      },
    express: (req: IncomingMessage, res: ServerResponse, next: () => void) => {
      const original = (req as { originalUrl?: string }).originalUrl;
      if (!handle(original === undefined ? req : Object.assign(Object.create(req), { url: original }), res))
        next();
    },
    fastifyPlugin: (
      instance: {
        get(path: string, handler: (request: unknown, reply: FastifyReplyLike) => unknown): unknown;
      },
      _options: unknown,
      done: (error?: Error) => void,
    ) => {
      instance.get(path, (_request, reply) => reply.headers(headers).send(body));
      done();
    },
  });
}
