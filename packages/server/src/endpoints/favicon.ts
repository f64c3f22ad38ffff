/** GET /favicon.ico: the Latchkey mark the pages show, so browsers asking for an icon get one, not a JSON 404. */
import type { FastifyInstance } from 'fastify';
import { FAVICON_SVG } from '../pages/icon.js';

/** Where browsers look for a site's icon when a page names none (the pages load nothing, so name none). */
export const FAVICON_PATH = '/favicon.ico';

const BODY = Buffer.from(FAVICON_SVG);

/**
 * Serves the mark as SVG (browsers go by the content type, not the name), cacheable for a day. Besides
 * the headers every answer has (nosniff), a CSP that lets the SVG, opened as a document, run nothing.
 */
export function faviconEndpoint(app: FastifyInstance): void {
  app.get(FAVICON_PATH, async (_request, reply) => {
    reply
      .removeHeader('pragma')
      .header('content-type', 'image/svg+xml')
      .header('cache-control', 'public, max-age=86400')
      .header('content-security-policy', "default-src 'none'");
    return BODY;
  });
}
