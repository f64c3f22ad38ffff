/**
 * Metrics on a listener of their own (LATCHKEY_METRICS_PORT): /metrics served there and only there,
 * on HOST, counting the main listener's requests but not its own; closing the server closes it; a
 * port in use stops the start with one line naming the variable.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer as createNetServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { type StartedServer, startServer } from '../src/startup/start.js';
import { parseExposition, sampleValue } from './support/prometheus.js';
import { LogCapture } from './support/server.js';

/** A loopback port free right now (the kernel's pick, then released). */
async function freePort(): Promise<number> {
  const probe = createNetServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

describe('metrics on a port of their own (LATCHKEY_METRICS_PORT)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'latchkey-metrics-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const configWith = (metricsPort: number, sub: string) =>
    loadConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      LATCHKEY_DATA_DIR: join(dir, sub),
      LATCHKEY_DEMO_APP: 'false',
      LATCHKEY_METRICS_PORT: String(metricsPort),
      LATCHKEY_SIGNING_THREAD: 'false',
    });

  it('serves /metrics there and only there, on HOST; closing the server closes it', async () => {
    const metricsPort = await freePort();
    const started: StartedServer = await startServer(
      configWith(metricsPort, 'a'),
      createLogger('warn', new LogCapture()),
    );
    try {
      expect(started.metricsAddress).toBe(`http://127.0.0.1:${metricsPort}`);
      expect((await fetch(`${started.address}/healthz`)).status).toBe(200);
      expect((await fetch(`${started.address}/metrics`)).status).toBe(404);
      const res = await fetch(`${started.metricsAddress}/metrics`);
      expect(res.status).toBe(200);
      const families = parseExposition(await res.text());
      // The main listener's requests are counted; the metrics listener's own are not.
      expect(
        sampleValue(families, 'latchkey_http_requests_total', { route: '/healthz', status: '200' }),
      ).toBe(1);
      expect(
        sampleValue(families, 'latchkey_http_requests_total', { route: '(unmatched)', status: '404' }),
      ).toBe(1);
      expect(sampleValue(families, 'latchkey_http_requests_total', { route: '/metrics' })).toBeUndefined();
      // Nothing else is served on the metrics port.
      expect((await fetch(`${started.metricsAddress}/healthz`)).status).toBe(404);
      expect((await fetch(`${started.metricsAddress}/oauth/token`, { method: 'POST' })).status).toBe(404);
    } finally {
      await started.server.close();
    }
    await expect(fetch(`http://127.0.0.1:${metricsPort}/metrics`)).rejects.toThrow();
  });

  it('a metrics port in use stops the start with one line naming LATCHKEY_METRICS_PORT', async () => {
    const holder: Server = createNetServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const { port } = holder.address() as { port: number };
    try {
      await expect(
        startServer(configWith(port, 'b'), createLogger('warn', new LogCapture())),
      ).rejects.toThrow(
        `cannot listen on 127.0.0.1:${port}: the port is in use (stop what uses it or set LATCHKEY_METRICS_PORT)`,
      );
    } finally {
      await new Promise((resolve) => holder.close(resolve));
    }
  });
});
