// Prepares refresh-token chains on a running Latchkey: one user, one app, a sign-in and consent over
// HTTP, then one authorization code per chain redeemed at the token endpoint.
import { createHash, randomBytes } from 'node:crypto';

function cookiesOf(res, jar) {
  for (const line of res.headers.getSetCookie()) {
    const [pair] = line.split(';');
    const eq = pair.indexOf('=');
    jar.set(pair.slice(0, eq), pair.slice(eq + 1));
  }
}

const cookieHeader = (jar) => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');

async function get(url, jar) {
  const res = await fetch(url, { headers: { cookie: cookieHeader(jar) }, redirect: 'manual' });
  cookiesOf(res, jar);
  return res;
}

async function post(url, form, jar) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { cookie: cookieHeader(jar), 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form),
    redirect: 'manual',
  });
  cookiesOf(res, jar);
  return res;
}

const csrfOf = (html) => /name="csrf" value="([^"]+)"/.exec(html)[1];
const actionOf = (html) => /<form[^>]*action="([^"]+)"/.exec(html)[1].replaceAll('&amp;', '&');

/** Returns `{ basic, tokens }`: Basic credentials of the app and one fresh refresh token per chain. */
export async function threeLeggedChains({ baseUrl, env, bin, run, chains }) {
  const email = 'bench@example.com';
  const password = randomBytes(12).toString('hex');
  await run(bin, ['users', 'create', '--email', email, '--password', password], env);
  const redirectUri = 'https://bench.example/cb';
  const app = JSON.parse(
    await run(
      bin,
      ['apps', 'create', '--name', 'Bench', '--scope', 'data:read', '--redirect-uri', redirectUri, '--json'],
      env,
    ),
  );
  const basic = `Basic ${Buffer.from(`${app.client_id}:${app.client_secret}`).toString('base64')}`;
  const jar = new Map();
  const login = await get(`${baseUrl}/login`, jar);
  const loginHtml = await login.text();
  await post(new URL(actionOf(loginHtml), baseUrl), { csrf: csrfOf(loginHtml), email, password }, jar);

  const tokens = [];
  for (let i = 0; i < chains; i++) {
    const verifier = randomBytes(32).toString('base64url');
    const query = new URLSearchParams({
      response_type: 'code',
      client_id: app.client_id,
      redirect_uri: redirectUri,
      scope: 'data:read',
      code_challenge: createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256',
    });
    let res = await get(`${baseUrl}/oauth/authorize?${query}`, jar);
    if (res.status === 200) {
      const html = await res.text();
      res = await post(new URL(actionOf(html), baseUrl), { csrf: csrfOf(html), decision: 'allow' }, jar);
    }
    const code = new URL(res.headers.get('location')).searchParams.get('code');
    const token = await fetch(`${baseUrl}/oauth/token`, {
      method: 'POST',
      headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code,
        redirect_uri: redirectUri,
        code_verifier: verifier,
      }),
    });
    const json = await token.json();
    if (!json.refresh_token) throw new Error(`no refresh token: ${JSON.stringify(json)}`);
    tokens.push(json.refresh_token);
  }
  return { basic, tokens };
}
