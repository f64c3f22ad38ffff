// The README's three-legged example, run as written against Latchkey as it ships (default issuer,
// scopes and demo app): only the issuer's port and the user's trip through the login page differ.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliAsync, type ServerProcess, startProcess } from '../../server/test/support/process.js';
import { OAuthClient, TokenManager } from '../src/index.js';
import { HttpBrowser } from './support/latchkey.js';

const USER = { email: 'reader@example.com', password: 'a long password' };
const README = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const REDIRECT_STEP = /^\/\/ \.\.\.redirect the user to `url`.*$/m;

/** The ```ts block that follows "Three-legged" in the README. */
function threeLeggedExample(): string {
  const block = /^Three-legged[\s\S]*?```ts\n([\s\S]*?)```/m.exec(README)?.[1];
  if (block === undefined) throw new Error('no three-legged example in the README');
  return block;
}

interface Outcome {
  url: string;
  tokens: Awaited<ReturnType<OAuthClient['handleCallback']>>;
  user: TokenManager;
}

let dir: string;
let server: ServerProcess;
let issuer: string;
let demo: { client_id: string; client_secret: string; scope: string; redirect_uri: string };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'latchkey-client-readme-'));
  // No LATCHKEY_ISSUER, no scopes, demo app on: the defaults `npm start` uses, on a free port.
  const env = { LATCHKEY_DATA_DIR: dir, LATCHKEY_ISSUER: '', LATCHKEY_LOG_LEVEL: 'warn' };
  server = await startProcess(env);
  issuer = `http://localhost:${server.port}`;
  demo = JSON.parse(readFileSync(join(dir, 'demo-app.json'), 'utf8'));
  const created = await cliAsync(
    ['users', 'create', '--email', USER.email, '--password', USER.password],
    env,
  );
  if (created.code !== 0) throw new Error(`users create failed: ${created.stderr}`);
});

afterAll(async () => {
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('README three-legged example', () => {
  it('names the shipped issuer and the demo app redirect URI on a loopback port', () => {
    const example = threeLeggedExample();
    expect(example).toContain("OAuthClient.discover('http://localhost:4000'");
    expect(example).toMatch(REDIRECT_STEP);
    expect(demo.redirect_uri).toBe('http://127.0.0.1/callback');
    expect(example).toContain("redirectUri: 'http://127.0.0.1:8080/callback'");
  });

  it('runs against Latchkey: the authorization URL leads to /login, the callback yields tokens', async () => {
    const browser = new HttpBrowser();
    let firstAnswer: Response | undefined;
    // The step the README leaves to the app: send the user to `url`, receive the callback request.
    const redirectUser = async (url: string): Promise<{ url: string }> => {
      firstAnswer = await fetch(url, { redirect: 'manual' });
      await firstAnswer.body?.cancel();
      const callback = new URL(await browser.authorize(url, 'http://127.0.0.1:8080/callback', USER));
      return { url: `${callback.pathname}${callback.search}` };
    };
    const body = threeLeggedExample()
      .replace("'http://localhost:4000'", JSON.stringify(issuer))
      .replace(REDIRECT_STEP, 'const request = await redirectUser(url);');
    const AsyncFunction = (async () => {}).constructor as new (
      ...args: string[]
    ) => (...values: unknown[]) => Promise<Outcome>;
    const example = new AsyncFunction(
      'OAuthClient',
      'TokenManager',
      'clientId',
      'clientSecret',
      'userId',
      'redirectUser',
      `${body}\nreturn { url, tokens, user };`,
    );
    const { url, tokens, user } = await example(
      OAuthClient,
      TokenManager,
      demo.client_id,
      demo.client_secret,
      'user-1',
      redirectUser,
    );

    // GET /oauth/authorize accepted the request: a redirect to the login page, not an error.
    expect(new URL(url).origin).toBe(issuer);
    expect([302, 303]).toContain(firstAnswer?.status);
    expect(firstAnswer?.headers.get('location')).toMatch(/^\/login\?/);
    expect(browser.seen).toEqual(['login', 'consent']);
    expect(tokens.scope).toEqual(demo.scope.split(' '));
    expect(tokens.refreshToken).toBeTruthy();
    expect(await user.getAccessToken()).toBe(tokens.accessToken);
  });
});
