/** `latchkey proxy`: the token proxy run standalone from the environment, in front of a real server. */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { BIN, cli, freePort, type ServerProcess, startProcess } from './support/process.js';

describe('latchkey proxy', () => {
  let dir: string;
  let server: ServerProcess;
  let demo: { client_id: string; client_secret: string };
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'latchkey-proxy-cmd-'));
    server = await startProcess({ LATCHKEY_DATA_DIR: dir });
    demo = JSON.parse(readFileSync(join(dir, 'demo-app.json'), 'utf8'));
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a missing variable: exit 2 and one line naming it', () => {
    const r = cli(['proxy'], { CLIENT_ID: '', CLIENT_SECRET: '', LATCHKEY_ISSUER: server.url });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/CLIENT_ID/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('hands out tokens from the server, never the secret, and stops on SIGTERM', async () => {
    const port = await freePort();
    const child = spawn(process.execPath, [BIN, 'proxy'], {
      env: {
        ...process.env,
        PORT: String(port),
        CLIENT_ID: demo.client_id,
        CLIENT_SECRET: demo.client_secret,
        LATCHKEY_ISSUER: server.url,
        ALLOWED_SCOPES: 'data:read',
        DEFAULT_SCOPE: 'data:read',
        ALLOWED_ORIGINS: 'http://127.0.0.1:9999',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d) => {
      output += d;
    });
    child.stderr.on('data', (d) => {
      output += d;
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    try {
      // Polled until the proxy listens (a deadline, not a count of tries).
      let res: Response | undefined;
      await vi.waitFor(
        async () => {
          res = await fetch(`http://127.0.0.1:${port}/token?scope=data:read`);
        },
        { timeout: 20_000, interval: 100 },
      );
      expect(res?.status).toBe(200);
      const body = (await res?.json()) as Record<string, unknown>;
      expect(body.token_type).toBe('Bearer');
      expect(String(body.access_token).split('.')).toHaveLength(3);
      const outside = await fetch(`http://127.0.0.1:${port}/token?scope=data:write`);
      expect(outside.status).toBe(400);
      expect(output).toContain('latchkey proxy listening');
      expect(output).not.toContain(demo.client_secret);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  });
});
