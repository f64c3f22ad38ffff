// Target: Latchkey's token endpoint, client credentials on SQLite, a freshly signed JWT per request.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { binOf, thisBuild } from '../lib/builds.js';
import { freePort, onCleanup, startProcess } from '../lib/child.js';
import { profileFlags } from '../lib/latchkey-cli.js';

/** The target for one build (bench/lib/builds.js): this checkout, or the baseline's own bin and dist. */
export const clientCredentialsTarget = (build) => ({
  name: `latchkey-client-credentials${build.suffix}`,
  role: build === thisBuild ? 'subject' : 'baseline',
  build,
  description: 'latchkey start (SQLite), POST /oauth/token client_credentials, client_secret_basic',
  expectJwt: true,
  // Issue 2, "Speed": at least 0.30 × the bare ceiling and 3 × oidc-provider in the same run.
  goals: { vsCeiling: 0.3, vsReference: 3 },
  async start() {
    const bin = binOf(build);
    if (!existsSync(bin)) throw new Error(`${bin} does not exist yet`);
    const port = await freePort();
    const dataDir = mkdtempSync(join(tmpdir(), 'latchkey-bench-'));
    const removeDir = () => rmSync(dataDir, { recursive: true, force: true });
    const unregister = onCleanup(removeDir);
    const proc = startProcess({
      name: `latchkey${build.suffix}`,
      command: process.execPath,
      args: [...profileFlags(), bin, 'start'],
      cwd: build.root,
      env: { PORT: String(port), HOST: '127.0.0.1', LATCHKEY_DATA_DIR: dataDir, LATCHKEY_LOG_LEVEL: 'warn' },
    });
    const stop = async () => {
      await proc.stop();
      removeDir();
      unregister();
    };
    try {
      const baseUrl = `http://127.0.0.1:${port}`;
      await proc.waitForHttp(`${baseUrl}/readyz`, 30_000);
      const demo = JSON.parse(readFileSync(join(dataDir, 'demo-app.json'), 'utf8'));
      if (!demo.client_id || !demo.client_secret)
        throw new Error('demo-app.json lacks client_id/client_secret');
      const basic = Buffer.from(`${demo.client_id}:${demo.client_secret}`).toString('base64');
      return {
        proc,
        baseUrl,
        request: {
          method: 'POST',
          path: '/oauth/token',
          headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${basic}` },
          body: 'grant_type=client_credentials&scope=data:read',
        },
        stop,
      };
    } catch (error) {
      await stop();
      throw error;
    }
  },
});
