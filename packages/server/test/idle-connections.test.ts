/**
 * 3,000 idle connections (opened, nothing sent): the server keeps answering real requests at once, and
 * closes the idle ones after LATCHKEY_REQUEST_TIMEOUT, so they cannot hold its sockets forever.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout } from 'node:timers/promises';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { fetchToken, type ServerProcess, startProcess } from './support/process.js';

const IDLE = 3_000;

describe('3,000 idle connections', () => {
  const sockets: Socket[] = [];
  let dir: string;
  let server: ServerProcess | undefined;
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('do not keep a real request waiting, and are closed after the request timeout', async () => {
    dir = mkdtempSync(join(tmpdir(), 'latchkey-idle-'));
    server = await startProcess({
      LATCHKEY_DATA_DIR: dir,
      LATCHKEY_REQUEST_TIMEOUT: '2',
      LATCHKEY_LOG_LEVEL: 'warn',
    });
    const { port, url } = server;
    let closed = 0;
    const open = () =>
      new Promise<void>((resolve, reject) => {
        const socket = connect(port, '127.0.0.1', () => resolve());
        socket.on('error', reject);
        socket.on('close', () => {
          closed++;
        });
        sockets.push(socket);
      });
    // Opened in waves below the listen backlog (511), paced so the server accepts each wave before the
    // next: past the backlog the kernel parks connections the client already counts as open.
    for (let wave = 0; wave < IDLE / 250; wave++) {
      await Promise.all(Array.from({ length: 250 }, open));
      await setTimeout(20);
    }
    expect(sockets).toHaveLength(IDLE);
    // A real client is served while they are all open.
    const demo = JSON.parse(readFileSync(join(dir, 'demo-app.json'), 'utf8'));
    const token = await fetchToken(url, demo.client_id, demo.client_secret, 'data:read');
    expect(token.status).toBe(200);
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    // The server closes every idle one once the request timeout (2 s, checked every second) passes.
    await vi.waitFor(() => expect(closed).toBe(IDLE), { timeout: 15_000, interval: 100 });
    // And is still serving.
    expect((await fetchToken(url, demo.client_id, demo.client_secret, 'data:read')).status).toBe(200);
  });
});
