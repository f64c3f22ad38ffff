/**
 * The management API's surface (/manage/v1) on both databases: the OpenAPI 3.1 document it publishes
 * is valid and matches the routes both ways, and an unknown route under the prefix is an RFC 9457
 * problem.
 */
import { Validator } from '@seriousme/openapi-schema-validator';
import { describe, expect, it } from 'vitest';
import { useManageServer } from './support/manage-api.js';
import { API, expectProblem } from './support/portal-user.js';
import { dialects } from './support/server.js';

describe.each(dialects())('the management API on %s', (dialect) => {
  const f = useManageServer(dialect);

  it('publishes a valid OpenAPI 3.1 document that matches the routes both ways', async () => {
    const res = await f.s.app.inject({ method: 'GET', url: `${API}/openapi.json` });
    expect(res.statusCode).toBe(200);
    const document = res.json();
    const result = await new Validator().validate(document);
    expect(result.errors ?? [], JSON.stringify(result.errors)).toEqual([]);
    expect(result.valid).toBe(true);
    const documented = Object.entries(document.paths as Record<string, Record<string, unknown>>).flatMap(
      ([path, item]) =>
        Object.keys(item)
          .filter((key) => ['get', 'post', 'patch', 'put', 'delete'].includes(key))
          .map((method) => `${method.toUpperCase()} ${API}${path.replace(/\{(\w+)\}/g, ':$1')}`),
    );
    // printRoutes draws a tree: each line's depth is where its branch starts, its path the parent's plus its own.
    const served: string[] = [];
    const stack: string[] = [];
    for (const line of f.s.app.printRoutes({ commonPrefix: false }).split('\n')) {
      const match = /^([│ ├└─]*?)[├└]── (\S+) \(([^)]+)\)/.exec(line);
      if (!match) continue;
      const depth = (match[1] as string).length / 4;
      const segment = match[2] as string;
      // The root is `/`; its children are drawn without their leading slash.
      stack[depth] = depth === 0 ? '' : depth === 1 ? `/${segment}` : `${stack[depth - 1] ?? ''}${segment}`;
      stack.length = depth + 1;
      const path = stack[depth] as string;
      if (!path.startsWith(API)) continue;
      for (const method of (match[3] as string).split(', '))
        if (method !== 'HEAD') served.push(`${method} ${path}`);
    }
    expect(served.length).toBeGreaterThan(5);
    expect([...new Set(served)].sort()).toEqual([...new Set(documented)].sort());
  });

  it('answers unknown routes under the prefix with a problem', async () => {
    expectProblem(await f.owner.call('GET', '/nothing'), 404, 'not_found');
  });
});
